"""Plugins built on eopayment: the régie form is generated from eopayment's
own description of each backend's parameters, with our labels."""

import logging
from decimal import Decimal, InvalidOperation

import eopayment
from django.utils.translation import gettext_lazy as _

from ..exceptions import GatewayError, InvalidNotification
from ..models import TransactionStatus
from .base import (
    BankRedirect,
    BasePlugin,
    IncomingMessage,
    OptionSpec,
    PaymentRequest,
    PaymentResult,
    PaymentStart,
)

logger = logging.getLogger(__name__)

BACKEND_UNAVAILABLE = _(
    "The payment service could not be reached. Your invoices are still in your cart: "
    "please try again in a few minutes."
)

RESULTS = {
    eopayment.RECEIVED: TransactionStatus.WAITING,
    eopayment.ACCEPTED: TransactionStatus.PAID,
    eopayment.PAID: TransactionStatus.PAID,
    eopayment.DENIED: TransactionStatus.REFUSED,
    eopayment.CANCELLED: TransactionStatus.CANCELLED,
    eopayment.WAITING: TransactionStatus.WAITING,
    eopayment.EXPIRED: TransactionStatus.EXPIRED,
    eopayment.ERROR: TransactionStatus.ERROR,
}

#: Set by us for each payment, never typed in the régie form.
PER_PAYMENT = {"normal_return_url", "automatic_return_url", "callback"}


LARGEST_AMOUNT = Decimal("99999999.99")
"""The largest amount a ``MONEY`` field holds (10 digits, 2 after the point)."""


def cents(value) -> Decimal | None:
    """An amount in cents as euros, or None when it is no amount the portal
    can hold (not a number, NaN, infinite, or beyond ``MONEY``'s digits)."""
    try:
        amount = (Decimal(str(value).strip()) / 100).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return amount if amount.is_finite() and abs(amount) <= LARGEST_AMOUNT else None


def plain(data) -> dict:
    """Bank data as JSON-friendly strings, for the record."""
    result = {}
    for key, value in dict(data or {}).items():
        if isinstance(value, list | tuple):
            value = value[0] if len(value) == 1 else ", ".join(map(str, value))
        result[str(key)] = "" if value is None else str(value)
    return result


class EopaymentPlugin(BasePlugin):
    """A backend of eopayment (``kind``).

    ``labels`` gives our translated label and help text of the parameters
    shown; ``shown`` lists them in order (others keep eopayment's defaults);
    ``secrets`` are never shown back; ``choices`` adds choices eopayment only
    checks.
    """

    kind = ""
    shown: tuple[str, ...] = ()
    labels: dict = {}
    secrets: frozenset = frozenset()
    choices: dict = {}
    invalid_messages: dict = {}

    def get_options(self) -> list[OptionSpec]:
        parameters = {
            parameter["name"]: parameter
            for parameter in eopayment.get_backend(self.kind).description["parameters"]
            if parameter.get("scope", "global") == "global"
            and not parameter.get("deprecated")
            and parameter["name"] not in PER_PAYMENT
        }
        options = []
        for name in self.shown:
            parameter = parameters[name]
            label, help_text = self.labels.get(name, (parameter.get("caption", name), ""))
            choices = self.choices.get(name) or parameter.get("choices")
            if choices and not isinstance(choices[0], list | tuple):
                choices = [(choice, choice) for choice in choices]
            options.append(
                OptionSpec(
                    name,
                    label=label,
                    help_text=help_text or parameter.get("help_text", ""),
                    required=bool(parameter.get("required")),
                    default=parameter.get("default"),
                    choices=choices,
                    kind=parameter.get("type", str),
                    secret=name in self.secrets,
                    validate=parameter.get("validation"),
                    **(
                        {"invalid_message": self.invalid_messages[name]}
                        if name in self.invalid_messages
                        else {}
                    ),
                )
            )
        return options

    def eopayment(self, options: dict, *, return_url: str = "", notification_url: str = ""):
        return eopayment.Payment(
            self.kind,
            {
                **options,
                "normal_return_url": return_url,
                "automatic_return_url": notification_url,
            },
            logger=logger,
        )

    def request_kwargs(self, request: PaymentRequest) -> dict:
        return {"email": request.email, "orderid": request.order_id}

    def start_payment(self, *, options: dict, request: PaymentRequest) -> PaymentStart:
        payment = self.eopayment(
            options, return_url=request.return_url, notification_url=request.notification_url
        )
        try:
            bank_order_id, kind, data = payment.request(
                request.amount, **self.request_kwargs(request)
            )
        except Exception as error:
            logger.warning("%s refused to start %s: %r", self.id, request.order_id, error)
            raise GatewayError(BACKEND_UNAVAILABLE) from error
        if kind == eopayment.URL:
            redirect = BankRedirect(url=data)
        elif kind == eopayment.FORM:
            redirect = BankRedirect(
                url=data.url,
                method=data.method.upper(),
                fields=tuple((field["name"], str(field["value"])) for field in data.fields),
            )
        else:
            raise GatewayError(BACKEND_UNAVAILABLE)
        return PaymentStart(bank_order_id=str(bank_order_id), redirect=redirect)

    def amount_of(self, bank_data: dict) -> Decimal | None:
        return None

    def is_test(self, options: dict, response) -> bool:
        return bool(response.test)

    def result(self, options: dict, response) -> PaymentResult:
        data = plain(response.bank_data)
        return PaymentResult(
            bank_order_id=str(response.order_id or ""),
            status=RESULTS.get(response.result, TransactionStatus.ERROR),
            verified=bool(response.signed),
            amount=self.amount_of(data),
            test=self.is_test(options, response),
            bank_transaction_id=str(response.transaction_id or "")[:200],
            bank_status=str(response.bank_status or "")[:255],
            data=data,
            response_body=response.return_content or "OK",
        )

    def parse(self, options: dict, message: IncomingMessage, **kwargs) -> PaymentResult:
        payment = self.eopayment(options)
        try:
            response = payment.response(message.raw, **kwargs)
        except Exception as error:
            raise InvalidNotification(str(error)) from error
        return self.result(options, response)

    def handle_webhook(self, *, options: dict, message: IncomingMessage) -> PaymentResult:
        return self.parse(options, message)

    def handle_return(self, *, options: dict, message: IncomingMessage, transaction):
        if not message.fields:
            return None
        return self.parse(options, message)
