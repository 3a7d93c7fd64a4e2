"""What happens to a request: drafted step by step, sent, numbered, decided."""

import secrets
from dataclasses import dataclass

from django.core import signing
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cms.models import CommuneSettings

from .forms import Upload, document_answer
from .models import (
    FINAL_STATUSES,
    Attachment,
    ReferenceSequence,
    StatusChange,
    Submission,
    SubmissionStatus,
)

ALREADY_SENT = _("This request has already been sent.")
TRANSITION_REFUSED = _("A request “%(current)s” cannot become “%(new)s”.")
MESSAGE_REQUIRED = _("Write to the citizen why the request is “%(status)s”.")
NOT_INCOMPLETE = _("Documents can be added only while the request is incomplete.")
NOTHING_ADDED = _("Attach at least one document.")

TRANSITIONS = {
    SubmissionStatus.SUBMITTED: {
        SubmissionStatus.IN_REVIEW,
        SubmissionStatus.INCOMPLETE,
        SubmissionStatus.COMPLETE,
        SubmissionStatus.ACCEPTED,
        SubmissionStatus.REJECTED,
        SubmissionStatus.CLOSED,
    },
    SubmissionStatus.IN_REVIEW: {
        SubmissionStatus.INCOMPLETE,
        SubmissionStatus.COMPLETE,
        SubmissionStatus.ACCEPTED,
        SubmissionStatus.REJECTED,
        SubmissionStatus.CLOSED,
    },
    SubmissionStatus.INCOMPLETE: {
        SubmissionStatus.SUBMITTED,
        SubmissionStatus.IN_REVIEW,
        SubmissionStatus.COMPLETE,
        SubmissionStatus.REJECTED,
        SubmissionStatus.CLOSED,
    },
    SubmissionStatus.COMPLETE: {
        SubmissionStatus.IN_REVIEW,
        SubmissionStatus.INCOMPLETE,
        SubmissionStatus.ACCEPTED,
        SubmissionStatus.REJECTED,
        SubmissionStatus.CLOSED,
    },
}
MESSAGE_NEEDED = {SubmissionStatus.INCOMPLETE, SubmissionStatus.REJECTED}


class SubmissionError(Exception):
    pass


@dataclass(frozen=True)
class Contact:
    first_name: str
    last_name: str
    email: str
    phone: str = ""


ACCESS_SALT = "services.submission-access"


def access_key(submission: Submission) -> str:
    """The key of the link to a request made without an account: signed, so it
    cannot be guessed, and tied to a random value of the request. A request
    always gets the same key, so every e-mail about it carries the same link."""
    return signing.Signer(salt=ACCESS_SALT).sign_object(
        [submission.pk, submission.access_nonce], compress=True
    )


def access_key_read(key: str) -> tuple[int, str] | None:
    try:
        pk, nonce = signing.Signer(salt=ACCESS_SALT).unsign_object(key)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return pk, nonce


def submission_start(*, site, page, account=None) -> Submission:
    """A draft of the démarche: the account's existing one, or a new one."""
    if account is not None:
        from .selectors import draft_of

        draft = draft_of(site=site, page=page, account=account)
        if draft is not None:
            return draft
    return Submission.objects.create(
        site=site, page=page, title=page.title, account=account, progress={"raw": {}, "reached": 1}
    )


def _without_nul(value):
    """What was typed, less NUL characters: no form field accepts them, and
    PostgreSQL cannot store them in JSON."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    if isinstance(value, dict):
        return {_without_nul(key): _without_nul(item) for key, item in value.items()}
    return value


@transaction.atomic
def submission_save_step(
    *,
    submission: Submission,
    raw: dict,
    uploads: dict[str, Upload],
    by_post: set[str],
    reached: int = 1,
) -> Submission:
    """Keep what was typed in a step, and the files it attached, in the draft;
    ``reached`` is the furthest step the citizen may now open."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if not submission.is_draft:
        raise SubmissionError(ALREADY_SENT)
    progress = submission.progress or {}
    progress.setdefault("raw", {}).update(_without_nul(raw))
    progress["reached"] = max(progress.get("reached", 1), reached)
    submission.progress = progress
    submission.save(update_fields=["progress", "updated_at"])
    for key, upload in uploads.items():
        _attach(submission=submission, key=key, upload=upload, replace=True)
    for key in by_post:
        _detach(submission=submission, key=key)
    return submission


def _attach(*, submission, key, upload: Upload, replace: bool) -> Attachment:
    if replace:
        _detach(submission=submission, key=key)
    attachment = Attachment(
        site_id=submission.site_id,
        submission=submission,
        key=key,
        name=upload.name[:255],
        size=upload.size,
        content_type=upload.content_type,
    )
    attachment.file.save(upload.name, upload.file, save=False)
    attachment.save()
    return attachment


