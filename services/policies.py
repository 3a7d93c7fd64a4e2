"""Who may do what with requests, message templates and municipal services in
the admin."""

from cms.policies import CommunePermissionPolicy

from .models import DemarcheCopy, MessageTemplate, MunicipalService, Submission, Workflow

#: Supervisors reopen decided requests and use the transitions kept for them.
SUPERVISE = "supervise"


class SubmissionPermissionPolicy(CommunePermissionPolicy):
    """Requests: those of the user's communes, and within a commune those of
    the user's municipal services (``selectors.within_services_of``)."""

    def within_commune(self, user, records):
        from .selectors import within_services_of

        return records.filter(within_services_of(user=user))

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return (
            super().user_has_any_permission_for_instance(user, actions, instance)
            and self.within_commune(user, Submission.objects.filter(pk=instance.pk)).exists()
        )


#: Nobody adds or deletes a request in the admin, not even a platform admin:
#: the answers belong to the citizen, and the retention rules erase them.
submission_policy = SubmissionPermissionPolicy(Submission, never_allowed={"add", "delete"})
message_template_policy = CommunePermissionPolicy(MessageTemplate)
workflow_policy = CommunePermissionPolicy(Workflow)
#: The supervisors manage the commune's municipal services.
municipal_service_policy = CommunePermissionPolicy(MunicipalService)
#: The communication staff and the supervisors install démarche models
#: (``add``) and apply their new versions (``change``).
demarche_copy_policy = CommunePermissionPolicy(DemarcheCopy)
