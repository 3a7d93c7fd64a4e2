"""The agents' screen for citizen accounts in the Wagtail admin.

Agents list the accounts of their commune, look at one with its household, and
validate or reject it, one at a time or as a bulk action. They never create,
edit or delete an account: the citizen owns it. Every view and action starts
from ``citizen_accounts_visible_to(user=...)`` (``accounts.selectors``), so
an account of a commune the user holds no permission for is a 404, whatever
id is put in the URL.

- ``viewsets``: the screen, registered in ``accounts.wagtail_hooks``;
- ``views``: the listing, the account's page, the decision pages;
- ``bulk_actions``: validate or reject the selected accounts;
- ``filters`` and ``forms``;
- ``staff``: the staff screen of a commune's supervisors and platform admins
  (inviting people, removing them from a commune), outside the citizen
  accounts' screen (``accounts.invitations``).
"""
