"""The payments screens (invoices, transactions, régies) and their admin URLs."""

from django.urls import path
from django.utils.translation import gettext_lazy
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from cms.scoped_admin import CommuneViewSet, ReadOnlyCommuneViewSet
from cms.uploads import upload_limits

from ..importer import MAX_FILE_SIZE
from ..models import Invoice, Regie, Transaction
from .filters import InvoiceFilterSet, TransactionFilterSet
from .forms import BackendOptionsPanel, RegieForm
from .views import (
    AccountingExportView,
    InvoiceImportView,
    InvoiceIndexView,
    InvoiceInspectView,
    InvoiceRefundView,
    RegieIndexView,
    RegieTokenView,
    TransactionCheckView,
    TransactionIndexView,
    TransactionInspectView,
)


class RegieViewSet(CommuneViewSet):
    model = Regie
    icon = "cogs"
    menu_label = gettext_lazy("Régies")
    menu_name = "regies"
    inspect_view_enabled = False
    index_view_class = RegieIndexView
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
        return ObjectList(self.panels, base_form_class=RegieForm).bind_to_model(self.model)

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("token/<int:pk>/", self.token_view, name="token"),
        ]

    @property
    def token_view(self):
        return self.construct_view(RegieTokenView, edit_url_name=self.get_url_name("edit"))


class InvoiceViewSet(ReadOnlyCommuneViewSet):
    model = Invoice
    icon = "doc-full"
    menu_label = gettext_lazy("Invoices")
    menu_name = "invoices"
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
        "cancel_reason",
        "refund_due_since",
        "refund_reason",
        "refunded_at",
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

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("refund/<int:pk>/", self.refund_view, name="refund"),
        ]

    @property
    def inspect_view(self):
        return self.construct_view(
            self.inspect_view_class, refund_url_name=self.get_url_name("refund")
        )

    @property
    def refund_view(self):
        return self.construct_view(InvoiceRefundView, inspect_url_name=self.get_url_name("inspect"))


class TransactionViewSet(ReadOnlyCommuneViewSet):
    model = Transaction
    icon = "list-ul"
    menu_label = gettext_lazy("Transactions")
    menu_name = "transactions"
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
