"""The payments screens' views, each within the user's communes."""

import csv
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton
from wagtail.snippets.views.snippets import IndexView

from cms.scoped_admin import ReadOnlyMixin, ScopedIndexView, ScopedInspectView
from cms.spreadsheets import spreadsheet_text
from cms.tenancy import communes_for
from cms.uploads import as_attachment

from ..exceptions import GatewayError, InvoiceChangeRefused, InvoiceImportError
from ..forms import AccountingExportForm, InvoiceImportForm
from ..importer import decode, read_csv
from ..models import Invoice, Transaction
from ..policies import invoice_policy, transaction_policy
from ..selectors import (
    accounting_lines,
    invoice_refunds_visible_to,
    regies_of,
    regies_visible_to,
    transactions_visible_to,
)
from ..services import (
    REFUND_NOT_DUE,
    invoice_refund_record,
    invoices_import,
    regie_token_create,
    transaction_check_status,
)


def _csv_response(filename: str) -> tuple[HttpResponse, csv.writer]:
    response = as_attachment(HttpResponse(content_type="text/csv; charset=utf-8"), filename)
    response.write("\ufeff")
    return response, csv.writer(response, delimiter=";")


def _decimal(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def _refund(invoice: Invoice) -> str:
    """Where the refund of an invoice stands, for the accounts: nothing,
    to refund (and why), or refunded (and when)."""
    if invoice.refunded_at is not None:
        return _("refunded on %(date)s") % {
            "date": timezone.localtime(invoice.refunded_at).strftime("%d/%m/%Y")
        }
    if invoice.refund_due_since is not None:
        return _("to refund: %(reason)s") % {"reason": invoice.refund_reason}
    return ""


class RegieIndexView(ScopedIndexView):
    """Régies are configured, never copied nor deleted."""

    def get_copy_url(self, instance):
        return None

    def get_delete_url(self, instance):
        return None


class RegieTokenView(WagtailAdminTemplateMixin, FormView):
    """Create the régie's invoice push token, shown once."""

    template_name = "payments/admin/token.html"
    form_class = forms.Form
    header_icon = "key"
    page_title = gettext_lazy("Invoice push token")
    edit_url_name = None

    def setup(self, request, *args, pk, **kwargs):
        super().setup(request, *args, **kwargs)
        self.regie = get_object_or_404(
            regies_visible_to(user=request.user, actions=("change",)), pk=pk
        )

    def get_page_subtitle(self):
        return str(self.regie)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            regie=self.regie,
            edit_url=reverse(self.edit_url_name, args=[self.regie.pk]),
            push_url=self.regie.site.root_url
            + reverse("payments_bank:invoices_push", args=[self.regie.public_id]),
            **kwargs,
        )

    def form_valid(self, form):
        token = regie_token_create(regie=self.regie)
        return self.render_to_response(self.get_context_data(form=form, token=token))


class InvoiceIndexView(ReadOnlyMixin, ScopedIndexView):
    custom_field_preprocess = {
        field: {IndexView.FORMAT_CSV: spreadsheet_text}
        for field in ("number", "label", "payer_name", "account", "cancel_reason", "refund_reason")
    }

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("regie", "account", "site")

    @cached_property
    def header_buttons(self):
        buttons = super().header_buttons
        if invoice_policy.user_has_permission(self.request.user, "add"):
            buttons.append(
                HeaderButton(
                    _("Import invoices"), url=reverse("payments_invoice_import"), icon_name="upload"
                )
            )
        return buttons


class InvoiceInspectView(ReadOnlyMixin, ScopedInspectView):
    """The invoice, why it was cancelled, and where its refund stands, with
    the button that records the refund for those who keep the accounts."""

    template_name = "payments/admin/invoice_inspect.html"
    refund_url_name = None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        invoice = self.object
        may_refund = (
            invoice.refund_pending
            and invoice_refunds_visible_to(user=self.request.user).filter(pk=invoice.pk).exists()
        )
        context.update(
            invoice=invoice,
            refund_url=reverse(self.refund_url_name, args=[invoice.pk]) if may_refund else None,
        )
        return context


class InvoiceRefundView(WagtailAdminTemplateMixin, FormView):
    """Record that the money of an invoice to refund was given back, once
    confirmed; for those who see the commune's transactions and accounts."""

    template_name = "payments/admin/invoice_refund.html"
    form_class = forms.Form
    page_title = gettext_lazy("Record the refund")
    header_icon = "rotate"
    inspect_url_name = None

    def setup(self, request, *args, pk, **kwargs):
        super().setup(request, *args, **kwargs)
        self.invoice = get_object_or_404(
            invoice_refunds_visible_to(user=request.user).select_related("regie"), pk=pk
        )

    def get(self, request, *args, **kwargs):
        if not self.invoice.refund_pending:
            messages.info(request, str(REFUND_NOT_DUE))
            return redirect(self.inspect_url_name, self.invoice.pk)
        return super().get(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.invoice)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(Invoice.snippet_viewset.get_url_name("list")), "label": _("Invoices")},
            {
                "url": reverse(self.inspect_url_name, args=[self.invoice.pk]),
                "label": str(self.invoice),
            },
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            invoice=self.invoice,
            inspect_url=reverse(self.inspect_url_name, args=[self.invoice.pk]),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            invoice = invoice_refund_record(invoice=self.invoice, author=self.request.user)
        except InvoiceChangeRefused as error:
            messages.error(self.request, str(error))
        else:
            messages.success(
                self.request,
                _("The refund of invoice %(number)s is recorded.") % {"number": invoice.number},
            )
        return redirect(self.inspect_url_name, self.invoice.pk)


