from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from .admin_views import (
    CitizenAccountViewSet,
    RejectBulkAction,
    ValidateBulkAction,
    citizen_account_policy,
)
from .extensions import AccountTab
from .models import CitizenAccount

# Registered before the viewset, which would otherwise create a global,
# all-communes policy for the model.
register_permission_policy(CitizenAccount, citizen_account_policy, exact_class=True)
register_snippet(CitizenAccountViewSet)

hooks.register("register_bulk_action", ValidateBulkAction)
hooks.register("register_bulk_action", RejectBulkAction)


@hooks.register("register_account_tab")
def home_tab(request):
    return AccountTab(name="home", label=_("Home"), url=reverse("accounts:home"), order=0)


@hooks.register("register_account_tab")
def profile_tab(request):
    return AccountTab(name="profile", label=_("Account"), url=reverse("accounts:profile"), order=10)
