"""Reads of régies, invoices, carts and transactions, always within one
commune; anything of another commune or household is a 404."""

import calendar
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from cms.tenancy import SEE, communes_for

from .models import (
    OPEN_STATUSES,
    PAID_STATUSES,
    Cart,
    CartItem,
    Invoice,
    InvoiceStatus,
    LocalBankOperation,
    Regie,
    Transaction,
    TransactionEvent,
    TransactionLine,
    TransactionStatus,
)
from .policies import invoice_policy, regie_policy, transaction_policy

#: "Les factures émises durant les 3 derniers mois" (seed FAQ).
STATEMENT_MONTHS = 3


def months_before(day: date, months: int) -> date:
    """The same day ``months`` months earlier (or the month's last day)."""
    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def regies_visible_to(*, user, actions=SEE) -> QuerySet[Regie]:
    """The régies of the communes where the staff ``user`` holds one of ``actions``."""
    return regies_of(sites=communes_for(user, regie_policy, actions))


def invoices_visible_to(*, user, actions=SEE) -> QuerySet[Invoice]:
    """The invoices of the communes where the staff ``user`` holds one of
    ``actions``, within their reach there (``InvoicePermissionPolicy``)."""
    invoices = Invoice.objects.filter(site__in=communes_for(user, invoice_policy, actions))
    return invoice_policy.within_commune(user, invoices)


def transactions_visible_to(*, user, actions=SEE) -> QuerySet[Transaction]:
    """The transactions of the communes where the staff ``user`` holds one of
    ``actions``, within their reach there."""
    transactions = Transaction.objects.filter(
        site__in=communes_for(user, transaction_policy, actions)
    )
    return transaction_policy.within_commune(user, transactions)


def invoice_refunds_visible_to(*, user, actions=SEE) -> QuerySet[Invoice]:
    """The invoices whose refunds the staff ``user`` follows and records:
    those of the communes where they see the transactions and accounts,
    within their reach there."""
    invoices = Invoice.objects.filter(site__in=communes_for(user, transaction_policy, actions))
    return invoice_policy.within_commune(user, invoices)


def regies_of(*, sites) -> QuerySet[Regie]:
    return Regie.objects.filter(site__in=sites).select_related("site")


def regies_for_site(*, site) -> QuerySet[Regie]:
    return Regie.objects.filter(site=site)


def regie_for_notification(*, site, public_id) -> Regie:
    return get_object_or_404(Regie, site=site, public_id=public_id)


def _household_invoices(*, site, account) -> QuerySet[Invoice]:
    """Invoices are shown only once the town hall has validated the account."""
    if account.site_id != site.pk or not account.is_validated:
        return Invoice.objects.none()
    return Invoice.objects.filter(site=site, account=account).select_related("regie")


def invoices_to_pay(*, site, account) -> QuerySet[Invoice]:
    """ "Factures à payer", the oldest due first."""
    return (
        _household_invoices(site=site, account=account)
        .filter(status=InvoiceStatus.TO_PAY)
        .order_by("due_on", "issued_on", "pk")
    )


def statement(*, site, account, today: date | None = None) -> QuerySet[Invoice]:
    """ "Consulter votre relevé": the invoices issued in the last 3 months
    (as the FAQ says) that are paid, the latest paid first; each with the
    ``receipt_id`` of the payment receipt when ``account`` paid it online
    (a receipt is shown to its payer only)."""
    today = today or timezone.localdate()
    paid_online_by = TransactionLine.objects.filter(
        invoice=OuterRef("pk"), credited=True, transaction__account=account
    ).values("transaction__public_id")[:1]
    return (
        _household_invoices(site=site, account=account)
        .filter(status__in=PAID_STATUSES, issued_on__gte=months_before(today, STATEMENT_MONTHS))
        .annotate(receipt_id=Subquery(paid_online_by))
        .order_by("-paid_at", "-pk")
    )


def household_has_invoices(*, site, account) -> bool:
    return _household_invoices(site=site, account=account).exists()


def invoice_for_household(*, site, account, pk) -> Invoice:
    return get_object_or_404(_household_invoices(site=site, account=account), pk=pk)


