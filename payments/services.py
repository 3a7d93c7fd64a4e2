"""Writes of payments: carts, transactions, the bank's answers, invoices
(imported, issued, cancelled, refunded).

Every transition of a transaction or an invoice happens here, under
``transaction.atomic`` with the rows locked (``select_for_update``), and
through conditional updates and unique constraints that make the same payment
count once however many times, and however concurrently, the bank says it.
"""

import contextlib
import copy
import hashlib
import logging
import secrets
import string
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cms.audit import audit
from cms.files import file_delete_on_commit
from cms.money import money

from .backends.base import BankRedirect, BasePlugin, IncomingMessage, PaymentRequest, PaymentResult
from .backends.eopayment_base import BACKEND_UNAVAILABLE
from .exceptions import (
    CartError,
    GatewayError,
    InvoiceChangeRefused,
    PaymentUnderWay,
    UnableToTakePayment,
)
from .importer import check_pdfs, check_records
from .models import (
    PAID_STATUSES,
    Cart,
    CartItem,
    EventOutcome,
    EventSource,
    Invoice,
    InvoiceDomain,
    InvoiceStatus,
    Regie,
    Transaction,
    TransactionEvent,
    TransactionLine,
    TransactionStatus,
)
from .selectors import open_transaction_of, transactions_to_reconcile
from .signals import invoice_paid_send

logger = logging.getLogger(__name__)

CART_REFUSED = _("This item cannot be added: first pay those waiting in your cart")
CART_EMPTY = _("Your cart is empty.")
INVOICE_NOT_PAYABLE = _("This invoice is no longer to be paid.")
INVOICE_NOT_YOURS = _("This invoice is not one of your household's.")
ACCOUNT_PENDING = _(
    "Your account is awaiting validation by the town hall: you can pay your invoices "
    "once it is validated."
)
REGIE_CLOSED = _(
    "Online payment of the invoices of “%(regie)s” is closed for the moment. "
    "Please try again later, or pay at the town hall."
)
BACKEND_OFF = _("This payment service is not available on this portal.")
AMOUNT_TOO_LOW = _("This payment service takes payments of at least %(amount)s.")
AMOUNT_TOO_HIGH = _("This payment service takes payments of at most %(amount)s.")
PAYMENT_UNDER_WAY = _(
    "A payment already started at the bank is waiting for its answer: an invoice cannot be "
    "paid twice. If you did not finish that payment, you can pay again once the bank has "
    "closed it: please try again later."
)
EMAIL_REQUIRED = _("An e-mail address is needed to receive the receipt.")
AMOUNT_NOT_POSITIVE = _("An invoice's amount must be more than zero.")
CANCEL_REASON_REQUIRED = _("Say why the invoice is cancelled.")
CANCEL_NOT_TO_PAY = _("Only an invoice still to pay can be cancelled.")
CANCEL_PAYMENT_UNDER_WAY = _(
    "A payment of this invoice is under way at the bank: it cannot be cancelled until the "
    "bank has answered."
)
REFUND_NOT_DUE = _("No refund of this invoice is waiting to be recorded.")

ORDER_ALPHABET = "".join(c for c in string.ascii_uppercase + string.digits if c not in "O0I1")
KEY_ALPHABET = ORDER_ALPHABET
KEY_LENGTH = 8
#: A transaction nobody heard of after this long, at a bank that cannot be
#: asked, is given up (a late notification still marks it paid).
GIVE_UP_AFTER = timedelta(hours=24)
#: A transaction still being started after this long never reached the bank's
#: page (its request ended): it no longer holds its invoices.
START_TIMEOUT = timedelta(minutes=5)


def _money(amount: Decimal) -> str:
    return money(amount)


# --- Cart ---------------------------------------------------------------------


def cart_get_or_create(*, site, account) -> Cart:
    cart, _created = Cart.objects.get_or_create(account=account, defaults={"site": site})
    return cart


