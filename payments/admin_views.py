"""Payments in the Wagtail admin, each screen within the user's communes.

Permissions on régies, invoices and transactions are held per commune
(``GroupSitePermission``, granted by ``cms.services.commune_create``): agents
see their commune's invoices and transactions; supervisors also configure the
régies and import invoices (``add_invoice``), which agents never do. An object
of another commune is a 404.
"""

import csv
from decimal import Decimal

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth.models import Permission
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, Panel
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton
from wagtail.models import Site
from wagtail.permission_policies.sites import SitePermissionPolicy
from wagtail.snippets.views.snippets import (
    CreateView,
    EditView,
    HistoryView,
    IndexView,
    InspectView,
    SnippetViewSet,
    SnippetViewSetGroup,
    UsageView,
)

from accounts.admin_views import spreadsheet_text
from cms.filters import PeriodFilter
from cms.uploads import as_attachment, upload_limits

from .backends import registry
from .exceptions import GatewayError, InvoiceImportError
from .forms import AccountingExportForm, InvoiceImportForm
from .importer import MAX_FILE_SIZE, decode, read_csv
from .models import Invoice, InvoiceDomain, InvoiceStatus, Regie, Transaction, TransactionStatus
from .selectors import accounting_lines
from .services import (
    PaymentURLs,
    invoices_import,
    regie_token_create,
    transaction_check_status,
)

SEE = ("view", "change")
SECRET_SAVED = gettext_lazy("A value is saved; it is never shown. Type a new one to replace it.")
OPTION_PREFIX = "option__"


class PaymentsPermissionPolicy(SitePermissionPolicy):
    """Per-commune permissions; nobody deletes a payments record."""

    def user_has_any_permission(self, user, actions):
        actions = [action for action in actions if action != "delete"]
        return bool(actions) and super().user_has_any_permission(user, actions)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        actions = [action for action in actions if action != "delete"]
        return bool(actions) and super().user_has_any_permission_for_instance(
            user, actions, instance
        )


regie_policy = PaymentsPermissionPolicy(Regie)
invoice_policy = PaymentsPermissionPolicy(Invoice)
transaction_policy = PaymentsPermissionPolicy(Transaction)


def sites_for(user, policy, actions=SEE):
    return policy.sites_user_has_any_permission_for(user, actions)


def regies_for(user, actions=SEE):
    return Regie.objects.filter(site__in=sites_for(user, regie_policy, actions)).select_related(
        "site"
    )


def shows_communes(user, policy) -> bool:
    return user.is_superuser or sites_for(user, policy).count() > 1


def _csv_response(filename: str) -> tuple[HttpResponse, csv.writer]:
    response = as_attachment(HttpResponse(content_type="text/csv; charset=utf-8"), filename)
    response.write("\ufeff")
    return response, csv.writer(response, delimiter=";")