def _detach(*, submission, key) -> None:
    """Forget the current file of a field: deleted while the request is a draft,
    kept (no longer current) once the town hall may have seen it."""
    old = submission.attachments.filter(key=key, current=True)
    if submission.is_draft:
        for attachment in old:
            attachment.file.delete(save=False)
        old.delete()
    else:
        old.update(current=False)


def reference_next(*, site, year: int) -> str:
    """The next request number of the commune: ``CAR-2026-000123``.

    The row is incremented before it is read, so concurrent requests wait for
    each other's transaction and never share a number.
    """
    ReferenceSequence.objects.get_or_create(site=site, year=year)
    ReferenceSequence.objects.filter(site=site, year=year).update(last=F("last") + 1)
    last = ReferenceSequence.objects.get(site=site, year=year).last
    prefix = CommuneSettings.for_site(site).submission_prefix
    return f"{prefix}-{year}-{last:06d}"


@transaction.atomic
def submission_submit(
    *,
    submission: Submission,
    data: dict,
    revision,
    member=None,
    concerns: str = "",
    contact: Contact | None = None,
) -> Submission:
    """Send a draft: number it, keep its answers and the form's version, and
    e-mail the citizen its receipt (with, for a request without an account,
    the link that gives access to it)."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if not submission.is_draft:
        raise SubmissionError(ALREADY_SENT)
    now = timezone.now()
    submission.reference = reference_next(site=submission.site, year=timezone.localdate(now).year)
    submission.data = data
    submission.page_revision = revision
    submission.member = member
    submission.concerns = concerns
    submission.status = SubmissionStatus.SUBMITTED
    submission.submitted_at = now
    submission.status_changed_at = now
    submission.progress = {}
    if contact is not None:
        submission.contact_first_name = contact.first_name
        submission.contact_last_name = contact.last_name
        submission.contact_email = contact.email
        submission.contact_phone = contact.phone
        submission.access_nonce = secrets.token_hex(16)
    submission.save()
    StatusChange.objects.create(submission=submission, status=SubmissionStatus.SUBMITTED)

    from .tasks import send_submission_receipt

    transaction.on_commit(lambda: send_submission_receipt.enqueue(submission_id=submission.pk))
    return submission


@transaction.atomic
def submission_change_status(
    *, submission: Submission, status: str, author, message: str = ""
) -> StatusChange:
    """Move a request to another status, record it and write to the citizen."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    current = SubmissionStatus(submission.status)
    status = SubmissionStatus(status)
    if status not in TRANSITIONS.get(current, set()):
        raise SubmissionError(TRANSITION_REFUSED % {"current": current.label, "new": status.label})
    message = message.strip()
    if status in MESSAGE_NEEDED and not message:
        raise SubmissionError(MESSAGE_REQUIRED % {"status": status.label})
    submission.status = status
    submission.status_changed_at = timezone.now()
    submission.save(update_fields=["status", "status_changed_at", "updated_at"])
    change = StatusChange.objects.create(
        submission=submission,
        status=status,
        previous_status=current,
        author=author,
        message=message,
    )

    from .tasks import notify_status_change

    transaction.on_commit(lambda: notify_status_change.enqueue(status_change_id=change.pk))
    return change


@transaction.atomic
def submission_add_documents(*, submission: Submission, uploads: dict[str, Upload]) -> Submission:
    """The citizen sends the documents an incomplete request lacked; the
    request goes back to the town hall."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.status != SubmissionStatus.INCOMPLETE:
        raise SubmissionError(NOT_INCOMPLETE)
    if not uploads:
        raise SubmissionError(NOTHING_ADDED)
    data = dict(submission.data)
    names = []
    for key, upload in uploads.items():
        attachment = _attach(submission=submission, key=key, upload=upload, replace=True)
        data[key] = document_answer(attachment)
        names.append(attachment.name)
    submission.data = data
    submission.status = SubmissionStatus.SUBMITTED
    submission.status_changed_at = timezone.now()
    submission.save(update_fields=["data", "status", "status_changed_at", "updated_at"])
    StatusChange.objects.create(
        submission=submission,
        status=SubmissionStatus.SUBMITTED,
        previous_status=SubmissionStatus.INCOMPLETE,
        message=_("Documents added by the requester: %(names)s") % {"names": ", ".join(names)},
    )
    return submission


def submission_discard(*, submission: Submission) -> None:
    """Delete a draft and its files."""
    if not submission.is_draft:
        raise SubmissionError(ALREADY_SENT)
    for attachment in submission.attachments.all():
        attachment.file.delete(save=False)
    submission.delete()


def is_final(status) -> bool:
    return status in FINAL_STATUSES