def invoice_of_site(*, site, pk) -> Invoice | None:
    return Invoice.objects.filter(site=site, pk=pk).select_related("regie").first()


def testbank_operation_for(*, site, bank_order_id: str) -> LocalBankOperation:
    """An operation of the local test bank for a régie of the commune;
    anything else is a 404."""
    return get_object_or_404(
        LocalBankOperation.objects.select_related("regie"),
        bank_order_id=bank_order_id,
        regie__site=site,
    )


def invoice_by_number_and_key(*, site, number: str, key: str) -> Invoice | None:
    """The invoice of the commune with this number whose printed key is
    ``key`` (compared in constant time, whatever the case and spaces)."""
    number = number.strip()
    key = "".join(key.split()).upper()
    if not number or not key:
        return None
    for invoice in Invoice.objects.filter(site=site, number__iexact=number).select_related("regie"):
        if constant_time_compare(invoice.payment_key.upper(), key):
            return invoice
    return None


def cart_for(*, site, account) -> Cart | None:
    items = CartItem.objects.select_related("invoice", "invoice__regie")
    return (
        Cart.objects.filter(site=site, account=account)
        .select_related("regie")
        .prefetch_related(Prefetch("items", queryset=items))
        .first()
    )


def cart_summary(*, site, account) -> tuple[int, Decimal]:
    """How many invoices the household's cart holds, and their total."""
    summary = CartItem.objects.filter(cart__site=site, cart__account=account).aggregate(
        count=Count("pk"), total=Sum("invoice__amount")
    )
    return summary["count"], summary["total"] or Decimal("0")


def cart_invoice_ids(*, site, account) -> set[int]:
    return set(
        CartItem.objects.filter(cart__site=site, cart__account=account).values_list(
            "invoice_id", flat=True
        )
    )


def transaction_for_visitor(*, site, public_id, user) -> Transaction:
    """A transaction as its payer sees it: one paid from an account is shown
    to that account only; one paid without an account to whoever holds its
    unguessable address."""
    transaction = get_object_or_404(
        Transaction.objects.select_related("regie").prefetch_related(
            Prefetch("lines", queryset=TransactionLine.objects.select_related("invoice"))
        ),
        site=site,
        public_id=public_id,
    )
    if transaction.account_id is not None and (
        not user.is_authenticated or user.pk != transaction.account_id
    ):
        raise Http404
    return transaction


def transaction_by_public_id(*, site, public_id) -> Transaction:
    return get_object_or_404(
        Transaction.objects.select_related("regie"), site=site, public_id=public_id
    )


def transactions_to_reconcile(*, older_than: timedelta) -> QuerySet[Transaction]:
    """Transactions still waiting for the bank's answer after ``older_than``."""
    return (
        Transaction.objects.filter(
            status__in=OPEN_STATUSES, created_at__lte=timezone.now() - older_than
        )
        .select_related("regie")
        .order_by("created_at")
    )


def open_transaction_of(*, invoices) -> Transaction | None:
    """The payment still waiting for the bank's answer that holds any of
    these invoices, the latest if several (from before the rule of one)."""
    return (
        Transaction.objects.filter(status__in=OPEN_STATUSES, lines__invoice__in=invoices)
        .select_related("regie")
        .order_by("-created_at", "-pk")
        .first()
    )


def accounting_lines(*, regie: Regie, start: date, end: date) -> QuerySet[TransactionLine]:
    """The invoices credited by online payments of a régie paid between
    ``start`` and ``end`` (both included), in the order they were paid."""
    first = timezone.make_aware(datetime.combine(start, time()))
    last = timezone.make_aware(datetime.combine(end + timedelta(days=1), time()))
    return (
        TransactionLine.objects.filter(
            transaction__regie=regie,
            transaction__status=TransactionStatus.PAID,
            transaction__paid_at__gte=first,
            transaction__paid_at__lt=last,
        )
        .select_related("transaction", "invoice", "invoice__account")
        .order_by("transaction__paid_at", "transaction__pk", "pk")
    )


def events_of(*, transaction) -> QuerySet[TransactionEvent]:
    return transaction.events.all()
