from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.log_actions import LogFormatter
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from accounts.extensions import AccountTab
from cms.extensions import CommuneInstallable, CommunePermissions
from cms.models import AuditLogEntry
from cms.money import money

from . import selectors
from .admin.viewsets import PaymentsViewSetGroup, admin_urls
from .models import Invoice, Regie, Transaction
from .policies import invoice_policy, regie_policy, transaction_policy

# Registered before the viewsets, which would otherwise create global,
# all-communes policies for these models.
register_permission_policy(Regie, regie_policy, exact_class=True)
register_permission_policy(Invoice, invoice_policy, exact_class=True)
register_permission_policy(Transaction, transaction_policy, exact_class=True)
register_snippet(PaymentsViewSetGroup)

hooks.register("register_admin_urls", admin_urls)


@hooks.register("register_log_actions")
def agents_actions_on_money(actions):
    """Invoice imports, cancellations and refunds, kept in the commune's log
    (``cms.audit``)."""
    actions.register_model(Regie, AuditLogEntry)
    actions.register_model(Invoice, AuditLogEntry)
    actions.register_action("payments.invoices_import")(InvoicesImportLogFormatter)
    actions.register_action("payments.invoice_cancel")(InvoiceCancelLogFormatter)
    actions.register_action("payments.invoice_refund")(InvoiceRefundLogFormatter)


class InvoicesImportLogFormatter(LogFormatter):
    label = gettext_lazy("Invoices imported")

    def format_message(self, log_entry):
        data = log_entry.data or {}
        return _(
            "Imported invoices: %(created)s created, %(updated)s updated, %(unchanged)s unchanged"
        ) % {name: data.get(name, 0) for name in ("created", "updated", "unchanged")}


class InvoiceCancelLogFormatter(LogFormatter):
    label = gettext_lazy("Invoice cancelled")

    def format_message(self, log_entry):
        data = log_entry.data or {}
        return _("Cancelled invoice %(number)s (%(amount)s): %(reason)s") % {
            "number": data.get("number", ""),
            "amount": money(data.get("amount")),
            "reason": data.get("reason", ""),
        }


class InvoiceRefundLogFormatter(LogFormatter):
    label = gettext_lazy("Refund recorded")

    def format_message(self, log_entry):
        data = log_entry.data or {}
        return _("Recorded the refund of invoice %(number)s (%(amount)s)") % {
            "number": data.get("number", ""),
            "amount": money(data.get("amount")),
        }


@hooks.register("register_account_tab")
def payments_tab(request):
    """ "Mes comptes": the household's invoices, statement and cart."""
    return AccountTab(
        name="payments", label=_("My accounts"), url=reverse("payments:invoices"), order=30
    )


@hooks.register("register_account_home_panel")
def invoices_to_pay_panel(request):
    user = request.user
    if not user.is_authenticated or not user.is_validated:
        return ""
    site = request.commune
    invoices = list(selectors.invoices_to_pay(site=site, account=user))
    if not invoices:
        return ""
    return render_to_string(
        "payments/home_panel.html",
        {
            "count": len(invoices),
            "total": sum(invoice.amount for invoice in invoices),
            "cart": selectors.cart_summary(site=site, account=user),
        },
        request=request,
    )


@hooks.register("register_account_summary_panel")
def invoices_to_pay_summary(request):
    """ "Mon espace" on the home page: the household's invoices to pay."""
    user = request.user
    if not user.is_authenticated or not user.is_validated:
        return ""
    invoices = list(selectors.invoices_to_pay(site=request.commune, account=user))
    if not invoices:
        return ""
    return render_to_string(
        "payments/home_summary.html",
        {"count": len(invoices), "total": sum(invoice.amount for invoice in invoices)},
        request=request,
    )


@hooks.register("register_commune_permissions")
def commune_payments_permissions():
    """Agents see the commune's invoices and transactions; supervisors hold
    the money: they configure the régies (payment backends and the billing
    software's push token) and import invoices. Agents never do."""
    return CommunePermissions(
        agents=("payments.view_regie", "payments.view_invoice", "payments.view_transaction"),
        supervisors=(
            "payments.view_regie",
            "payments.add_regie",
            "payments.change_regie",
            "payments.view_invoice",
            "payments.add_invoice",
            "payments.view_transaction",
        ),
    )


@hooks.register("register_commune_exchange", order=20)
def commune_file_part():
    from cms.extensions import CommuneExchange

    from .commune_file import regies_export, regies_import

    return CommuneExchange(key="payments", export=regies_export, import_=regies_import)


@hooks.register("register_commune_setup_items", order=60)
def regies_setup_item(site):
    """At least one régie takes payments, and none of those that do is in
    test mode (its backend says so: ``BasePlugin.is_test_mode``). A closed
    régie collects nothing: its mode does not matter."""
    from cms.extensions import SetupItem

    from .backends import registry

    regies = list(Regie.objects.filter(site=site, is_active=True).order_by("name"))
    in_test = [
        regie
        for regie in regies
        if regie.backend not in registry
        or registry[regie.backend].is_test_mode(regie.backend_options)
    ]
    if not regies:
        detail = _("No régie takes payments yet.")
    elif in_test:
        detail = _("In test mode: %(regies)s") % {
            "regies": ", ".join(regie.name for regie in in_test)
        }
    else:
        detail = _("Taking real payments: %(regies)s") % {
            "regies": ", ".join(regie.name for regie in regies)
        }
    return [
        SetupItem(
            label=_("Régies configured for production"),
            done=bool(regies) and not in_test,
            url=reverse("wagtailsnippets_payments_regie:list"),
            detail=detail,
        )
    ]


@hooks.register("register_commune_installable", order=40)
def testbank_regie_installable():
    from django.conf import settings

    from .services import testbank_regie_install

    return CommuneInstallable(
        key="test_regie",
        label=gettext_lazy("Test régie"),
        install=testbank_regie_install,
        default=bool(settings.PAYMENTS_TESTBANK_ENABLED),
        help_text=gettext_lazy(
            "A régie on the local test bank, in test mode: payments to try, no money moved."
        ),
    )