def _cart_drop_unpayable(cart: Cart) -> list[Invoice]:
    """Remove from the (locked) cart the invoices no longer to pay."""
    stale = list(
        CartItem.objects.filter(cart=cart)
        .exclude(invoice__status=InvoiceStatus.TO_PAY)
        .select_related("invoice")
    )
    if stale:
        CartItem.objects.filter(pk__in=[item.pk for item in stale]).delete()
    if not CartItem.objects.filter(cart=cart).exists() and cart.regie_id is not None:
        cart.regie = None
        cart.save(update_fields=["regie", "updated_at"])
    return [item.invoice for item in stale]


@transaction.atomic
def cart_add_invoice(*, cart: Cart, invoice: Invoice) -> CartItem:
    """Put an invoice in the cart. The cart holds invoices of one régie only
    (different budgets), each once; both refusals say the seed FAQ's words."""
    cart = Cart.objects.select_for_update().select_related("account").get(pk=cart.pk)
    if invoice.site_id != cart.site_id or invoice.account_id != cart.account_id:
        raise CartError(INVOICE_NOT_YOURS)
    if not cart.account.is_validated:
        raise CartError(ACCOUNT_PENDING)
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if not invoice.is_payable:
        raise CartError(INVOICE_NOT_PAYABLE)
    _cart_drop_unpayable(cart)
    if CartItem.objects.filter(cart=cart, invoice=invoice).exists():
        raise CartError(CART_REFUSED)
    if cart.regie_id is not None and cart.regie_id != invoice.regie_id:
        raise CartError(CART_REFUSED)
    try:
        with transaction.atomic():
            item = CartItem.objects.create(cart=cart, invoice=invoice)
    except IntegrityError:
        raise CartError(CART_REFUSED) from None
    if cart.regie_id != invoice.regie_id:
        cart.regie_id = invoice.regie_id
    cart.save(update_fields=["regie", "updated_at"])
    return item


@transaction.atomic
def cart_remove_invoice(*, cart: Cart, invoice: Invoice) -> None:
    cart = Cart.objects.select_for_update().get(pk=cart.pk)
    CartItem.objects.filter(cart=cart, invoice=invoice).delete()
    _cart_drop_unpayable(cart)


@transaction.atomic
def cart_refresh(*, cart: Cart) -> list[Invoice]:
    """Take out of the cart the invoices paid or cancelled meanwhile (paid
    at the town hall, or through another payment); returns them."""
    cart = Cart.objects.select_for_update().get(pk=cart.pk)
    return _cart_drop_unpayable(cart)


# --- Starting a payment -------------------------------------------------------


@dataclass
class PaymentURLs:
    """Where the bank sends the citizen back and notifies us, as absolute
    URLs on the commune's own address (``base_url``, e.g. its root URL)."""

    base_url: str

    def return_url(self, transaction: Transaction) -> str:
        return self.base_url + reverse("payments_bank:return", args=[transaction.public_id])

    def notification_url(self, regie: Regie) -> str:
        return self.base_url + reverse("payments_bank:notification", args=[regie.public_id])


def _new_order_id() -> str:
    day = timezone.localdate().strftime("%y%m%d")
    return "P" + day + "".join(secrets.choice(ORDER_ALPHABET) for _ in range(8))


def new_payment_key() -> str:
    return "".join(secrets.choice(KEY_ALPHABET) for _ in range(KEY_LENGTH))


def event_record(
    *, transaction=None, regie=None, source, outcome, message=None, result=None, detail=""
):
    """Keep a message received about a transaction, whatever its outcome."""
    return TransactionEvent.objects.create(
        transaction=transaction,
        regie=regie or (transaction.regie if transaction else None),
        source=source,
        outcome=outcome,
        remote_address=message.remote_address if message else None,
        payload=(message.raw if message else "")[:10_000],
        verified=bool(result and result.verified),
        reported_status=result.status if result else "",
        reported_amount=result.amount if result else None,
        detail=str(detail)[:2_000],
    )


