"""The agents' screens for requests and message templates in the Wagtail admin.

Agents work through the queue of requests sent to their commune (what needs
action first, oldest first), assign them, open one with its answers,
documents, history and the agents' private notes, tick documents received by
post, download documents, and change its status with a message to the
citizen, from the commune's message templates; "Incomplet" names the items
the citizen must correct. Nobody adds, edits or deletes a request there: the
answers belong to the citizen. Every view starts from
``submissions_visible_to(user=...)`` (``services.selectors``), so a request
of a commune the user holds no permission for is a 404, whatever id is put in
the URL. The permissions are held per commune (``services.policies``).

- ``viewsets``: the requests screen, registered in ``services.wagtail_hooks``;
- ``views``: the queue, a request's page and the changes made from there;
- ``bulk_actions``: assign the selected requests, change their status;
- ``filters`` and ``forms``;
- ``exports``: a démarche's requests as a spreadsheet, a request as a PDF;
- ``templates``: the commune's message templates.
"""
