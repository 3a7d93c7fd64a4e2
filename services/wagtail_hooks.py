from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from cms.models import AuditLogEntry

from . import account_pages  # noqa: F401 (registers the account tabs and panels)
from .admin_templates import MessageTemplateViewSet, message_template_policy
from .admin_views import (
    AssignBulkAction,
    StatusBulkAction,
    SubmissionViewSet,
    submission_policy,
)
from .models import MessageTemplate, Submission

# Registered before the viewset, which would otherwise create a global,
# all-communes policy for the model.
register_permission_policy(Submission, submission_policy, exact_class=True)
register_snippet(SubmissionViewSet)
register_permission_policy(MessageTemplate, message_template_policy, exact_class=True)
register_snippet(MessageTemplateViewSet)
hooks.register("register_bulk_action", AssignBulkAction)
hooks.register("register_bulk_action", StatusBulkAction)


@hooks.register("register_log_actions")
def agents_actions_on_requests(actions):
    """What agents do to requests, kept in the commune's log (``cms.audit``)."""
    actions.register_model(Submission, AuditLogEntry)
    for action, label, message in (
        ("services.view", _("Request opened"), _("Opened the request")),
        ("services.status", _("Status changed"), _("Changed the status")),
        ("services.assign", _("Request assigned"), _("Assigned the request")),
        ("services.note", _("Internal note"), _("Wrote an internal note")),
        ("services.by_post", _("Document received by post"), _("Ticked a document as received")),
        ("services.download", _("Document downloaded"), _("Downloaded a document")),
        ("services.archive_pdf", _("Request printed"), _("Downloaded the request as PDF")),
        ("services.export", _("Requests exported"), _("Exported the requests")),
    ):
        actions.register_action(action, label, message)


from . import dashboard  # noqa: E402,F401 (registers the admin home panels)


@hooks.register("register_admin_urls")
def export_urls():
    from .admin_exports import export_urls

    return export_urls()