def _resumable(pending: Transaction, *, invoices: list[Invoice], account, email: str) -> bool:
    """Whether a new "Pay" may go back to the bank's page of ``pending``:
    the same payer, the same invoices at the same amounts, a page the bank
    still shows and takes one payment on."""
    if pending.backend != pending.regie.backend:
        return False
    lifetime = pending.regie.plugin.payment_page_lifetime
    return (
        lifetime is not None
        and pending.status == TransactionStatus.WAITING
        and bool(pending.bank_url)
        and timezone.now() - pending.created_at < lifetime
        and pending.account_id == (account.pk if account else None)
        and pending.email.casefold() == email.casefold()
        and {line.invoice_id: line.amount for line in pending.lines.all()}
        == {invoice.pk: invoice.amount for invoice in invoices}
    )


def _transaction_create(
    *, regie: Regie, invoices: list[Invoice], account, email, payer_name
) -> tuple[Transaction, bool]:
    """Check that these invoices may be paid now and record the transaction
    (in the caller's atomic block, the invoices locked). An invoice has one
    payment under way at most: when one is, the same payer's is resumed
    (returned with ``True``), and anything else is refused."""
    plugin = regie.plugin
    if not regie.is_active:
        raise UnableToTakePayment(REGIE_CLOSED % {"regie": regie.name})
    if not plugin.available:
        raise UnableToTakePayment(BACKEND_OFF)
    if not email:
        raise UnableToTakePayment(EMAIL_REQUIRED)
    if any(not invoice.is_payable for invoice in invoices):
        raise UnableToTakePayment(INVOICE_NOT_PAYABLE)
    pending = open_transaction_of(invoices=invoices)
    if pending is not None:
        if _resumable(pending, invoices=invoices, account=account, email=email):
            return pending, True
        raise PaymentUnderWay(PAYMENT_UNDER_WAY, transaction=pending)
    amount = sum((invoice.amount for invoice in invoices), Decimal("0"))
    if amount < plugin.minimal_amount:
        raise UnableToTakePayment(AMOUNT_TOO_LOW % {"amount": _money(plugin.minimal_amount)})
    if plugin.maximal_amount is not None and amount > plugin.maximal_amount:
        raise UnableToTakePayment(AMOUNT_TOO_HIGH % {"amount": _money(plugin.maximal_amount)})
    for attempt in range(5):
        try:
            with transaction.atomic():
                created = Transaction.objects.create(
                    site_id=regie.site_id,
                    regie=regie,
                    account=account,
                    order_id=_new_order_id(),
                    email=email,
                    payer_name=payer_name[:150],
                    amount=amount,
                    backend=regie.backend,
                    test_mode=plugin.is_test_mode(regie.backend_options),
                )
            break
        except IntegrityError:
            if attempt == 4:
                raise
    TransactionLine.objects.bulk_create(
        [TransactionLine(transaction=created, invoice=i, amount=i.amount) for i in invoices]
    )
    return created, False


def _reopenable_url(plugin: BasePlugin, redirect: BankRedirect) -> str:
    """The bank's page kept for a second "Pay": a plain link, of a bank
    whose page takes one payment only."""
    is_link = redirect.method == "GET" and not redirect.fields
    max_length = Transaction._meta.get_field("bank_url").max_length
    if plugin.payment_page_lifetime is None or not is_link or len(redirect.url) > max_length:
        return ""
    return redirect.url


def _transaction_begin(created: Transaction, invoices: list[Invoice], urls: PaymentURLs):
    """Ask the backend for its payment page, outside any lock: the bank may
    take its time."""
    regie = created.regie
    numbers = ", ".join(invoice.number for invoice in invoices)
    request = PaymentRequest(
        order_id=created.order_id,
        amount=created.amount,
        email=created.email,
        subject=str(_("Invoices %(numbers)s") % {"numbers": numbers})[:200],
        return_url=urls.return_url(created),
        notification_url=urls.notification_url(regie),
        regie_public_id=str(regie.public_id),
        year=max(invoice.issued_on.year for invoice in invoices),
    )
    try:
        start = regie.plugin.start_payment(options=regie.backend_options, request=request)
    except GatewayError as error:
        with transaction.atomic():
            Transaction.objects.filter(pk=created.pk).update(
                status=TransactionStatus.ERROR, updated_at=timezone.now()
            )
            event_record(
                transaction=created,
                source=EventSource.START,
                outcome=EventOutcome.ERROR,
                detail=repr(error.__cause__ or error),
            )
        raise
    with transaction.atomic():
        started = Transaction.objects.filter(
            pk=created.pk, status=TransactionStatus.CREATED
        ).update(
            status=TransactionStatus.WAITING,
            bank_order_id=start.bank_order_id[:100],
            bank_url=_reopenable_url(regie.plugin, start.redirect),
            updated_at=timezone.now(),
        )
        event_record(
            transaction=created,
            source=EventSource.START,
            outcome=EventOutcome.APPLIED if started else EventOutcome.ERROR,
            detail=start.redirect.url if started else "started after it was given up",
        )
    if not started:
        # Given up meanwhile (``START_TIMEOUT``): another payment may be under
        # way, so the citizen is not sent to this one's page.
        raise GatewayError(BACKEND_UNAVAILABLE)
    created.refresh_from_db()
    return created, start.redirect


