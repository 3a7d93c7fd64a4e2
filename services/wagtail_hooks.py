from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets import Button
from wagtail.log_actions import LogFormatter
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from cms.extensions import CommuneInstallable, CommunePage, CommunePermissions
from cms.models import AuditLogEntry

from . import (
    account_pages,  # noqa: F401 (registers the account tabs and panels)
    home_blocks,  # noqa: F401 (registers what the home page shows of the démarches)
    retention,
)
from .admin.bulk_actions import AssignBulkAction, MessageBulkAction, StatusBulkAction
from .admin.municipal_services import MunicipalServiceViewSet
from .admin.templates import MessageTemplateViewSet
from .admin.viewsets import SubmissionViewSet
from .admin.workflows import WorkflowViewSet
from .models import (
    MessageTemplate,
    MunicipalService,
    ServiceIndexPage,
    ServicePage,
    Submission,
    Workflow,
)
from .policies import (
    message_template_policy,
    municipal_service_policy,
    submission_policy,
    workflow_policy,
)
from .statuses import status_info

# Registered before the viewset, which would otherwise create a global,
# all-communes policy for the model.
register_permission_policy(Submission, submission_policy, exact_class=True)
register_snippet(SubmissionViewSet)
register_permission_policy(MessageTemplate, message_template_policy, exact_class=True)
register_snippet(MessageTemplateViewSet)
register_permission_policy(Workflow, workflow_policy, exact_class=True)
register_snippet(WorkflowViewSet)
register_permission_policy(MunicipalService, municipal_service_policy, exact_class=True)
register_snippet(MunicipalServiceViewSet)
hooks.register("register_bulk_action", AssignBulkAction)
hooks.register("register_bulk_action", StatusBulkAction)
hooks.register("register_bulk_action", MessageBulkAction)


@hooks.register("register_log_actions")
def agents_actions_on_requests(actions):
    """What agents do to requests, kept in the commune's log (``cms.audit``)."""
    actions.register_model(Submission, AuditLogEntry)
    for action, label, message in (
        ("services.view", _("Request opened"), _("Opened the request")),
        ("services.assign", _("Request assigned"), _("Assigned the request")),
        ("services.note", _("Internal note"), _("Wrote an internal note")),
        ("services.message", _("Message"), _("Wrote a message about the request")),
        ("services.by_post", _("Document received by post"), _("Ticked a document as received")),
        ("services.download", _("Document downloaded"), _("Downloaded a document")),
        ("services.archive_pdf", _("Request printed"), _("Downloaded the request as PDF")),
        ("services.export", _("Requests exported"), _("Exported the requests")),
    ):
        actions.register_action(action, label, message)
    actions.register_action("services.retention")(RetentionLogFormatter)
    actions.register_action("services.status")(StatusLogFormatter)
    actions.register_action("services.transfer")(TransferLogFormatter)


class StatusLogFormatter(LogFormatter):
    """A status change, naming the statuses; a decision reopened says so."""

    label = _("Status changed")

    def format_message(self, log_entry):
        data = log_entry.data or {}
        if "from" not in data or "to" not in data:
            return _("Changed the status")
        before, after = data.get("names") or (
            status_info(data["from"]).label,
            status_info(data["to"]).label,
        )
        names = {"from": before, "to": after}
        if data.get("reopened"):
            return _("Reopened the request: “%(from)s” → “%(to)s”") % names
        return _("Changed the status: “%(from)s” → “%(to)s”") % names


class TransferLogFormatter(LogFormatter):
    """A request handed to another municipal service, with the agent's note."""

    label = _("Request transferred")

    def format_message(self, log_entry):
        data = log_entry.data or {}
        return _("Transferred the request from %(from)s to %(to)s: %(note)s") % {
            "from": data.get("from") or _("no service"),
            "to": data.get("to", ""),
            "note": data.get("note", ""),
        }


class RetentionLogFormatter(LogFormatter):
    """The daily run of the retention rules, with what it did."""

    label = _("Retention periods applied")

    def format_message(self, log_entry):
        data = log_entry.data or {}
        return _(
            "Applied the retention periods: %(anonymised)s request(s) anonymised, "
            "%(files)s document(s) deleted, %(drafts)s draft(s) deleted, "
            "%(warned)s account(s) warned, %(erased)s account(s) erased"
        ) % {
            "anonymised": data.get("anonymised", 0),
            "files": data.get("files_deleted", 0),
            "drafts": data.get("drafts_deleted", 0),
            "warned": data.get("accounts_warned", 0),
            "erased": data.get("accounts_erased", 0),
        }


from . import dashboard  # noqa: E402,F401 (registers the admin home panels)


@hooks.register("register_admin_urls")
def export_urls():
    from .admin.exports import export_urls

    return export_urls()


@hooks.register("register_admin_urls")
def demarche_exchange_urls():
    from .admin.exchange import exchange_urls

    return exchange_urls()


@hooks.register("register_page_header_buttons")
def demarche_exchange_header_buttons(page, user, view_name, next_url=None):
    """ "Export the démarche" on a démarche, "Import a démarche" on the index."""
    yield from _demarche_exchange_buttons(page, user)


