"""Reads of the démarches' prices and of the amounts requests ask for."""

from django.db.models import DecimalField, Exists, OuterRef, Subquery, Sum

from payments.models import InvoiceStatus, Transaction, TransactionLine

from .models import RequestPayment

TO_PAY, PAID = "to_pay", "paid"


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


def _amounts(statuses) -> Subquery:
    total = (
        RequestPayment.objects.filter(submission=OuterRef("pk"), invoice__status__in=statuses)
        .order_by()
        .values("submission")
        .annotate(total=Sum("invoice__amount"))
        .values("total")
    )
    return Subquery(total, output_field=DecimalField(max_digits=10, decimal_places=2))


def payment_annotations() -> dict:
    """What the queue reads of each request's amounts, in its own query: the
    total still to pay and the total paid."""
    return {
        "amount_to_pay": _amounts([InvoiceStatus.TO_PAY]),
        "amount_paid": _amounts([InvoiceStatus.PAID_ONLINE, InvoiceStatus.PAID_ELSEWHERE]),
    }


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
