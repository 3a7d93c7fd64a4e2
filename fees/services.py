"""Writes of the démarches' prices: the amount of a request at its sending
or when its workflow asks, what happens once it is paid, cancelled or to
refund. Every change runs in one transaction with the rows locked, and a
payment moves its request on once, however many times the bank tells it."""

import logging
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cms.money import money
from payments.models import Invoice, InvoiceStatus
from payments.selectors import open_transaction_of
from payments.services import invoice_cancel, invoice_issue, invoice_refund_due
from services.extensions import Quote, QuoteLine
from services.models import StatusChange, Submission
from services.routing import input_blocks
from services.services import (
    submission_abandon_unpaid,
    submission_release,
    submission_status_set,
)
from services.statuses import AWAITING_PAYMENT, StatusColour, StatusGroup

from .models import DemarcheFee, PaymentTime, RequestPayment, RequestPaymentKind
from .pricing import quote_of

logger = logging.getLogger("fees")

CANCEL_REASON_REQUIRED = gettext_lazy("Write why the amount is cancelled.")
NOT_TO_PAY = gettext_lazy("This amount is no longer to pay.")


class FeeError(Exception):
    pass


def fee_of(page) -> DemarcheFee | None:
    """The price of a démarche (whichever of its translations), if it has one."""
    if page is None:
        return None
    fee = DemarcheFee.objects.select_related("regie").filter(page_id=page.pk).first()
    if fee is None and getattr(page, "translation_key", None):
        fee = (
            DemarcheFee.objects.select_related("regie")
            .filter(page__translation_key=page.translation_key)
            .first()
        )
    return fee


def quote_for(page, answers: dict, *, steps=None) -> Quote | None:
    """The price of these answers to the démarche ``page``, from its price
    lines and the form's fields (``steps``: those of the request's version
    of the form, by default the page's)."""
    fee = fee_of(page)
    if fee is None:
        return None
    blocks = input_blocks(steps if steps is not None else page.specific.steps)
    return quote_of(fee.raw_lines, answers, blocks, when=fee.when)


def _lines_data(lines) -> list[dict]:
    return [
        {
            "label": line.label,
            "quantity": str(line.quantity),
            "unit": str(line.unit),
            "amount": str(line.amount),
        }
        for line in lines
    ]


def _invoice_create(*, submission: Submission, fee: DemarcheFee, amount: Decimal) -> Invoice:
    number = f"{submission.reference}-P{submission.payments.count() + 1}"
    return invoice_issue(
        regie=fee.regie,
        account=submission.account,
        payer_name=submission.requester_name,
        number=number,
        label=f"{fee.label} – {submission.reference}"[:200],
        amount=amount,
        due_on=timezone.localdate() + timedelta(days=fee.pay_within_days)
        if fee.when == PaymentTime.SUBMISSION
        else None,
    )


def request_sending(submission: Submission) -> bool:
    """At the sending of a request (in its transaction): when its démarche
    is paid at sending and its price is not nil, the amount to pay, and the
    request held until paid."""
    fee = fee_of(submission.page)
    if fee is None or fee.when != PaymentTime.SUBMISSION:
        return False
    quote = quote_for(submission.page, submission.data, steps=submission.steps)
    if quote is None or quote.total <= 0:
        return False
    RequestPayment.objects.create(
        submission=submission,
        invoice=_invoice_create(submission=submission, fee=fee, amount=quote.total),
        kind=RequestPaymentKind.SUBMISSION,
        lines=_lines_data(quote.lines),
    )
    return True


def payment_request(submission: Submission, change: StatusChange, config: dict) -> str | None:
    """The workflow's "Ask for a payment" (``services.actions.payment``): the
    démarche's price, or the amount the agent typed, to pay; the citizen is
    told how. Once paid, the request goes to ``config["paid_to"]``."""
    from services.actions.payment import TYPED
    from services.tasks import status_email_send

    fee = fee_of(submission.page)
    if fee is None:
        return None
    if config.get("amount") == TYPED:
        if change.amount is None or change.amount <= 0:
            transaction.on_commit(lambda: status_email_send(change))
            return _("No payment was asked: the agent typed no amount.")
        lines = (QuoteLine(label=change.amount_reason, quantity=Decimal("1"), unit=change.amount),)
    else:
        quote = quote_for(submission.page, submission.data, steps=submission.steps)
        lines = quote.lines if quote is not None else ()
    total = sum((line.amount for line in lines), Decimal("0"))
    paid_to = (config.get("paid_to") or "").strip()
    if total <= 0:
        if paid_to in submission.definition.keys:
            transaction.on_commit(
                lambda: _move_on_nothing_to_pay(submission.pk, change.pk, paid_to)
            )
        else:
            transaction.on_commit(lambda: status_email_send(change))
        return _("Nothing to pay: the price of this request is nil.")
    payment = RequestPayment.objects.create(
        submission=submission,
        invoice=_invoice_create(submission=submission, fee=fee, amount=total),
        kind=RequestPaymentKind.REQUEST,
        lines=_lines_data(lines),
        reason=change.amount_reason[:200],
        status_change=change,
        paid_to=paid_to,
    )
    notice = _("%(amount)s to pay for your request: pay it online from your request's page.") % {
        "amount": money(total)
    }
    transaction.on_commit(lambda: status_email_send(change, notice=notice))
    return _("Payment of %(amount)s asked (invoice %(number)s).") % {
        "amount": money(total),
        "number": payment.invoice.number,
    }


