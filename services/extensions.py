"""Extension points through which other apps take part in démarches without
``services`` importing them (see DESIGN.md, "Apps"). The prices of démarches
and their payments (the ``fees`` app) are made of them.

An app registers, in its ``wagtail_hooks.py``:

- ``register_demarche_quote``: a function ``(page, answers) -> Quote | None``:
  what sending the answers to the démarche ``page`` will cost, computed on
  the server; the recap shows it before the citizen sends.
- ``register_request_sending``: a function ``(submission) -> bool``, called
  in the sending's transaction once the request is numbered with its
  answers; ``True`` holds the request "Waiting for payment" until the app
  sends it on (``services.services.submission_release``).
- ``register_payment_request``: a function ``(submission, change, config) ->
  str | None`` that does the workflow action "ask for a payment"
  (``services.actions.payment``) and returns what the history says of it.
- ``register_request_citizen_panel``: a function ``(request, submission,
  access) -> str``: HTML of a panel of the citizen's page of a request
  (``access.url(name)`` gives that page's own links).
- ``register_request_admin_panel``: a function ``(request, submission) ->
  str``: HTML of a panel of the side column of the agents' request page.
- ``register_request_admin_filter``: a function ``() -> RequestFilter``: a
  filter of the agents' queue of requests.
- ``register_request_admin_column``: a function ``(request) -> AdminColumn |
  None`` (``accounts.extensions.AdminColumn``): a column of the agents' queue,
  with the annotations it needs (subqueries: one query for the whole page).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from wagtail import hooks


@dataclass(frozen=True)
class QuoteLine:
    """A line of a price: ``quantity`` × ``unit`` = ``amount``."""

    label: str
    quantity: Decimal
    unit: Decimal

    @property
    def amount(self) -> Decimal:
        return (self.quantity * self.unit).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Quote:
    """What a request costs, line by line."""

    lines: tuple[QuoteLine, ...] = ()
    #: When the amount is paid: "submission" (before the request reaches
    #: the town hall) or "request" (when its workflow asks for it).
    when: str = "submission"

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))


@dataclass(frozen=True)
class RequestFilter:
    """A filter of the agents' queue: its name in the query string, label,
    choices, and the function that narrows the queryset to a choice."""

    name: str
    label: str
    choices: list[tuple[str, str]]
    apply: Callable = field(compare=False)


def quote(page, answers: dict) -> Quote | None:
    for fn in hooks.get_hooks("register_demarche_quote"):
        found = fn(page, answers)
        if found is not None:
            return found
    return None


def holds_for_payment(submission) -> bool:
    return any([fn(submission) for fn in hooks.get_hooks("register_request_sending")])


def payment_request(submission, change, config: dict) -> str | None:
    for fn in hooks.get_hooks("register_payment_request"):
        done = fn(submission, change, config)
        if done is not None:
            return done
    return None


def citizen_panels(request, submission, access) -> list[str]:
    return [
        html
        for fn in hooks.get_hooks("register_request_citizen_panel")
        if (html := fn(request, submission, access))
    ]


def admin_panels(request, submission) -> list[str]:
    return [
        html
        for fn in hooks.get_hooks("register_request_admin_panel")
        if (html := fn(request, submission))
    ]


def admin_filters() -> list[RequestFilter]:
    return [fn() for fn in hooks.get_hooks("register_request_admin_filter")]


def admin_columns(request) -> list:
    return [
        column for fn in hooks.get_hooks("register_request_admin_column") if (column := fn(request))
    ]
