"""Reads of the démarches' prices and of the amounts requests ask for."""

from django.db.models import Exists, OuterRef, QuerySet

from payments.models import OPEN_STATUSES, InvoiceStatus, Transaction, TransactionLine

from .models import DemarcheFee, RequestPayment

TO_PAY, PAID = "to_pay", "paid"


def fees_of(*, sites) -> QuerySet[DemarcheFee]:
    return DemarcheFee.objects.filter(site__in=sites)


def payments_of(submission) -> list[RequestPayment]:
    return list(
        RequestPayment.objects.filter(submission=submission)
        .select_related("invoice", "invoice__regie")
        .order_by("created_at", "pk")
    )


def payment_of(*, submission, pk) -> RequestPayment | None:
    return (
        RequestPayment.objects.filter(submission=submission, pk=pk)
        .select_related("invoice", "invoice__regie")
        .first()
    )


def attempts_of(invoice) -> list[Transaction]:
    """The payments of an invoice tried at the bank, the latest first."""
    return list(
        Transaction.objects.filter(
            pk__in=TransactionLine.objects.filter(invoice=invoice).values("transaction_id")
        ).order_by("-created_at", "-pk")
    )


def paying_transaction(invoice) -> Transaction | None:
    """The payment that credited the invoice, for its receipt."""
    line = (
        TransactionLine.objects.filter(invoice=invoice, credited=True)
        .select_related("transaction")
        .first()
    )
    return line.transaction if line else None


def is_being_paid(invoice) -> bool:
    return Transaction.objects.filter(lines__invoice=invoice, status__in=OPEN_STATUSES).exists()


def requests_by_payment(queryset, value: str):
    """The requests of the queue's payment filter: with an amount to pay, or paid."""
    statuses = {
        TO_PAY: [InvoiceStatus.TO_PAY],
        PAID: [InvoiceStatus.PAID_ONLINE, InvoiceStatus.PAID_ELSEWHERE],
    }.get(value)
    if statuses is None:
        return queryset
    return queryset.filter(
        Exists(
            RequestPayment.objects.filter(submission=OuterRef("pk"), invoice__status__in=statuses)
        )
    )