def _settled(pending: Transaction) -> bool:
    """Whether a payment in the way of a new one has ended, once its bank has
    been asked (when it can be): it may have been refused, cancelled or
    abandoned meanwhile. A start that never finished is given up."""
    if pending.status == TransactionStatus.CREATED:
        if timezone.now() - pending.created_at < START_TIMEOUT:
            return False
        with transaction.atomic():
            given_up = Transaction.objects.filter(
                pk=pending.pk, status=TransactionStatus.CREATED
            ).update(status=TransactionStatus.ERROR, updated_at=timezone.now())
            if given_up:
                event_record(
                    transaction=pending,
                    source=EventSource.START,
                    outcome=EventOutcome.ERROR,
                    detail="the start never finished",
                )
        return True
    if not pending.regie.plugin.can_check_status:
        return False
    with contextlib.suppress(GatewayError):
        pending, _outcome = transaction_check_status(transaction_=pending)
    return not pending.is_open


def _start(lock_and_record, urls: PaymentURLs):
    """Record the transaction (``lock_and_record`` returns it, its invoices,
    and whether it is resumed), then send the citizen to its bank's page.
    When another payment of the invoices is in the way, or is to be resumed,
    its bank is first asked where it stands (it may have been paid,
    refused or cancelled meanwhile), and the payment tried once more."""
    try:
        created, invoices, resumed = lock_and_record()
    except PaymentUnderWay as refusal:
        if not _settled(refusal.transaction):
            raise
        created, invoices, resumed = lock_and_record()
    else:
        if resumed and _settled(created):
            created, invoices, resumed = lock_and_record()
    if resumed:
        return created, BankRedirect(url=created.bank_url)
    return _transaction_begin(created, invoices, urls)


def transaction_start_from_cart(*, cart: Cart, urls: PaymentURLs):
    """Start paying the cart's invoices, or go back to the bank's page of
    the payment of them already under way; returns the transaction and
    where to send the citizen (``BankRedirect``)."""

    def lock_and_record():
        with transaction.atomic():
            locked = (
                Cart.objects.select_for_update(of=("self",))
                .select_related("account", "regie")
                .get(pk=cart.pk)
            )
            _cart_drop_unpayable(locked)
            invoices = list(
                Invoice.objects.select_for_update()
                .filter(pk__in=CartItem.objects.filter(cart=locked).values("invoice_id"))
                .order_by("issued_on", "pk")
            )
            if not invoices:
                raise CartError(CART_EMPTY)
            if not locked.account.is_validated:
                raise CartError(ACCOUNT_PENDING)
            account = locked.account
            created, resumed = _transaction_create(
                regie=invoices[0].regie,
                invoices=invoices,
                account=account,
                email=account.email,
                payer_name=account.get_full_name(),
            )
        return created, invoices, resumed

    return _start(lock_and_record, urls)


