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
    site = CommuneFilter(invoice_policy)

    class Meta:
        model = Invoice
        fields = ["status", "domain", "regie", "issued_on", "site"]


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
