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


@hooks.register("register_log_actions")
def agents_actions_on_accounts(actions):
    """What agents do to citizen accounts, kept in the commune's log (``cms.audit``)."""
    from django.utils.translation import gettext_lazy

    from cms.models import AuditLogEntry

    actions.register_model(CitizenAccount, AuditLogEntry)
    for action, label, message in (
        ("accounts.view", gettext_lazy("Account opened"), gettext_lazy("Opened the account")),
        (
            "accounts.validated",
            gettext_lazy("Account validated"),
            gettext_lazy("Validated the account"),
        ),
        (
            "accounts.rejected",
            gettext_lazy("Account rejected"),
            gettext_lazy("Rejected the account"),
        ),
    ):
        actions.register_action(action, label, message)