@hooks.register("register_page_listing_more_buttons")
def demarche_exchange_listing_buttons(page, user, next_url=None):
    yield from _demarche_exchange_buttons(page, user)


def _demarche_exchange_buttons(page, user):
    specific = page.specific_deferred
    permissions = page.permissions_for_user(user)
    if isinstance(specific, ServicePage) and permissions.can_edit():
        yield Button(
            _("Export the démarche"),
            reverse("demarche_export", args=[page.pk]),
            icon_name="download",
            priority=45,
        )
    elif isinstance(specific, ServiceIndexPage) and permissions.can_add_subpage():
        yield Button(
            _("Import a démarche"),
            reverse("demarche_import", args=[page.pk]),
            icon_name="upload",
            priority=45,
        )


@hooks.register("register_admin_urls")
def processing_register_urls():
    from .register_views import register_urls

    return register_urls()


@hooks.register("register_reports_menu_item")
def processing_register_menu_item():
    from .register_views import register_menu_item

    return register_menu_item()


@hooks.register("register_commune_page", order=20)
def commune_services_page():
    return CommunePage(ServiceIndexPage, title="Services", slug="services", supervisors_edit=True)


@hooks.register("register_commune_permissions")
def commune_services_permissions():
    """Agents process the commune's requests with its message templates;
    supervisors also write the templates, export the requests and manage the
    municipal services; its communication staff set how requests are
    numbered and kept."""
    return CommunePermissions(
        communication=(
            "services.change_servicesettings",
            "services.view_demarchecopy",
            "services.add_demarchecopy",
            "services.change_demarchecopy",
        ),
        agents=(
            "services.view_submission",
            "services.change_submission",
            "services.view_messagetemplate",
        ),
        supervisors=(
            "services.view_submission",
            "services.change_submission",
            "services.export_submission",
            "services.supervise_submission",
            "services.view_workflow",
            "services.add_workflow",
            "services.change_workflow",
            "services.delete_workflow",
            "services.view_messagetemplate",
            "services.add_messagetemplate",
            "services.change_messagetemplate",
            "services.delete_messagetemplate",
            "services.view_municipalservice",
            "services.add_municipalservice",
            "services.change_municipalservice",
            "services.delete_municipalservice",
            "services.view_demarchecopy",
            "services.add_demarchecopy",
            "services.change_demarchecopy",
        ),
    )


@hooks.register("register_admin_urls")
def demarche_models_urls():
    from .admin.library import library_urls

    return library_urls()


@hooks.register("register_admin_menu_item")
def demarche_models_menu_item():
    from .admin.library import library_menu_item

    return library_menu_item()


@hooks.register("register_commune_installable")
def commune_demarches():
    """The catalogue's démarche models, installed as drafts to adapt."""
    from .library import demarche_models_choices, install_demarche_models

    return CommuneInstallable(
        key="demarches",
        label=_("Démarches"),
        install=install_demarche_models,
        choices=demarche_models_choices,
        multiple=True,
        default="all",
        help_text=_(
            "Démarche models of the catalogue, installed as drafts under the page "
            "“Services”: “all”, none, or the models chosen."
        ),
    )


@hooks.register("register_account_settings_panel")
def new_request_alerts_panel(request, user, profile):
    from .admin.alerts import NewRequestAlertsPanel

    return NewRequestAlertsPanel(request, user, profile)


hooks.register("register_account_in_use", retention.with_open_request)
hooks.register("register_inactive_account_eraser", retention.account_requests_erase)


@hooks.register("register_commune_exchange", order=10)
def commune_file_part():
    from cms.extensions import CommuneExchange

    from .commune_file import services_export, services_import

    return CommuneExchange(key="services", export=services_export, import_=services_import)


@hooks.register("register_commune_setup_items", order=50)
def demarches_setup_item(site):
    """At least one démarche is published under the commune's services index."""
    from django.urls import reverse
    from django.utils.translation import gettext, ngettext

    from cms.extensions import SetupItem

    from .models import ServicePage

    index = ServiceIndexPage.objects.descendant_of(site.root_page).first()
    if index is None:
        return [
            SetupItem(
                label=gettext("Démarches published"),
                done=False,
                url=reverse("wagtailadmin_explore", args=[site.root_page_id]),
                detail=gettext("The commune has no services page."),
            )
        ]
    live = ServicePage.objects.child_of(index).live().count()
    drafts = ServicePage.objects.child_of(index).filter(live=False).count()
    if live:
        detail = ngettext("%(count)s published", "%(count)s published", live) % {"count": live}
    elif drafts:
        detail = ngettext(
            "None published yet, %(count)s draft", "None published yet, %(count)s drafts", drafts
        ) % {"count": drafts}
    else:
        detail = gettext("None yet: add the commune's démarches.")
    return [
        SetupItem(
            label=gettext("Démarches published"),
            done=bool(live),
            url=reverse("wagtailadmin_explore", args=[index.pk]),
            detail=detail,
        )
    ]


@hooks.register("register_commune_installable", order=30)
def message_templates_installable():
    from .messages import message_templates_install

    return CommuneInstallable(
        key="message_templates",
        label=_("Message templates"),
        install=message_templates_install,
        default=True,
        help_text=_(
            "Ready-made messages to citizens for an incomplete, accepted or refused request."
        ),
    )
