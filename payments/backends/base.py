"""What every payment backend plugin offers, and what it hands back.

A plugin never touches our models' statuses: it turns what the bank says into
a ``PaymentResult``, and ``payments.services.transaction_record_result``
decides what that result may change.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class PaymentRequest:
    """What a plugin needs to start a payment."""

    order_id: str
    amount: Decimal
    email: str
    subject: str
    return_url: str
    notification_url: str
    regie_public_id: str
    year: int


@dataclass(frozen=True)
class BankRedirect:
    """Where to send the citizen's browser: a link, or a form to post."""

    url: str
    method: str = "GET"
    fields: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class PaymentStart:
    bank_order_id: str
    redirect: BankRedirect


@dataclass(frozen=True)
class IncomingMessage:
    """A request from the bank or from the citizen's browser coming back,
    reduced to what a plugin may read: no session, no cookie."""

    method: str
    query_string: str
    body: str
    fields: dict[str, str] = field(default_factory=dict)
    remote_address: str | None = None

    @property
    def raw(self) -> str:
        """The form data as sent (body of a POST, query string of a GET)."""
        return self.body if self.method == "POST" and self.body else self.query_string

    def field(self, name: str) -> str:
        """A field by name, whatever its case (PayFiP says ``idOp`` or ``idop``)."""
        for key, value in self.fields.items():
            if key.lower() == name.lower():
                return value
        return ""


@dataclass(frozen=True)
class PaymentResult:
    """What the bank says about one operation.

    ``verified`` is true only when the plugin checked the message itself: its
    signature, or the bank's own answer to our question. ``amount`` is what the
    bank says was paid; ``test`` whether the bank worked in test mode (``None``
    when it does not say, which a payment never is).
    """

    bank_order_id: str
    status: str
    verified: bool
    amount: Decimal | None = None
    test: bool | None = False
    order_id: str = ""
    bank_transaction_id: str = ""
    bank_status: str = ""
    data: dict = field(default_factory=dict)
    response_body: str = "OK"


INVALID_OPTION = _("The payment backend does not accept this value.")


class OptionSpec:
    """One setting of a backend, shown as a field of the régie's form."""

    def __init__(
        self,
        name,
        *,
        label,
        help_text="",
        required=False,
        default=None,
        choices=None,
        kind=str,
        secret=False,
        validate=None,
        invalid_message=INVALID_OPTION,
    ):
        self.name = name
        self.label = label
        self.help_text = help_text
        self.required = required
        self.default = default
        self.choices = choices
        self.kind = kind
        self.secret = secret
        self.validate = validate
        self.invalid_message = invalid_message

    def _check(self, value):
        if value in (None, ""):
            return
        try:
            accepted = self.validate(value)
        except (TypeError, ValueError):
            accepted = False
        if not accepted:
            raise ValidationError(self.invalid_message, code="invalid")

    def form_field(self) -> forms.Field:
        common = {"label": self.label, "help_text": self.help_text, "required": self.required}
        if self.validate is not None:
            common["validators"] = [self._check]
        if self.kind is bool:
            return forms.BooleanField(**{**common, "required": False})
        if self.choices:
            return forms.ChoiceField(choices=list(self.choices), **common)
        if self.secret:
            return forms.CharField(
                widget=forms.PasswordInput(
                    render_value=False, attrs={"autocomplete": "new-password"}
                ),
                strip=True,
                **common,
            )
        return forms.CharField(strip=True, **common)


class BasePlugin:
    """A payment backend.

    Subclasses set ``id`` (stored in ``Regie.backend``, never renamed),
    ``verbose_name`` and ``options`` (``OptionSpec`` list, the régie's settings
    form), and implement ``start_payment``, ``handle_return``,
    ``handle_webhook`` and, where the bank can be asked, ``payment_status``.
    """

    id: str = ""
    verbose_name = ""
    #: How long the bank's page of an operation may be opened again: a second
    #: "Pay" of the same invoices by the same payer, meanwhile, goes back to
    #: that page instead of starting another operation. ``None`` (the default)
    #: for a bank that might take the same operation twice: its page is never
    #: reopened, and the second "Pay" is refused until the bank has answered.
    payment_page_lifetime: timedelta | None = None
    minimal_amount = Decimal("0.01")
    maximal_amount: Decimal | None = None
    #: Offered in the régie form only when this says so (the test bank).
    available = True

    def get_options(self) -> list[OptionSpec]:
        return []

    def secret_option_names(self) -> set[str]:
        return {option.name for option in self.get_options() if option.secret}

    def is_test_mode(self, options: dict) -> bool:
        """Whether payments made with these options are test payments."""
        raise NotImplementedError

    def start_payment(self, *, options: dict, request: PaymentRequest) -> PaymentStart:
        raise NotImplementedError

    def handle_return(self, *, options: dict, message: IncomingMessage, transaction):
        """What the citizen's browser brings back from the bank, for the
        transaction whose return address it followed; ``None`` when it brings
        nothing to verify (the notification or the status check will tell)."""
        raise NotImplementedError

    def handle_webhook(self, *, options: dict, message: IncomingMessage) -> PaymentResult:
        """The bank's server-to-server notification. Raise
        ``InvalidNotification`` when it cannot be read at all."""
        raise NotImplementedError

    def payment_status(self, *, options: dict, transaction) -> PaymentResult | None:
        """Ask the bank where a transaction stands; ``None`` when this backend
        cannot be asked."""
        return None

    @property
    def can_check_status(self) -> bool:
        return type(self).payment_status is not BasePlugin.payment_status
