"""Assign the selected requests, or change their status."""

import uuid

from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cms.scoped_admin import DECIDE, ScopedBulkAction

from ..messaging import Sender, message_send
from ..models import Submission
from ..selectors import submissions_matching, submissions_visible_to
from ..services import SubmissionError, submission_assign, submission_change_status
from .filters import SubmissionFilterSet
from .forms import BulkAssignForm, BulkMessageForm, BulkStatusForm


class SubmissionBulkAction(ScopedBulkAction):
    """An action on the selected requests, each through the same service as
    one at a time. Requests the action does not apply to stay as they are and
    are named in an error message."""

    models = [Submission]
    template_name = "services/admin/bulk_action.html"
    error_class = SubmissionError
    filterset_class = SubmissionFilterSet
    ordering = ("submitted_at", "pk")

    def get_scoped_queryset(self):
        return submissions_visible_to(user=self.request.user, actions=DECIDE)

    def search(self, queryset, query):
        return submissions_matching(queryset, query)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "submissions": self.selected}

    def refused_message(self, submissions, reason):
        return _("Not changed: %(references)s. %(reason)s") % {
            "references": ", ".join(submission.reference for submission in submissions),
            "reason": reason,
        }


class AssignBulkAction(SubmissionBulkAction):
    display_name = gettext_lazy("Assign")
    action_type = "assign"
    aria_label = gettext_lazy("Assign the selected requests")
    action_priority = 10
    form_class = BulkAssignForm
    submit_label = gettext_lazy("Assign")
    explanation = gettext_lazy("Choose the agent of the commune who will process them.")

    def act(self, submission):
        submission_assign(
            submission=submission,
            agent=self.cleaned_form.cleaned_data["agent"],
            author=self.request.user,
        )

    def success_message(self, count):
        return ngettext("%(count)d request assigned.", "%(count)d requests assigned.", count) % {
            "count": count
        }


class StatusBulkAction(SubmissionBulkAction):
    display_name = gettext_lazy("Change status")
    action_type = "change_status"
    aria_label = gettext_lazy("Change the status of the selected requests")
    action_priority = 20
    form_class = BulkStatusForm
    submit_label = gettext_lazy("Change status")
    explanation = gettext_lazy(
        "Each citizen is told of the new status with the message below. A request that "
        "cannot take this status keeps its own."
    )

    def act(self, submission):
        data = self.cleaned_form.cleaned_data
        submission_change_status(
            submission=submission,
            status=data["status"],
            author=self.request.user,
            message=data["message"],
        )

    def success_message(self, count):
        return ngettext(
            "%(count)d request changed status; its citizen has been told.",
            "%(count)d requests changed status; each citizen has been told.",
            count,
        ) % {"count": count}


class MessageBulkAction(SubmissionBulkAction):
    """One message from the town hall to the citizen of each selected
    request (a closed day, a change of opening hours...), one per request,
    sharing a batch."""

    display_name = gettext_lazy("Write to the citizens")
    action_type = "message"
    aria_label = gettext_lazy("Write one message to the citizens of the selected requests")
    action_priority = 30
    form_class = BulkMessageForm
    submit_label = gettext_lazy("Send the message")
    explanation = gettext_lazy(
        "The message is added to each selected request, signed by its service (or the "
        "town hall), and each citizen is told once per request."
    )

    @cached_property
    def batch(self):
        return uuid.uuid4()

    def act(self, submission):
        message_send(
            submission=submission,
            sender=Sender.TOWN_HALL,
            author=self.request.user,
            text=self.cleaned_form.cleaned_data["text"],
            batch=self.batch,
        )

    def success_message(self, count):
        return ngettext(
            "Message sent to %(count)d request; its citizen has been told.",
            "Message sent to %(count)d requests; each citizen has been told.",
            count,
        ) % {"count": count}


BULK_ACTIONS = {
    action.action_type: action for action in (AssignBulkAction, StatusBulkAction, MessageBulkAction)
}
