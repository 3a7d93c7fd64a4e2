"""Extension points through which other apps take part in payments without
``payments`` importing them (see DESIGN.md, "Apps").

An app registers, in its ``wagtail_hooks.py``:

- ``register_invoice_reach``: a function ``(user) -> Q`` on ``Invoice``
  rows: within the user's communes, the invoices the staff ``user`` may see.
  An app that issues invoices for records shared out within a commune (the
  amounts of requests, which agents of a municipal service see only for
  their service's requests) keeps the others out of the user's listings,
  pages, exports and bulk actions. Transactions follow their invoices.
"""

from django.db.models import Q
from wagtail import hooks


def invoice_reach(user) -> Q | None:
    """The invoices the staff ``user`` reaches within their communes, as the
    apps say; ``None`` when no app narrows them."""
    conditions = [fn(user) for fn in hooks.get_hooks("register_invoice_reach")]
    if not conditions:
        return None
    reach = Q()
    for condition in conditions:
        reach &= condition
    return reach