def transaction_start_for_invoice(*, invoice: Invoice, email: str, urls: PaymentURLs, account=None):
    """Start paying one invoice, or go back to the bank's page of the
    payment of it already under way with the same e-mail address (and
    account). Without ``account``, the invoice was found by its number and
    key; with it, its household pays it from another page than the cart
    (the fee of an online procedure...), and the payment is the account's."""

    def lock_and_record():
        with transaction.atomic():
            locked = Invoice.objects.select_for_update().select_related("regie").get(pk=invoice.pk)
            if account is not None and locked.account_id != account.pk:
                raise UnableToTakePayment(INVOICE_NOT_YOURS)
            created, resumed = _transaction_create(
                regie=locked.regie,
                invoices=[locked],
                account=account,
                email=email.strip(),
                payer_name=(account and account.get_full_name()) or locked.payer_name,
            )
        return created, [locked], resumed

    return _start(lock_and_record, urls)


# --- The bank's answers ---------------------------------------------------------


def _judge(transaction_: Transaction | None, result: PaymentResult) -> tuple[str, str]:
    """Whether a verified result may change the transaction, and why not."""
    if transaction_ is None:
        return EventOutcome.UNKNOWN_ORDER, "no transaction of this régie has this operation"
    if result.bank_order_id and result.bank_order_id != transaction_.bank_order_id:
        return EventOutcome.UNKNOWN_ORDER, "the message is about another operation"
    if result.order_id and result.order_id != transaction_.order_id:
        return EventOutcome.UNKNOWN_ORDER, f"order {result.order_id} is not {transaction_.order_id}"
    mode_known = result.test is not None or result.status != TransactionStatus.PAID
    if not mode_known or (result.test is not None and result.test != transaction_.test_mode):
        return (
            EventOutcome.MODE_MISMATCH,
            f"test={result.test}, transaction test={transaction_.test_mode}",
        )
    if result.status == TransactionStatus.PAID:
        if result.amount is None or result.amount != transaction_.amount:
            return EventOutcome.AMOUNT_MISMATCH, f"{result.amount} paid for {transaction_.amount}"
        if transaction_.status == TransactionStatus.PAID:
            return EventOutcome.DUPLICATE, ""
        return EventOutcome.APPLIED, ""
    if transaction_.status == TransactionStatus.PAID:
        return EventOutcome.UNCHANGED, f"already paid; the bank now says {result.status}"
    if result.status == transaction_.status:
        return EventOutcome.DUPLICATE, ""
    if (
        result.status == TransactionStatus.WAITING
        and transaction_.status != TransactionStatus.CREATED
    ):
        return EventOutcome.UNCHANGED, ""
    return EventOutcome.APPLIED, ""


def _mark_paid(transaction_: Transaction, result: PaymentResult) -> bool:
    """Credit the transaction's invoices, once; False when another request
    did it first."""
    now = timezone.now()
    updated = (
        Transaction.objects.filter(pk=transaction_.pk)
        .exclude(status=TransactionStatus.PAID)
        .update(
            status=TransactionStatus.PAID,
            paid_at=now,
            bank_transaction_id=result.bank_transaction_id[:200],
            bank_status=result.bank_status[:255],
            updated_at=now,
        )
    )
    if not updated:
        return False
    anomalies = []
    credited = []
    for line in TransactionLine.objects.select_for_update().filter(transaction=transaction_):
        paid = Invoice.objects.filter(pk=line.invoice_id, status=InvoiceStatus.TO_PAY).update(
            status=InvoiceStatus.PAID_ONLINE, paid_at=now, updated_at=now
        )
        if paid:
            TransactionLine.objects.filter(pk=line.pk).update(credited=True)
            credited.append(line.invoice_id)
        else:
            invoice = Invoice.objects.get(pk=line.invoice_id)
            anomalies.append(
                str(
                    _("Invoice %(number)s was no longer to pay (%(status)s): %(amount)s to refund.")
                    % {
                        "number": invoice.number,
                        "status": invoice.get_status_display(),
                        "amount": _money(line.amount),
                    }
                )
            )
    if anomalies:
        Transaction.objects.filter(pk=transaction_.pk).update(anomaly="\n".join(anomalies))
    for cart in Cart.objects.filter(items__invoice__in=credited).distinct():
        cart = Cart.objects.select_for_update().get(pk=cart.pk)
        CartItem.objects.filter(cart=cart, invoice__in=credited).delete()
        _cart_drop_unpayable(cart)
    from .tasks import send_payment_receipt

    transaction.on_commit(lambda: send_payment_receipt.enqueue(transaction_id=transaction_.pk))
    if credited:
        transaction.on_commit(
            lambda: invoice_paid_send(
                sender=Invoice, invoice_ids=credited, transaction_id=transaction_.pk
            )
        )
    return True