def _decimal(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


class ScopedMixin:
    """Views of one object: the object must be of the user's communes."""

    policy = None
    scope_actions = SEE

    def get_object(self, queryset=None):
        sites = sites_for(self.request.user, self.policy, self.scope_actions)
        return get_object_or_404(self.model.objects.filter(site__in=sites), pk=self.pk)


def not_found(request, *args, **kwargs):
    raise Http404


class ScopedIndexMixin:
    """Listings of the user's communes only, with their commune when the
    user works for several; records are never edited, copied or deleted."""

    policy = None

    def get_edit_url(self, instance):
        return None

    def get_copy_url(self, instance):
        return None

    def get_delete_url(self, instance):
        return None

    def get_base_queryset(self):
        sites = sites_for(self.request.user, self.policy)
        return super().get_base_queryset().filter(site__in=sites)

    @cached_property
    def columns(self):
        columns = super().columns
        if shows_communes(self.request.user, self.policy):
            columns.insert(
                1,
                Column(
                    "site",
                    label=_("Commune"),
                    accessor="site.site_name",
                    sort_key="site__site_name",
                ),
            )
        return columns


def commune_filter(policy):
    return django_filters.ModelChoiceFilter(
        field_name="site",
        label=gettext_lazy("Commune"),
        queryset=lambda request: sites_for(request.user, policy).order_by("site_name"),
        empty_label=gettext_lazy("All"),
    )


def regie_filter(field_name="regie"):
    return django_filters.ModelChoiceFilter(
        field_name=field_name,
        label=gettext_lazy("Régie"),
        queryset=lambda request: regies_for(request.user),
        empty_label=gettext_lazy("All"),
    )


# --- Régies ---------------------------------------------------------------------


class RegieForm(WagtailAdminModelForm):
    """The régie and the settings of its payment backend, generated from the
    backend's own description. Secrets are never sent back to the browser:
    an empty secret field keeps the saved value. Choosing another backend
    shows that backend's settings to fill in."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        self.fields["site"].queryset = (
            sites_for(user, regie_policy, ("add", "change")).order_by("site_name")
            if user
            else Site.objects.none()
        )
        self.fields["site"].empty_label = None
        saved = self.instance.backend if self.instance.pk else ""
        self.fields["backend"] = forms.ChoiceField(
            label=_("Payment backend"),
            choices=registry.choices(keep=saved),
            help_text=_(
                "When you choose another backend, its settings appear once you save: "
                "fill them in and save again."
            ),
        )
        backend = (self.data.get(self.add_prefix("backend")) if self.is_bound else None) or saved
        if backend not in registry:
            backend = self.fields["backend"].choices[0][0]
        self.plugin = registry[backend]
        self.backend_changed = backend != saved
        self.saved_options = {} if self.backend_changed else dict(self.instance.backend_options)
        self.option_names = []
        for option in self.plugin.get_options():
            field = option.form_field()
            name = OPTION_PREFIX + option.name
            if option.secret:
                field.required = False
                if self.saved_options.get(option.name):
                    field.help_text = SECRET_SAVED
            elif option.name in self.saved_options:
                field.initial = self.saved_options[option.name]
            elif option.default not in (None, ""):
                field.initial = option.default
            self.fields[name] = field
            self.option_names.append(name)
        self.secret_specs = {o.name: o for o in self.plugin.get_options() if o.secret}

    def clean(self):
        cleaned = super().clean()
        if self.backend_changed and self.instance.pk and self.plugin.get_options():
            missing = [
                name
                for name in self.option_names
                if self.fields[name].required and name not in self.data
            ]
            if missing:
                raise forms.ValidationError(
                    _("Fill in the settings of %(backend)s below, then save again.")
                    % {"backend": self.plugin.verbose_name}
                )
        options = {}
        for name in self.option_names:
            key = name.removeprefix(OPTION_PREFIX)
            value = cleaned.get(name)
            if key in self.secret_specs and not value:
                value = self.saved_options.get(key, "")
                if not value and self.secret_specs[key].required:
                    self.add_error(name, forms.Field.default_error_messages["required"])
            options[key] = value
        self.backend_options = options
        return cleaned

    def save(self, commit=True):
        self.instance.backend = self.cleaned_data["backend"]
        self.instance.backend_options = self.backend_options
        return super().save(commit=commit)


class BackendOptionsPanel(Panel):
    """The generated settings of the chosen backend, and the addresses to
    give the bank and the billing software."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "payments/admin/backend_options_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            form = self.form
            regie = self.instance
            context["fields"] = [form[name] for name in form.option_names]
            context["plugin"] = form.plugin
            if regie.pk:
                urls = PaymentURLs(base_url=regie.site.root_url)
                context["notification_url"] = urls.notification_url(regie)
                context["push_url"] = regie.site.root_url + reverse(
                    "payments_bank:invoices_push", args=[regie.public_id]
                )
                context["token_url"] = reverse(
                    regie.snippet_viewset.get_url_name("token"), args=[regie.pk]
                )
            return context


class RegieIndexView(ScopedIndexMixin, IndexView):
    policy = regie_policy

    def get_edit_url(self, instance):
        return IndexView.get_edit_url(self, instance)


class RegieCreateView(CreateView):
    pass


class RegieEditView(EditView):
    def get_queryset(self):
        return Regie.objects.filter(
            site__in=sites_for(self.request.user, regie_policy, ("change",))
        )


class RegieTokenView(WagtailAdminTemplateMixin, FormView):
    """Create the régie's invoice push token, shown once."""

    template_name = "payments/admin/token.html"
    form_class = forms.Form
    header_icon = "key"
    page_title = gettext_lazy("Invoice push token")
    edit_url_name = None

    def setup(self, request, *args, pk, **kwargs):
        super().setup(request, *args, **kwargs)
        self.regie = get_object_or_404(regies_for(request.user, ("change",)), pk=pk)

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


class RegieUsageView(ScopedMixin, UsageView):
    policy = regie_policy


class RegieHistoryView(ScopedMixin, HistoryView):
    policy = regie_policy


class RegieViewSet(SnippetViewSet):
    model = Regie
    icon = "cogs"
    menu_label = gettext_lazy("Régies")
    menu_name = "regies"
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = False
    index_view_class = RegieIndexView
    add_view_class = RegieCreateView
    edit_view_class = RegieEditView
    usage_view_class = RegieUsageView
    history_view_class = RegieHistoryView
    list_display = [
        "name",
        Column("backend", label=gettext_lazy("Payment backend"), accessor="plugin.verbose_name"),
        "is_active",
    ]
    list_filter = []
    panels = [
        FieldPanel("site"),
        FieldPanel("name"),
        FieldPanel("is_active"),
        FieldPanel("backend"),
        BackendOptionsPanel(heading=gettext_lazy("Settings of the payment backend")),
    ]

    def get_edit_handler(self):
        from wagtail.admin.panels import ObjectList

        return ObjectList(self.panels, base_form_class=RegieForm).bind_to_model(self.model)

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("token/<int:pk>/", self.token_view, name="token"),
        ]

    @property
    def token_view(self):
        return self.construct_view(RegieTokenView, edit_url_name=self.get_url_name("edit"))

    def get_permissions_to_register(self):
        return Permission.objects.none()

    def register_chooser_viewset(self):
        """No chooser: régies are chosen in the payments screens only."""


