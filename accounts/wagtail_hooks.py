from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from cms.extensions import CommunePermissions

from .admin.bulk_actions import RejectBulkAction, ValidateBulkAction
from .admin.viewsets import CitizenAccountViewSet
from .extensions import AccountTab
from .models import CitizenAccount, StaffInvitation
from .policies import citizen_account_policy, staff_invitation_policy

# Registered before the viewset, which would otherwise create a global,
# all-communes policy for the model.
register_permission_policy(CitizenAccount, citizen_account_policy, exact_class=True)
register_snippet(CitizenAccountViewSet)
register_permission_policy(StaffInvitation, staff_invitation_policy, exact_class=True)

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


@hooks.register("register_log_actions")
def second_factor_actions(actions):
    """Sign-ins with ProConnect or a second factor and its changes, in the
    platform's log (staff belong to no commune: platform admins read these
    entries)."""
    from django.utils.translation import gettext_lazy

    for action, label in (
        ("accounts.second_factor_passed", gettext_lazy("Second factor accepted")),
        ("accounts.second_factor_failed", gettext_lazy("Second factor refused")),
        ("accounts.second_factor_set_up", gettext_lazy("Authenticator app set up")),
        ("accounts.second_factor_reset", gettext_lazy("Second factor reset")),
        ("accounts.proconnect_signed_in", gettext_lazy("Signed in with ProConnect")),
    ):
        actions.register_action(action, label, label)


@hooks.register("register_admin_urls")
def second_factor_urls():
    from django.urls import path

    from . import second_factor_views as views

    return [
        path("second-factor/", views.verify_view, name="second_factor_verify"),
        path("second-factor/setup/", views.setup_view, name="second_factor_setup"),
        path(
            "second-factor/recovery-codes/",
            views.recovery_codes_view,
            name="second_factor_recovery_codes",
        ),
        path("second-factor/manage/", views.ManageView.as_view(), name="second_factor_manage"),
        path(
            "second-factor/reset/<int:pk>/",
            views.ResetView.as_view(),
            name="second_factor_reset",
        ),
    ]


@hooks.register("register_account_menu_item")
def second_factor_account_item(request):
    return {
        "url": reverse("second_factor_manage"),
        "label": _("Second factor"),
        "help_text": _("Your authenticator app and recovery codes."),
    }


@hooks.register("register_user_listing_buttons")
def second_factor_reset_button(user, request_user):
    from wagtail.admin.widgets import ListingButton

    if not request_user.is_superuser or user.site_id is not None or user.pk == request_user.pk:
        return []
    return [
        ListingButton(
            _("Reset the second factor"),
            reverse("second_factor_reset", args=[user.pk]),
            icon_name="key",
            priority=50,
        )
    ]


@hooks.register("insert_global_admin_js")
def session_timeout_warning():
    """The warning before an idle session ends (``accounts.sessions``)."""
    from django.template.loader import render_to_string

    from cms.tenancy import current_request

    request = current_request.get()
    if request is None or not request.user.is_authenticated:
        return ""
    return render_to_string(
        "components/session_timeout.html",
        {"logout_url": reverse("wagtailadmin_logout"), "admin": True},
        request=request,
    )


@hooks.register("register_commune_permissions")
def commune_accounts_permissions():
    """Agents and supervisors see and validate the citizen accounts of their
    commune and no other; its supervisors invite its staff
    (``accounts.invitations``); its communication staff choose its anti-robot check."""
    citizen_accounts = ("accounts.view_citizenaccount", "accounts.change_citizenaccount")
    invitations = (
        "accounts.add_staffinvitation",
        "accounts.change_staffinvitation",
        "accounts.view_staffinvitation",
    )
    return CommunePermissions(
        communication=("accounts.change_accountsettings",),
        agents=citizen_accounts,
        supervisors=citizen_accounts + invitations,
    )


@hooks.register("register_commune_exchange", order=40)
def commune_file_part():
    from cms.extensions import CommuneExchange

    from .commune_file import account_settings_export, account_settings_import

    return CommuneExchange(
        key="accounts", export=account_settings_export, import_=account_settings_import
    )


@hooks.register("register_commune_setup_items", order=30)
def captcha_setup_item(site):
    """The commune chose its anti-robot check: someone saved it in the
    citizen accounts' settings (``AccountSettingsForm``)."""
    from cms.extensions import SetupItem

    from .models import AccountSettings

    settings = AccountSettings.for_site(site)
    chosen = settings.captcha_confirmed_at is not None
    return [
        SetupItem(
            label=_("Anti-robot check chosen"),
            done=chosen,
            url=reverse("wagtailsettings:edit", args=["accounts", "accountsettings", site.pk]),
            detail=(
                _("Chosen: %(captcha)s") % {"captcha": settings.get_captcha_display()}
                if chosen
                else _("Not chosen yet: the default is %(captcha)s")
                % {"captcha": settings.get_captcha_display()}
            ),
        )
    ]


@hooks.register("register_staff_session_check")
def second_factor_given(request):
    """Staff work as staff once they have given their second factor."""
    from .second_factor import is_verified

    return is_verified(request)


@hooks.register("register_admin_urls")
def staff_urls():
    from .admin.staff import staff_urls

    return staff_urls()


@hooks.register("register_admin_menu_item")
def staff_menu_item():
    from .admin.staff import staff_menu_item

    return staff_menu_item()
