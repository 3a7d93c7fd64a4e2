"""The citizen accounts screen: list, inspect, export, validate and reject."""

from django.urls import path
from django.utils.translation import gettext_lazy
from wagtail.admin.ui.tables import Column, DateColumn, NumberColumn

from cms.scoped_admin import ReadOnlyCommuneViewSet

from ..models import CitizenAccount
from ..selectors import SEARCH_FIELDS
from .filters import CitizenAccountFilterSet
from .views import (
    AccountRejectView,
    AccountStatusColumn,
    AccountValidateView,
    CitizenAccountIndexView,
    CitizenAccountInspectView,
)


class CitizenAccountViewSet(ReadOnlyCommuneViewSet):
    """Citizen accounts of the user's communes: list, inspect, export,
    validate and reject. No create, edit, copy, delete, history or chooser."""

    model = CitizenAccount
    icon = "user"
    menu_label = gettext_lazy("Citizen accounts")
    menu_name = "citizen-accounts"
    menu_order = 200
    add_to_admin_menu = True
    index_view_class = CitizenAccountIndexView
    inspect_view_class = CitizenAccountInspectView
    index_template_name = "accounts/admin/index.html"
    inspect_template_name = "accounts/admin/inspect.html"
    list_per_page = 50
    list_display = [
        "username",
        Column("name", label=gettext_lazy("Name"), accessor="get_full_name", sort_key="last_name"),
        "email",
        DateColumn("date_joined", label=gettext_lazy("Registered"), sort_key="date_joined"),
        AccountStatusColumn("get_status_display", label=gettext_lazy("Status"), sort_key="status"),
        NumberColumn(
            "household_size", label=gettext_lazy("Household size"), sort_key="household_size"
        ),
    ]
    filterset_class = CitizenAccountFilterSet
    search_fields = list(SEARCH_FIELDS)
    search_backend_name = None
    list_export = [
        "username",
        "first_name",
        "last_name",
        "email",
        "phone",
        "get_status_display",
        "date_joined",
    ]
    export_headings = {"get_status_display": gettext_lazy("Status")}
    export_filename = "citizen-accounts"
    inspect_view_fields = [
        *CitizenAccountInspectView.account_fields,
        *CitizenAccountInspectView.contact_fields,
    ]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            validate_url_name=self.get_url_name("validate"),
            reject_url_name=self.get_url_name("reject"),
            **kwargs,
        )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("validate/<int:pk>/", self.validate_view, name="validate"),
            path("reject/<int:pk>/", self.reject_view, name="reject"),
        ]

    @property
    def validate_view(self):
        return self.construct_view(AccountValidateView)

    @property
    def reject_view(self):
        return self.construct_view(AccountRejectView)