def transaction_record_result(
    *,
    regie: Regie,
    result: PaymentResult | None,
    source: str,
    message: IncomingMessage | None = None,
    transaction_: Transaction | None = None,
) -> tuple[Transaction | None, str]:
    """Apply what the bank says, after checking it: verified by the backend,
    about an operation of this régie (and of ``transaction_`` when given), in
    the same test or production mode, and for the exact amount when paid.
    Every message is recorded, whatever its outcome. Returns the transaction
    concerned, if any, and the outcome (``EventOutcome``)."""
    with transaction.atomic():
        target = None
        if transaction_ is not None:
            target = Transaction.objects.select_for_update().get(pk=transaction_.pk)
        elif result is not None and result.bank_order_id:
            target = (
                Transaction.objects.select_for_update()
                .filter(regie=regie, bank_order_id=result.bank_order_id)
                .first()
            )
        if result is None:
            outcome, detail = EventOutcome.UNCHANGED, "nothing to verify"
        elif not result.verified:
            outcome, detail = EventOutcome.UNVERIFIED, result.bank_status
        else:
            outcome, detail = _judge(target, result)
        if outcome == EventOutcome.APPLIED:
            if result.status == TransactionStatus.PAID:
                if not _mark_paid(target, result):
                    outcome = EventOutcome.DUPLICATE
            else:
                Transaction.objects.filter(pk=target.pk, status__in=_replaceable(result)).update(
                    status=result.status,
                    bank_status=result.bank_status[:255],
                    updated_at=timezone.now(),
                )
        elif outcome == EventOutcome.AMOUNT_MISMATCH and target is not None:
            Transaction.objects.filter(pk=target.pk).update(
                anomaly=str(
                    _("The bank reports %(paid)s paid for %(amount)s: check with the bank.")
                    % {"paid": _money(result.amount or 0), "amount": _money(target.amount)}
                )
            )
        event_record(
            transaction=target,
            regie=regie,
            source=source,
            outcome=outcome,
            message=message,
            result=result,
            detail=detail,
        )
    if target is not None:
        target.refresh_from_db()
    return target, outcome


def _replaceable(result: PaymentResult) -> list[str]:
    """Statuses that a verified non-paid result may replace: never PAID."""
    return [status for status in TransactionStatus.values if status != TransactionStatus.PAID]


def transaction_check_status(*, transaction_: Transaction) -> tuple[Transaction, str]:
    """Ask the bank where a transaction stands and apply its answer."""
    regie = transaction_.regie
    plugin = regie.plugin
    result = plugin.payment_status(options=regie.backend_options, transaction=transaction_)
    if result is None:
        if timezone.now() - transaction_.created_at < GIVE_UP_AFTER:
            return transaction_, EventOutcome.UNCHANGED
        result = PaymentResult(
            bank_order_id=transaction_.bank_order_id,
            status=TransactionStatus.EXPIRED,
            verified=True,
            test=transaction_.test_mode,
            bank_status="no answer from the bank",
        )
    updated, outcome = transaction_record_result(
        regie=regie, result=result, source=EventSource.STATUS_CHECK, transaction_=transaction_
    )
    return updated, outcome


def transactions_reconcile(*, min_age: timedelta = timedelta(minutes=15)) -> dict[str, list[str]]:
    """Resolve transactions whose notification never came: ask each bank
    that can be asked (``payment_status``); give up on the others after
    ``GIVE_UP_AFTER``. Returns the order numbers by resulting status."""
    report: dict[str, list[str]] = defaultdict(list)
    for pending in transactions_to_reconcile(older_than=min_age):
        try:
            updated, _outcome = transaction_check_status(transaction_=pending)
        except GatewayError:
            logger.warning("Could not ask the bank about %s", pending.order_id)
            report["unreachable"].append(pending.order_id)
            continue
        report[updated.status].append(updated.order_id)
    return dict(report)


