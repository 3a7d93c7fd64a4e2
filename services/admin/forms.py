"""The agents' forms on a request: its status, its reopening, its
assignment, a note, a document received by post; and those of the bulk
actions."""

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..corrections import correctable_items
from ..messaging import MESSAGE_EMPTY, MESSAGE_MAX_LENGTH
from ..models import MunicipalService, Submission
from ..policies import SUPERVISE, submission_policy
from ..services import agent_name, agents_of, agents_seeing, reopened_status
from ..statuses import SENT_STATUSES, Who
from ..workflows import status_choices


class StatusChangeForm(forms.Form):
    """The new status, among those the current one may become; for
    "Incomplet", the items the citizen must correct; and the message to the
    citizen, which a message template of the commune may fill."""

    status = forms.ChoiceField(
        label=gettext_lazy("New status"), choices=SENT_STATUSES, widget=forms.RadioSelect
    )
    requested = forms.MultipleChoiceField(
        label=gettext_lazy("What the citizen must correct or send (for “Incomplete”)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "The citizen will see these items only, and correct or send them online."
        ),
    )
    message = forms.CharField(
        label=gettext_lazy("Message to the citizen"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    document_text = forms.CharField(
        label=gettext_lazy("Free text of the document issued"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "Fills the free part of the document the new status issues; preview it before "
            "changing the status."
        ),
    )

    amount = forms.DecimalField(
        label=gettext_lazy("Amount to pay (€)"),
        required=False,
        min_value=Decimal("0.01"),
        max_value=Decimal("99999999.99"),
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    amount_reason = forms.CharField(
        label=gettext_lazy("What the amount is for"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Shown to the citizen with the amount, e.g. “Two extra days”."),
    )

    def __init__(self, *args, submission: Submission, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        definition = submission.definition
        supervisor = user is not None and submission_policy.user_has_permission_for_instance(
            user, SUPERVISE, submission
        )
        transitions = [
            transition
            for transition in submission.status_info.transitions
            if supervisor or transition.who != Who.SUPERVISORS
        ]
        targets = [definition.info(transition.target) for transition in transitions]
        # Any status of the workflow is accepted back, so that a request
        # changed meanwhile by someone else gets the service's explanation,
        # not "invalid choice".
        self.fields["status"].choices = [(info.value, info.label) for info in definition.statuses]
        self.fields["status"].widget.choices = [
            (transition.target, f"{transition.label} → {info.label}")
            for transition, info in zip(transitions, targets, strict=True)
        ]
        self.statuses_needing_items = " ".join(info.value for info in targets if info.needs_items)
        self.statuses_issuing_documents = " ".join(
            info.value for info in targets if info.issues_document
        )
        self.preview_status = self.statuses_issuing_documents.split(" ")[0]
        if not self.statuses_issuing_documents:
            del self.fields["document_text"]
        self.statuses_asking_amounts = " ".join(info.value for info in targets if info.asks_amount)
        if not self.statuses_asking_amounts:
            del self.fields["amount"]
            del self.fields["amount_reason"]
        if self.statuses_needing_items:
            self.fields["requested"].choices = [
                (item.key, item.label) for item in correctable_items(submission)
            ]
        else:
            del self.fields["requested"]
        needing_message = [str(info.label) for info in targets if info.needs_message]
        help_text = _("Sent to the citizen with the new status, and shown on the request's page.")
        if needing_message:
            help_text += " " + _("Required for “%(statuses)s”.") % {
                "statuses": "”, “".join(needing_message)
            }
        if self.statuses_needing_items:
            help_text += " " + _(
                "When asking for corrections, tick the items or explain them here."
            )
        self.fields["message"].help_text = help_text


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why reopen it"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Kept in the history for the agents. The request goes back to “%(status)s”; "
            "the citizen sees it open again."
        ),
    )

    def __init__(self, *args, submission: Submission, **kwargs):
        super().__init__(*args, **kwargs)
        target = reopened_status(submission)
        self.fields["reason"].help_text = self.fields["reason"].help_text % {
            "status": target.label if target else "–"
        }


class AssignForm(forms.Form):
    agent = forms.ModelChoiceField(
        label=gettext_lazy("Assigned to"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=gettext_lazy("Nobody"),
    )

    def __init__(self, *args, submission: Submission, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = agents_seeing(submission)
        self.fields["agent"].label_from_instance = agent_name


class TransferForm(forms.Form):
    """Another service of the request's commune, and why."""

    service = forms.ModelChoiceField(
        label=gettext_lazy("Transfer to"), queryset=MunicipalService.objects.none()
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Why the request goes to this service. The agents read it in the history; "
            "the citizen does not."
        ),
    )

    def __init__(self, *args, submission: Submission, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = MunicipalService.objects.filter(
            site_id=submission.site_id
        ).exclude(pk=submission.municipal_service_id)


class NoteForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("New note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Seen by the agents of the commune only, never by the citizen."),
    )


class ByPostForm(forms.Form):
    key = forms.CharField()
    received = forms.BooleanField(required=False)


class BulkAssignForm(forms.Form):
    agent = forms.ModelChoiceField(
        label=gettext_lazy("Assign to"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=gettext_lazy("Nobody"),
    )

    def __init__(self, *args, submissions, **kwargs):
        super().__init__(*args, **kwargs)
        sites = {submission.site_id for submission in submissions}
        self.fields["agent"].queryset = agents_of(sites=list(sites))
        self.fields["agent"].label_from_instance = agent_name


class BulkMessageForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Message to the citizens"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "The same text goes to every selected request's citizen: write nothing "
            "personal to one of them."
        ),
    )

    def __init__(self, *args, submissions, **kwargs):
        super().__init__(*args, **kwargs)

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError(MESSAGE_EMPTY, code="required")
        return text


class BulkStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("New status"), choices=SENT_STATUSES, widget=forms.RadioSelect
    )
    message = forms.CharField(
        label=gettext_lazy("Message to the citizen"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "The same message goes to every selected request's citizen. Required for "
            "“Rejected” and “Incomplete”."
        ),
    )

    def __init__(self, *args, submissions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = status_choices(
            list({submission.site_id for submission in submissions})
        )