# --- Invoices -------------------------------------------------------------------


class InvoiceFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"),
        choices=InvoiceStatus.choices,
        empty_label=gettext_lazy("All"),
        widget=forms.RadioSelect,
    )
    domain = django_filters.ChoiceFilter(
        label=gettext_lazy("Domain"), choices=InvoiceDomain.choices, empty_label=gettext_lazy("All")
    )
    regie = regie_filter()
    issued_on = PeriodFilter(label=gettext_lazy("Issue date"), widget=DateRangePickerWidget)
    site = commune_filter(invoice_policy)

    class Meta:
        model = Invoice
        fields = ["status", "domain", "regie", "issued_on", "site"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is None or not shows_communes(request.user, invoice_policy):
            del self.filters["site"]


class InvoiceIndexView(ScopedIndexMixin, IndexView):
    policy = invoice_policy
    custom_field_preprocess = {
        field: {IndexView.FORMAT_CSV: spreadsheet_text}
        for field in ("number", "label", "payer_name", "account")
    }

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("regie", "account", "site")

    def get_add_url(self):
        return None

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


class InvoiceInspectView(ScopedMixin, InspectView):
    policy = invoice_policy

    def get_edit_url(self):
        return None

    def get_delete_url(self):
        return None


class InvoiceViewSet(SnippetViewSet):
    model = Invoice
    icon = "doc-full"
    menu_label = gettext_lazy("Invoices")
    menu_name = "invoices"
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = InvoiceIndexView
    inspect_view_class = InvoiceInspectView
    filterset_class = InvoiceFilterSet
    search_fields = ["number", "label", "payer_name"]
    search_backend_name = None
    list_per_page = 50
    list_display = [
        "number",
        "label",
        Column("regie", label=gettext_lazy("Régie"), accessor="regie.name"),
        Column("account", label=gettext_lazy("Household"), accessor="account"),
        Column("amount", label=gettext_lazy("Amount"), sort_key="amount"),
        DateColumn("issued_on", label=gettext_lazy("Issue date"), sort_key="issued_on"),
        Column("status", label=gettext_lazy("Status"), accessor="get_status_display"),
    ]
    list_export = [
        "number",
        "regie",
        "account",
        "payer_name",
        "get_domain_display",
        "label",
        "amount",
        "issued_on",
        "due_on",
        "get_status_display",
        "paid_at",
    ]
    export_headings = {
        "get_domain_display": gettext_lazy("Domain"),
        "get_status_display": gettext_lazy("Status"),
    }
    export_filename = "factures"
    inspect_view_fields = [
        "number",
        "regie",
        "account",
        "payer_name",
        "domain",
        "label",
        "amount",
        "issued_on",
        "due_on",
        "status",
        "paid_at",
        "payment_key",
        "created_at",
        "updated_at",
    ]

    add_view = edit_view = delete_view = usage_view = staticmethod(not_found)
    history_view = history_results_view = staticmethod(not_found)

    def get_permissions_to_register(self):
        return Permission.objects.none()

    def register_chooser_viewset(self):
        """No chooser."""


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
        sites = sites_for(self.request.user, invoice_policy, ("add",))
        return {
            **super().get_form_kwargs(),
            "regies": Regie.objects.filter(site__in=sites).select_related("site"),
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
            report = invoices_import(regie=regie, records=records)
        except InvoiceImportError as error:
            return self.render_to_response(
                self.get_context_data(form=form, import_errors=error.errors, regie=regie)
            )
        messages.success(
            self.request,
            f"{regie.name} – {report.summary()}",
        )
        return redirect(Invoice.snippet_viewset.get_url_name("list"))


# --- Transactions -------------------------------------------------------------------


class TransactionFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"),
        choices=TransactionStatus.choices,
        empty_label=gettext_lazy("All"),
        widget=forms.RadioSelect,
    )
    regie = regie_filter()
    created_at = PeriodFilter(label=gettext_lazy("Started on"), widget=DateRangePickerWidget)
    anomaly = django_filters.BooleanFilter(
        label=gettext_lazy("With an anomaly"),
        method="filter_anomaly",
        widget=forms.CheckboxInput,
    )
    site = commune_filter(transaction_policy)

    class Meta:
        model = Transaction
        fields = ["status", "regie", "created_at", "anomaly", "site"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is None or not shows_communes(request.user, transaction_policy):
            del self.filters["site"]

    def filter_anomaly(self, queryset, name, value):
        return queryset.exclude(anomaly="") if value else queryset


class TransactionIndexView(ScopedIndexMixin, IndexView):
    policy = transaction_policy
    custom_field_preprocess = {
        field: {IndexView.FORMAT_CSV: spreadsheet_text} for field in ("payer_name", "email")
    }

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("regie", "site")

    def get_add_url(self):
        return None

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


class TransactionInspectView(ScopedMixin, InspectView):
    policy = transaction_policy
    template_name = "payments/admin/transaction_inspect.html"
    check_url_name = None

    def get_edit_url(self):
        return None

    def get_delete_url(self):
        return None

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
        sites = sites_for(request.user, transaction_policy)
        self.transaction = get_object_or_404(
            Transaction.objects.filter(site__in=sites).select_related("regie"), pk=pk
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


class TransactionViewSet(SnippetViewSet):
    model = Transaction
    icon = "list-ul"
    menu_label = gettext_lazy("Transactions")
    menu_name = "transactions"
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = TransactionIndexView
    inspect_view_class = TransactionInspectView
    filterset_class = TransactionFilterSet
    search_fields = ["order_id", "payer_name", "email", "bank_order_id"]
    search_backend_name = None
    list_per_page = 50
    list_display = [
        "order_id",
        DateColumn("created_at", label=gettext_lazy("Started on"), sort_key="created_at"),
        Column("regie", label=gettext_lazy("Régie"), accessor="regie.name"),
        "payer_name",
        Column("amount", label=gettext_lazy("Amount"), sort_key="amount"),
        Column("status", label=gettext_lazy("Status"), accessor="get_status_display"),
        Column("anomaly", label=gettext_lazy("Anomaly"), accessor="anomaly"),
    ]
    list_export = [
        "order_id",
        "created_at",
        "paid_at",
        "regie",
        "payer_name",
        "email",
        "amount",
        "backend",
        "test_mode",
        "get_status_display",
        "bank_order_id",
        "bank_transaction_id",
        "anomaly",
    ]
    export_headings = {"get_status_display": gettext_lazy("Status")}
    export_filename = "transactions"
    inspect_view_fields = [
        "order_id",
        "regie",
        "account",
        "payer_name",
        "email",
        "amount",
        "backend",
        "test_mode",
        "status",
        "bank_order_id",
        "bank_transaction_id",
        "bank_status",
        "created_at",
        "paid_at",
        "receipt_sent_at",
    ]

    add_view = edit_view = delete_view = usage_view = staticmethod(not_found)
    history_view = history_results_view = staticmethod(not_found)

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(), path("check/<int:pk>/", self.check_view, name="check")]

    @property
    def inspect_view(self):
        return self.construct_view(
            self.inspect_view_class, check_url_name=self.get_url_name("check")
        )

    @property
    def check_view(self):
        return self.construct_view(
            TransactionCheckView, inspect_url_name=self.get_url_name("inspect")
        )

    def get_permissions_to_register(self):
        return Permission.objects.none()

    def register_chooser_viewset(self):
        """No chooser."""


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
        sites = sites_for(self.request.user, transaction_policy)
        today = timezone.localdate()
        return {
            **super().get_form_kwargs(),
            "regies": Regie.objects.filter(site__in=sites).select_related("site"),
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
            ]
        )
        total = Decimal("0")
        for line in accounting_lines(regie=regie, start=start, end=end):
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
                ]
            )
        writer.writerow(["", "", "", "", "", "", "", _("Total"), _decimal(total), ""])
        return response


class PaymentsViewSetGroup(SnippetViewSetGroup):
    items = (InvoiceViewSet, TransactionViewSet, RegieViewSet)
    menu_icon = "doc-full"
    menu_label = gettext_lazy("Payments")
    menu_name = "payments"
    menu_order = 210


def admin_urls():
    return [
        path(
            "payments/import/",
            upload_limits(lambda request: {"document": MAX_FILE_SIZE})(InvoiceImportView.as_view()),
            name="payments_invoice_import",
        ),
        path(
            "payments/accounting-export/",
            AccountingExportView.as_view(),
            name="payments_accounting_export",
        ),
    ]