# --- Invoices -------------------------------------------------------------------


@transaction.atomic
def invoice_issue(
    *,
    regie: Regie,
    account,
    payer_name: str,
    number: str,
    label: str,
    amount: Decimal,
    domain: str = InvoiceDomain.DEMARCHE,
    due_on=None,
) -> Invoice:
    """Issue an invoice today in the régie's commune, with a new payment key:
    the portal's own invoices (the fee of an online procedure...), where the
    others come from the billing software (``invoices_import``)."""
    amount = Decimal(amount)
    if amount <= 0:
        raise ValueError(str(AMOUNT_NOT_POSITIVE))
    return Invoice.objects.create(
        site_id=regie.site_id,
        regie=regie,
        account=account,
        payer_name=payer_name[:150],
        number=number,
        label=label[:200],
        amount=amount,
        domain=domain,
        issued_on=timezone.localdate(),
        due_on=due_on,
        payment_key=new_payment_key(),
    )


@transaction.atomic
def invoice_cancel(*, invoice: Invoice, reason: str, author=None) -> Invoice:
    """Cancel an invoice still to pay, saying why, and take it out of the
    cart holding it. Refused while a payment of it is under way at the
    bank: an amount being paid cannot be cancelled."""
    reason = reason.strip()
    if not reason:
        raise InvoiceChangeRefused(CANCEL_REASON_REQUIRED)
    # The carts first, then the invoice: the order in which the cart's
    # functions lock them.
    carts = list(
        Cart.objects.select_for_update().filter(
            pk__in=CartItem.objects.filter(invoice=invoice).values("cart_id")
        )
    )
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if not invoice.is_payable:
        raise InvoiceChangeRefused(CANCEL_NOT_TO_PAY)
    if open_transaction_of(invoices=[invoice]) is not None:
        raise InvoiceChangeRefused(CANCEL_PAYMENT_UNDER_WAY)
    invoice.status = InvoiceStatus.CANCELLED
    invoice.cancel_reason = reason
    invoice.save(update_fields=["status", "cancel_reason", "updated_at"])
    for cart in carts:
        CartItem.objects.filter(cart=cart, invoice=invoice).delete()
        _cart_drop_unpayable(cart)
    audit(
        invoice,
        "payments.invoice_cancel",
        user=author,
        data={"number": invoice.number, "amount": str(invoice.amount), "reason": reason},
    )
    return invoice


@transaction.atomic
def invoice_refund_due(*, invoice: Invoice, reason: str) -> Invoice:
    """Say that the money of a paid invoice must be given back (a paid
    request the town hall refused...). Once: asked again, the invoice keeps
    its first date and reason. An invoice not paid has nothing to refund and
    is returned unchanged."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.status not in PAID_STATUSES or invoice.refund_due_since is not None:
        return invoice
    invoice.refund_due_since = timezone.now()
    invoice.refund_reason = reason.strip()
    invoice.save(update_fields=["refund_due_since", "refund_reason", "updated_at"])
    return invoice


@transaction.atomic
def invoice_refund_record(*, invoice: Invoice, author) -> Invoice:
    """Record that the town hall gave the money of the invoice back: only
    a refund due and not recorded yet."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if not invoice.refund_pending:
        raise InvoiceChangeRefused(REFUND_NOT_DUE)
    invoice.refunded_at = timezone.now()
    invoice.refunded_by = author
    invoice.save(update_fields=["refunded_at", "refunded_by", "updated_at"])
    audit(
        invoice,
        "payments.invoice_refund",
        user=author,
        data={
            "number": invoice.number,
            "amount": str(invoice.amount),
            "reason": invoice.refund_reason,
        },
    )
    return invoice


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return _(
            "Invoices created: %(created)d, updated: %(updated)d, unchanged: %(unchanged)d."
        ) % {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
        }


UPDATABLE = ("account", "payer_name", "domain", "label", "amount", "issued_on", "due_on")


