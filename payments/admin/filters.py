"""The filters of the invoices and transactions listings."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy
from wagtail.admin.filters import DateRangePickerWidget

from cms.filters import PeriodFilter
from cms.scoped_admin import CommuneFilter, CommuneFilterSet, StatusFilter

from ..models import Invoice, InvoiceDomain, InvoiceStatus, Transaction, TransactionStatus
from ..policies import invoice_policy, transaction_policy
from ..selectors import regies_visible_to

REFUND_DUE, REFUNDED = "due", "done"


def regie_filter(field_name="regie"):
    return django_filters.ModelChoiceFilter(
        field_name=field_name,
        label=gettext_lazy("Régie"),
        queryset=lambda request: regies_visible_to(user=request.user),
        empty_label=gettext_lazy("All"),
    )


class InvoiceFilterSet(CommuneFilterSet):
    status = StatusFilter(InvoiceStatus.choices)
    domain = django_filters.ChoiceFilter(
        label=gettext_lazy("Domain"), choices=InvoiceDomain.choices, empty_label=gettext_lazy("All")
    )
    regie = regie_filter()
    issued_on = PeriodFilter(label=gettext_lazy("Issue date"), widget=DateRangePickerWidget)
    refund = django_filters.ChoiceFilter(
        label=gettext_lazy("Refund"),
        choices=[
            (REFUND_DUE, gettext_lazy("To refund")),
            (REFUNDED, gettext_lazy("Refunded")),
        ],
        empty_label=gettext_lazy("All"),
        method="filter_refund",
    )
    site = CommuneFilter(invoice_policy)

    class Meta:
        model = Invoice
        fields = ["status", "domain", "regie", "issued_on", "refund", "site"]

    def filter_refund(self, queryset, name, value):
        if value == REFUND_DUE:
            return queryset.filter(refund_due_since__isnull=False, refunded_at__isnull=True)
        if value == REFUNDED:
            return queryset.filter(refunded_at__isnull=False)
        return queryset


class TransactionFilterSet(CommuneFilterSet):
    status = StatusFilter(TransactionStatus.choices)
    regie = regie_filter()
    created_at = PeriodFilter(label=gettext_lazy("Started on"), widget=DateRangePickerWidget)
    anomaly = django_filters.BooleanFilter(
        label=gettext_lazy("With an anomaly"),
        method="filter_anomaly",
        widget=forms.CheckboxInput,
    )
    site = CommuneFilter(transaction_policy)

    class Meta:
        model = Transaction
        fields = ["status", "regie", "created_at", "anomaly", "site"]

    def filter_anomaly(self, queryset, name, value):
        return queryset.exclude(anomaly="") if value else queryset
