"""Who may do what with requests and message templates in the admin."""

from cms.policies import CommunePermissionPolicy

from .models import MessageTemplate, Submission, Workflow

#: Supervisors reopen decided requests and use the transitions kept for them.
SUPERVISE = "supervise"

#: Nobody adds or deletes a request in the admin, not even a platform admin:
#: the answers belong to the citizen, and the retention rules erase them.
submission_policy = CommunePermissionPolicy(Submission, never_allowed={"add", "delete"})
message_template_policy = CommunePermissionPolicy(MessageTemplate)
workflow_policy = CommunePermissionPolicy(Workflow)