@transaction.atomic
def invoices_import(
    *,
    regie: Regie,
    records: list[tuple[int, dict]],
    pdfs: dict[str, bytes] | None = None,
    author=None,
) -> ImportReport:
    """Create or update the régie's invoices from the billing software's
    records (``(line, fields)``, see ``payments.importer``), identified by their
    number: importing the same records again changes nothing. All or nothing:
    when a record is wrong, ``InvoiceImportError`` lists every wrong one by
    line and reason, and nothing is saved. An invoice paid online keeps its
    payment. ``pdfs`` gives invoices their PDF, by invoice number. Each
    import is written to the commune's log, with the staff member who
    imported the file (``author``; none for the billing software's push)."""
    pdfs = pdfs or {}
    numbers = [str(fields.get("number", "")).strip() for _line, fields in records]
    numbers = [number for number in numbers if "\x00" not in number]  # refused by the checks
    existing = {
        invoice.number: invoice
        for invoice in Invoice.objects.select_for_update().filter(regie=regie, number__in=numbers)
    }
    rows = check_records(regie=regie, records=records, existing=existing)
    check_pdfs(rows=rows, records=records, pdfs=pdfs)
    report = ImportReport()
    for row in rows:
        invoice = existing.get(row.number)
        if invoice is None:
            invoice = Invoice.objects.create(
                site_id=regie.site_id,
                regie=regie,
                number=row.number,
                status=row.status,
                paid_at=row.paid_at,
                payment_key=row.payment_key or new_payment_key(),
                **{name: getattr(row, name) for name in UPDATABLE},
            )
            if row.number in pdfs:
                invoice.pdf.save(f"{row.number}.pdf", ContentFile(pdfs[row.number]))
            report.created.append(row.number)
            continue
        changes = {
            name: getattr(row, name)
            for name in UPDATABLE
            if getattr(invoice, name) != getattr(row, name)
        }
        if invoice.status != InvoiceStatus.PAID_ONLINE and row.status != invoice.status:
            changes["status"] = row.status
            changes["paid_at"] = row.paid_at
        if row.payment_key and row.payment_key != invoice.payment_key:
            changes["payment_key"] = row.payment_key
        new_pdf = row.number in pdfs and _pdf_differs(invoice, pdfs[row.number])
        if not changes and not new_pdf:
            report.unchanged.append(row.number)
            continue
        for name, value in changes.items():
            setattr(invoice, name, value)
        if new_pdf:
            replaced = copy.copy(invoice.pdf)
            invoice.pdf.save(f"{row.number}.pdf", ContentFile(pdfs[row.number]), save=False)
            file_delete_on_commit(replaced)
        invoice.save()
        report.updated.append(row.number)
    audit(
        regie,
        "payments.invoices_import",
        user=author,
        data={
            "created": len(report.created),
            "updated": len(report.updated),
            "unchanged": len(report.unchanged),
        },
    )
    return report


def _pdf_differs(invoice: Invoice, data: bytes) -> bool:
    if not invoice.pdf:
        return True
    try:
        with invoice.pdf.open("rb") as current:
            return current.read() != data
    except OSError:
        return True


def regie_token_create(*, regie: Regie) -> str:
    """A new token for the régie's invoice push; the previous one stops
    working. Only its hash is kept: the token is shown once."""
    token = secrets.token_urlsafe(32)
    Regie.objects.filter(pk=regie.pk).update(
        api_token_hash=token_hash(token), api_token_created_at=timezone.now()
    )
    regie.refresh_from_db()
    return token


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


TEST_REGIE_NAME = "Régie de test (banque de test)"


def testbank_regie_install(site, choice) -> list[str]:
    """Give a new commune a régie on the local test bank, whose payments are
    always test payments that move no money: staff try the payment of an
    invoice or a démarche before the commune configures its real régies."""
    _regie, created = Regie.objects.get_or_create(
        site=site, name=TEST_REGIE_NAME, defaults={"backend": "testbank", "backend_options": {}}
    )
    return [f"régie {TEST_REGIE_NAME}"] if created else []
