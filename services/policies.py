"""Who may do what with requests, message templates and municipal services in
the admin."""

from cms.policies import CommunePermissionPolicy

from .models import MessageTemplate, MunicipalService, Submission, Workflow

#: Supervisors reopen decided requests and use the transitions kept for them.
SUPERVISE = "supervise"

#: Nobody adds or deletes a request in the admin, not even a platform admin:
#: the answers belong to the citizen, and the retention rules erase them.
submission_policy = CommunePermissionPolicy(Submission, never_allowed={"add", "delete"})
message_template_policy = CommunePermissionPolicy(MessageTemplate)
workflow_policy = CommunePermissionPolicy(Workflow)
#: The supervisors manage the commune's services; whoever may change them
#: sees every request of the commune, whatever services they belong to.
municipal_service_policy = CommunePermissionPolicy(MunicipalService)
#: What makes someone a supervisor of the commune's services.
MANAGE_SERVICES = ("change",)
