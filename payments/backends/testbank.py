"""The local test bank, for the demo and the tests: a page of the portal
itself, outside the commune's pages, where one pays, refuses or cancels, and
which then notifies the portal as a bank does, with a signed message.

It moves no money. It is offered only where ``PAYMENTS_TESTBANK_ENABLED`` is
set (development and tests, never production by default), and its payments
are always test payments.
"""

import secrets
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.db import transaction as db_transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from ..exceptions import GatewayError, InvalidNotification
from ..models import LocalBankOperation, Regie, TransactionStatus
from ..selectors import testbank_operation_for
from .base import BankRedirect, BasePlugin, IncomingMessage, PaymentResult, PaymentStart
from .eopayment_base import cents
from .registry import registry

TESTBANK_OFF = _("The test bank is turned off on this server: no payment can be made with it.")
SIGNED_FIELDS = ("bank_order_id", "order_id", "amount", "status", "test")
#: An operation nobody decided on is given up after this long, as a bank would.
EXPIRY = timedelta(minutes=30)

DECISIONS = {
    "pay": TransactionStatus.PAID,
    "pay_without_notice": TransactionStatus.PAID,
    "refuse": TransactionStatus.REFUSED,
    "cancel": TransactionStatus.CANCELLED,
}


def enabled() -> bool:
    return bool(settings.PAYMENTS_TESTBANK_ENABLED)


def signature(fields: dict) -> str:
    message = "&".join(f"{name}={fields.get(name, '')}" for name in SIGNED_FIELDS)
    return salted_hmac("payments.backends.testbank", message, algorithm="sha256").hexdigest()


def signed_fields(operation: LocalBankOperation) -> dict[str, str]:
    fields = {
        "bank_order_id": operation.bank_order_id,
        "order_id": operation.order_id,
        "amount": str(int(operation.amount * 100)),
        "status": operation.status,
        "test": "1",
    }
    return {**fields, "signature": signature(fields)}


def _status_of(operation: LocalBankOperation) -> str:
    if (
        operation.status == TransactionStatus.WAITING
        and timezone.now() - operation.created_at > EXPIRY
    ):
        return TransactionStatus.EXPIRED
    return operation.status


@registry.register
class LocalBankPlugin(BasePlugin):
    id = "testbank"
    verbose_name = _("Local test bank (no real payment)")
    #: Its page takes one decision per operation, until the operation expires.
    payment_page_lifetime = EXPIRY

    @property
    def available(self):
        return enabled()

    def is_test_mode(self, options: dict) -> bool:
        return True

    def start_payment(self, *, options, request):
        if not enabled():
            raise GatewayError(TESTBANK_OFF)
        operation = LocalBankOperation.objects.create(
            regie=Regie.objects.get(public_id=request.regie_public_id),
            bank_order_id=secrets.token_hex(10),
            order_id=request.order_id,
            amount=request.amount,
            subject=request.subject[:200],
            return_url=request.return_url,
            notification_url=request.notification_url,
        )
        origin = urlsplit(request.return_url)
        path = reverse("payments:testbank", args=[operation.bank_order_id])
        return PaymentStart(
            bank_order_id=operation.bank_order_id,
            redirect=BankRedirect(url=f"{origin.scheme}://{origin.netloc}{path}"),
        )

    def _parse(self, message: IncomingMessage) -> PaymentResult:
        fields = message.fields
        if not fields.get("bank_order_id") or not fields.get("status"):
            raise InvalidNotification("missing bank_order_id or status")
        verified = enabled() and constant_time_compare(
            fields.get("signature", ""), signature(fields)
        )
        amount = cents(fields.get("amount", ""))
        status = fields["status"]
        if status not in TransactionStatus.values:
            raise InvalidNotification(f"unknown status {status!r}")
        return PaymentResult(
            bank_order_id=fields["bank_order_id"],
            order_id=fields.get("order_id", ""),
            status=status,
            verified=verified,
            amount=amount,
            test=fields.get("test") == "1",
            bank_transaction_id=fields["bank_order_id"],
            data={key: value for key, value in fields.items() if key != "signature"},
        )

    def handle_webhook(self, *, options, message):
        return self._parse(message)

    def handle_return(self, *, options, message, transaction):
        if "signature" not in message.fields:
            return None
        return self._parse(message)

    def payment_status(self, *, options, transaction):
        operation = LocalBankOperation.objects.filter(
            bank_order_id=transaction.bank_order_id
        ).first()
        if operation is None:
            return PaymentResult(
                bank_order_id=transaction.bank_order_id,
                status=TransactionStatus.EXPIRED,
                verified=enabled(),
                test=True,
            )
        return PaymentResult(
            bank_order_id=operation.bank_order_id,
            order_id=operation.order_id,
            status=_status_of(operation),
            verified=enabled(),
            amount=operation.amount,
            test=True,
            bank_transaction_id=operation.bank_order_id,
        )


@require_http_methods(["GET", "POST"])
def bank_page(request, bank_order_id):
    """The test bank's payment page: what is asked, and the four answers."""
    operation = testbank_operation_for(site=request.commune, bank_order_id=bank_order_id)
    if not enabled():
        return render(request, "payments/testbank.html", {"disabled": TESTBANK_OFF}, status=404)
    decision = request.POST.get("decision")
    if request.method == "POST" and decision in DECISIONS:
        with db_transaction.atomic():
            decided = LocalBankOperation.objects.filter(
                pk=operation.pk, status=TransactionStatus.WAITING
            ).update(status=DECISIONS[decision], decided_at=timezone.now())
        operation.refresh_from_db()
        fields = signed_fields(operation)
        if decided and decision != "pay_without_notice":
            from ..tasks import testbank_notify

            db_transaction.on_commit(
                lambda: testbank_notify.enqueue(url=operation.notification_url, fields=fields)
            )
        if decision == "pay_without_notice":
            return redirect(operation.return_url)
        return redirect(f"{operation.return_url}?{urlencode(fields)}")
    return render(
        request,
        "payments/testbank.html",
        {"operation": operation, "expired": _status_of(operation) != TransactionStatus.WAITING},
    )
