"""The message thread of a request, between its citizen and the town hall.

A message carries text and files, which pass the same checks and limits as
supporting documents (type read from the content, size, antivirus). The
citizen reads who wrote as the request's service (or the town hall), and the
agent's own name only where the commune chose it (``ServiceSettings``). A
closed request takes no new message from its citizen. Each message is kept
in the commune's log and announced to the other side, without its text in
the short notice.
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django import forms
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cms.audit import audit
from cms.models import CommuneSettings

from .fields.documents import DocumentField, document_type_names
from .models import MessageAttachment, RequestMessage, ServiceSettings, Submission
from .services import SubmissionError, agent_name

Sender = RequestMessage.Sender

#: The same limits as a supporting document with the default settings.
MESSAGE_FILE_TYPES = ("pdf", "jpeg", "png")
MESSAGE_FILE_MAX_MB = 5
MESSAGE_MOST_FILES = 5
MESSAGE_MAX_LENGTH = 5000
MESSAGE_FILES_FIELD = "files"

MESSAGE_EMPTY = _("Write your message.")
MESSAGE_TOO_MANY_FILES = _("Attach %(most)d files at most to one message.")
MESSAGE_CLOSED = _(
    "This request is closed: it no longer takes messages. To write to the town hall "
    "about it, use the contact details below."
)


class MessageError(SubmissionError):
    pass


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MessageFilesField(DocumentField):
    """Several files, each checked as a supporting document; the first
    refused one stops the form with its reason."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("types", MESSAGE_FILE_TYPES)
        kwargs.setdefault("max_size_mb", MESSAGE_FILE_MAX_MB)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MESSAGE_MOST_FILES:
            raise forms.ValidationError(
                MESSAGE_TOO_MANY_FILES, code="too_many", params={"most": MESSAGE_MOST_FILES}
            )
        return [super(MessageFilesField, self).clean(file, initial) for file in files]


class MessageForm(forms.Form):
    text = forms.CharField(
        label=_("Your message"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": MESSAGE_EMPTY},
    )
    files = MessageFilesField(
        label=_("Files (optional)"),
        help_text=_("Up to %(most)d files of %(size)d MB each: %(types)s.")
        % {
            "most": MESSAGE_MOST_FILES,
            "size": MESSAGE_FILE_MAX_MB,
            "types": document_type_names(MESSAGE_FILE_TYPES),
        },
    )

    def __init__(self, *args, text_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if text_label:
            self.fields["text"].label = text_label

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError(MESSAGE_EMPTY, code="required")
        return text


def message_upload_limits(*args, **kwargs) -> dict[str, int]:
    """The most each file of a message may weigh, for ``cms.uploads.upload_limits``."""
    return {MESSAGE_FILES_FIELD: MESSAGE_FILE_MAX_MB * 1024 * 1024}


def accepts_citizen_messages(submission: Submission) -> bool:
    return not submission.status_info.is_final


def town_hall_name(submission: Submission) -> str:
    """Who the town hall's messages come from, as the citizen reads it."""
    if submission.municipal_service_id:
        return submission.municipal_service.name
    commune = CommuneSettings.for_site(submission.site)
    return commune.phrase or commune.official_name or str(_("The town hall"))


def signature_for(submission: Submission, *, sender: str, author) -> str:
    if sender == Sender.CITIZEN:
        return submission.requester_name
    name = town_hall_name(submission)
    if author is not None and ServiceSettings.for_site(submission.site).messages_signed_by_agent:
        return f"{agent_name(author)} ({name})"
    return name


def commune_contact(submission: Submission) -> CommuneSettings:
    return CommuneSettings.for_site(submission.site)


@transaction.atomic
def message_send(
    *, submission: Submission, sender: str, author, text: str, files=(), batch=None
) -> RequestMessage:
    """Keep a message and its files (``Upload``s checked by ``MessageForm``),
    log it, and announce it to the other side once committed."""
    submission = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("site", "municipal_service", "account")
        .get(pk=submission.pk)
    )
    if sender == Sender.CITIZEN and not accepts_citizen_messages(submission):
        raise MessageError(MESSAGE_CLOSED)
    text = (text or "").strip()
    if not text:
        raise MessageError(MESSAGE_EMPTY)
    message = RequestMessage.objects.create(
        site_id=submission.site_id,
        submission=submission,
        sender=sender,
        author=author,
        signature=signature_for(submission, sender=sender, author=author)[:150],
        text=text[:MESSAGE_MAX_LENGTH],
        batch=batch,
    )
    for upload in files:
        attachment = MessageAttachment(
            site_id=submission.site_id,
            message=message,
            name=upload.name[:255],
            size=upload.size,
            content_type=upload.content_type,
        )
        attachment.file.save(upload.name, upload.file, save=False)
        attachment.save()
    audit(
        submission,
        "services.message",
        user=author,
        data={
            "message": message.pk,
            "from": sender,
            "files": len(files),
            **({"batch": str(batch)} if batch else {}),
        },
    )
    from .tasks import notify_agents_of_message, notify_citizen_of_message

    task = notify_citizen_of_message if sender == Sender.TOWN_HALL else notify_agents_of_message
    transaction.on_commit(lambda: task.enqueue(message_id=message.pk))
    return message


def messages_send_batch(*, submissions, author, text: str) -> tuple[uuid.UUID, list]:
    """One message from the town hall to each request, sharing a batch."""
    batch = uuid.uuid4()
    sent = [
        message_send(
            submission=submission,
            sender=Sender.TOWN_HALL,
            author=author,
            text=text,
            batch=batch,
        )
        for submission in submissions
    ]
    return batch, sent


def messages_mark_read(*, submission: Submission, reader: str) -> int:
    """The other side's messages, read now by ``reader`` (a ``Sender``)."""
    other = Sender.CITIZEN if reader == Sender.TOWN_HALL else Sender.TOWN_HALL
    return submission.messages.filter(sender=other, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def message_attachment_of(*, submission: Submission, pk) -> MessageAttachment:
    from django.http import Http404

    try:
        return MessageAttachment.objects.select_related("message").get(
            pk=pk, message__submission=submission, site_id=submission.site_id
        )
    except (MessageAttachment.DoesNotExist, ValueError):
        raise Http404 from None


# The timeline: status changes, documents issued and messages, in order.


@dataclass
class TimelineEntry:
    at: datetime
    kind: str  # "change" or "message"
    change: object = None
    message: object = None
    documents: list = field(default_factory=list)


def timeline(submission: Submission, *, for_citizen: bool) -> list[TimelineEntry]:
    """Everything that happened to the request, oldest first: its status
    changes (with what was asked, corrected and issued) and its messages.
    The citizen's omits the statuses hidden from them."""
    changes = submission.history.select_related("author")
    if not for_citizen:
        changes = changes.prefetch_related("runs")
    issued = {}
    for document in submission.issued.all():
        issued.setdefault(document.status_change_id, []).append(document)
    entries = [
        TimelineEntry(
            at=change.created_at,
            kind="change",
            change=change,
            documents=issued.get(change.pk, []),
        )
        for change in changes
        if not for_citizen or change.shown_to_citizen
    ]
    entries += [
        TimelineEntry(at=message.created_at, kind="message", message=message)
        for message in submission.messages.select_related("author").prefetch_related("attachments")
    ]
    entries.sort(key=lambda entry: entry.at)
    return entries