def _move_on_nothing_to_pay(submission_id: int, change_id: int, paid_to: str) -> None:
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission_id)
        if submission.history.order_by("-created_at", "-pk").first().pk != change_id:
            return
        submission_status_set(
            submission=submission, status=paid_to, automatic=True, tell_citizen=True
        )


@transaction.atomic
def payment_settle(*, payment: RequestPayment) -> bool:
    """Move on the request of a paid amount, once: a request paid at
    sending reaches the town hall; one asked for a payment goes to the
    status configured, if it is still where the payment was asked."""
    settled = RequestPayment.objects.filter(pk=payment.pk, settled_at__isnull=True).update(
        settled_at=timezone.now()
    )
    if not settled:
        return False
    payment = RequestPayment.objects.select_related("submission").get(pk=payment.pk)
    submission = Submission.objects.select_for_update().get(pk=payment.submission_id)
    if payment.kind == RequestPaymentKind.SUBMISSION:
        submission_release(submission=submission)
        return True
    latest = submission.history.order_by("-created_at", "-pk").first()
    still_there = latest is not None and latest.pk == payment.status_change_id
    if still_there and payment.paid_to in submission.definition.keys:
        submission_status_set(
            submission=submission, status=payment.paid_to, automatic=True, tell_citizen=True
        )
    return True


def invoices_paid(invoice_ids: list[int]) -> int:
    """Move on the requests of the invoices just paid; returns how many."""
    moved = 0
    for payment in RequestPayment.objects.filter(
        invoice_id__in=invoice_ids, settled_at__isnull=True
    ):
        if payment_settle(payment=payment):
            moved += 1
    return moved


@transaction.atomic
def payment_cancel(*, payment: RequestPayment, reason: str, author) -> RequestPayment:
    """An agent cancels an amount not paid, with its reason (kept on the
    invoice, shown to the citizen). A request held until paid at sending
    then reaches the town hall without paying."""
    reason = reason.strip()
    if not reason:
        raise FeeError(CANCEL_REASON_REQUIRED)
    payment = RequestPayment.objects.select_for_update().get(pk=payment.pk)
    if payment.invoice.status != InvoiceStatus.TO_PAY or payment.settled_at is not None:
        raise FeeError(NOT_TO_PAY)
    invoice_cancel(invoice=payment.invoice, reason=reason, author=author)
    payment.settled_at = timezone.now()
    payment.save(update_fields=["settled_at"])
    if payment.kind == RequestPaymentKind.SUBMISSION:
        submission_release(submission=payment.submission)
    return payment


def request_closed(submission: Submission) -> None:
    """A request that became final: its amounts still to pay are cancelled;
    those paid for a request refused (a final status in red) are to refund."""
    info = submission.status_info
    if info.group != StatusGroup.FINAL:
        return
    for payment in RequestPayment.objects.filter(submission=submission).select_related("invoice"):
        invoice = payment.invoice
        if invoice.status == InvoiceStatus.TO_PAY:
            if open_transaction_of(invoices=[invoice]) is not None:
                continue
            with transaction.atomic():
                invoice_cancel(
                    invoice=invoice,
                    reason=_("Request %(reference)s closed: “%(status)s”.")
                    % {"reference": submission.reference, "status": info.label},
                )
                RequestPayment.objects.filter(pk=payment.pk, settled_at__isnull=True).update(
                    settled_at=timezone.now()
                )
        elif info.colour == StatusColour.RED and invoice.status in (
            InvoiceStatus.PAID_ONLINE,
            InvoiceStatus.PAID_ELSEWHERE,
        ):
            invoice_refund_due(
                invoice=invoice,
                reason=_("Request %(reference)s refused after payment.")
                % {"reference": submission.reference},
            )


def unpaid_requests(*, now=None):
    """The payments at sending whose delay has run out, their request still waiting."""
    now = now or timezone.now()
    for payment in (
        RequestPayment.objects.filter(
            kind=RequestPaymentKind.SUBMISSION,
            settled_at__isnull=True,
            invoice__status=InvoiceStatus.TO_PAY,
            submission__status=AWAITING_PAYMENT.value,
        )
        .select_related("submission", "invoice")
        .order_by("pk")
    ):
        fee = fee_of(payment.submission.page)
        days = fee.pay_within_days if fee is not None else 3
        if payment.created_at + timedelta(days=days) <= now:
            yield payment


def unpaid_requests_abandon(*, now=None) -> list[str]:
    """Abandon the requests not paid in time (their answers kept, their
    invoice cancelled); a payment under way at the bank is waited for.
    Returns their numbers."""
    abandoned = []
    for payment in list(unpaid_requests(now=now)):
        if open_transaction_of(invoices=[payment.invoice]) is not None:
            continue
        message = _(
            "Your request was not paid within the time allowed: it was abandoned. "
            "Its answers are kept; you may make a new request."
        )
        if submission_abandon_unpaid(submission=payment.submission, message=message):
            abandoned.append(payment.submission.reference)
    return abandoned