class InvoiceImportView(WagtailAdminTemplateMixin, FormView):
    """Import a CSV file of a régie's invoices; all or nothing. For those
    who may add invoices to the régie's commune: its supervisors."""

    template_name = "payments/admin/import.html"
    form_class = InvoiceImportForm
    page_title = gettext_lazy("Import invoices")
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        if not invoice_policy.user_has_permission(request.user, "add"):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        sites = communes_for(self.request.user, invoice_policy, ("add",))
        return {
            **super().get_form_kwargs(),
            "regies": regies_of(sites=sites),
        }

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(Invoice.snippet_viewset.get_url_name("list")), "label": _("Invoices")},
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            index_url=reverse(Invoice.snippet_viewset.get_url_name("list")), **kwargs
        )

    def form_valid(self, form):
        regie = form.cleaned_data["regie"]
        try:
            records = read_csv(decode(form.cleaned_data["document"].read()))
            report = invoices_import(regie=regie, records=records, author=self.request.user)
        except InvoiceImportError as error:
            return self.render_to_response(
                self.get_context_data(form=form, import_errors=error.errors, regie=regie)
            )
        messages.success(
            self.request,
            f"{regie.name} – {report.summary()}",
        )
        return redirect(Invoice.snippet_viewset.get_url_name("list"))


class TransactionIndexView(ReadOnlyMixin, ScopedIndexView):
    custom_field_preprocess = {
        field: {IndexView.FORMAT_CSV: spreadsheet_text} for field in ("payer_name", "email")
    }

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("regie", "site")

    @cached_property
    def header_buttons(self):
        return [
            *super().header_buttons,
            HeaderButton(
                _("Accounting export"),
                url=reverse("payments_accounting_export"),
                icon_name="download",
            ),
        ]


class TransactionInspectView(ReadOnlyMixin, ScopedInspectView):
    template_name = "payments/admin/transaction_inspect.html"
    check_url_name = None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        transaction = self.object
        context.update(
            transaction=transaction,
            lines=transaction.lines.select_related("invoice"),
            events=transaction.events.all(),
            can_check=transaction.is_open and transaction.regie.plugin.can_check_status,
            check_url=reverse(self.check_url_name, args=[transaction.pk]),
        )
        return context


class TransactionCheckView(WagtailAdminTemplateMixin, FormView):
    """Ask the bank where a waiting transaction stands."""

    form_class = forms.Form
    inspect_url_name = None

    def setup(self, request, *args, pk, **kwargs):
        super().setup(request, *args, **kwargs)
        self.transaction = get_object_or_404(
            transactions_visible_to(user=request.user).select_related("regie"), pk=pk
        )

    def get(self, request, *args, **kwargs):
        return redirect(self.inspect_url_name, self.transaction.pk)

    def form_valid(self, form):
        try:
            transaction, _outcome = transaction_check_status(transaction_=self.transaction)
        except GatewayError as error:
            messages.error(self.request, str(error))
        else:
            messages.success(
                self.request,
                _("The bank says: %(status)s.") % {"status": transaction.get_status_display()},
            )
        return redirect(self.inspect_url_name, self.transaction.pk)


class AccountingExportView(WagtailAdminTemplateMixin, FormView):
    """The online payments of a régie over a period, one line per invoice,
    as a CSV file for the régie's accounts."""

    template_name = "payments/admin/accounting_export.html"
    form_class = AccountingExportForm
    page_title = gettext_lazy("Accounting export")
    header_icon = "download"

    def dispatch(self, request, *args, **kwargs):
        if not transaction_policy.user_has_permission(request.user, "view"):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        sites = communes_for(self.request.user, transaction_policy)
        today = timezone.localdate()
        return {
            **super().get_form_kwargs(),
            "regies": regies_of(sites=sites),
            "initial": {"start": today.replace(day=1), "end": today},
        }

    def get_breadcrumbs_items(self):
        index = reverse(Transaction.snippet_viewset.get_url_name("list"))
        return [
            *self.breadcrumbs_items,
            {"url": index, "label": _("Transactions")},
            {"url": "", "label": self.page_title},
        ]

    def form_valid(self, form):
        regie, start, end = (form.cleaned_data[name] for name in ("regie", "start", "end"))
        filename = f"paiements-{regie.name}-{start:%Y%m%d}-{end:%Y%m%d}.csv".replace(" ", "-")
        response, writer = _csv_response(filename)
        writer.writerow(
            [
                _("Paid on"),
                _("Order number"),
                _("Bank reference"),
                _("Régie"),
                _("Invoice number"),
                _("Domain"),
                _("Label"),
                _("Household"),
                _("Amount"),
                _("Credited to the invoice"),
                _("Refund"),
            ]
        )
        total = Decimal("0")
        reach = invoice_policy.within_commune(self.request.user, Invoice.objects.all())
        lines = accounting_lines(regie=regie, start=start, end=end).filter(invoice__in=reach)
        for line in lines:
            transaction, invoice = line.transaction, line.invoice
            total += line.amount
            writer.writerow(
                [
                    timezone.localtime(transaction.paid_at).strftime("%d/%m/%Y %H:%M"),
                    transaction.order_id,
                    spreadsheet_text(transaction.bank_transaction_id),
                    regie.name,
                    spreadsheet_text(invoice.number),
                    invoice.get_domain_display(),
                    spreadsheet_text(invoice.label),
                    spreadsheet_text(transaction.payer_name or invoice.payer_name),
                    _decimal(line.amount),
                    _("yes") if line.credited else _("no: to refund"),
                    spreadsheet_text(_refund(invoice)),
                ]
            )
        writer.writerow(["", "", "", "", "", "", "", _("Total"), _decimal(total), "", ""])
        return response
