"""Payments in the Wagtail admin, each screen within the user's communes
(``payments.policies``): régies, invoices and their import, transactions and
the accounting export. An object of another commune is a 404.

- ``viewsets``: the screens, registered in ``payments.wagtail_hooks``;
- ``views``, ``filters`` and ``forms``.
"""
