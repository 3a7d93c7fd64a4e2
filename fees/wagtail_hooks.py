from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from accounts.extensions import AdminColumn
from cms.extensions import CommunePermissions
from services.extensions import RequestFilter
from services.selectors import submissions_visible_to

from . import services
from .admin import DemarcheFeeViewSet, admin_urls
from .models import DemarcheFee
from .panels import admin_panel, citizen_panel, queue_cell
from .policies import fee_policy
from .selectors import PAID, TO_PAY, payment_annotations, requests_by_payment

register_permission_policy(DemarcheFee, fee_policy, exact_class=True)
register_snippet(DemarcheFeeViewSet)

hooks.register("register_admin_urls", admin_urls)
hooks.register("register_demarche_quote", services.quote_for)
hooks.register("register_request_sending", services.request_sending)
hooks.register("register_payment_request", services.payment_request)
hooks.register("register_request_citizen_panel", citizen_panel)
hooks.register("register_request_admin_panel", admin_panel)


@hooks.register("register_request_admin_filter")
def payment_filter():
    return RequestFilter(
        name="payment",
        label=_("Payment"),
        choices=[(TO_PAY, _("To pay")), (PAID, _("Paid"))],
        apply=requests_by_payment,
    )


@hooks.register("register_request_admin_column")
def payment_column(request):
    return AdminColumn(
        column=Column("payment", label=_("Payment"), accessor=queue_cell),
        annotations=payment_annotations(),
    )


@hooks.register("register_invoice_reach")
def invoices_of_requests_in_reach(user):
    """The amount of a request is seen by those who see the request (the
    agents of its municipal service within a commune)."""
    return Q(request_payment__isnull=True) | Q(
        request_payment__submission__in=submissions_visible_to(user=user)
    )


@hooks.register("register_commune_permissions")
def commune_fees_permissions():
    """The supervisors set the prices of the commune's démarches."""
    return CommunePermissions(
        supervisors=(
            "fees.view_demarchefee",
            "fees.add_demarchefee",
            "fees.change_demarchefee",
            "fees.delete_demarchefee",
        )
    )


@hooks.register("register_commune_exchange", order=30)
def commune_file_part():
    from cms.extensions import CommuneExchange

    from .commune_file import fees_export, fees_import

    return CommuneExchange(key="fees", export=fees_export, import_=fees_import)
