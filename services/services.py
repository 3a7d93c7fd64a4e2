"""What happens to a request: drafted step by step, sent, numbered, decided."""

import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core import signing
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks.base import Task

from cms.audit import audit
from cms.files import file_delete_on_commit
from cms.placeholders import fill_for_site

from .fields.documents import Upload
from .models import (
    Attachment,
    InternalNote,
    MunicipalService,
    ReferenceSequence,
    SavedFilter,
    ServiceSettings,
    ServiceTransfer,
    StatusChange,
    Submission,
)
from .routing import submission_route
from .search import submission_search_text
from .statuses import AWAITING_PAYMENT, UNPAID, StatusGroup, StatusInfo, SubmissionStatus, Who

ALREADY_SENT = _("This request has already been sent.")
TRANSITION_REFUSED = _("A request “%(current)s” cannot become “%(new)s”.")
MESSAGE_REQUIRED = _("Write to the citizen why the request is “%(status)s”.")
ITEMS_OR_MESSAGE_REQUIRED = _(
    "Tick what the citizen must correct or send, or write it in the message."
)
UNKNOWN_ITEM = _("“%(key)s” is not an answer or a document of this request.")
SUPERVISORS_ONLY = _("Only a supervisor may make a request “%(new)s”.")
NOT_AN_AGENT = _("%(name)s is not an agent of this commune.")
NOTE_EMPTY = _("Write the note.")
NOT_SEEING = _("%(name)s does not see the requests of the service “%(service)s”.")
TRANSFER_NOTE_REQUIRED = _("Say in a note why the request goes to another service.")
TRANSFER_SAME_SERVICE = _("The request is already with the service “%(service)s”.")
TRANSFER_NOT_ALLOWED = _(
    "Only the agents of the service “%(service)s” and the supervisors may transfer this request."
)
NOT_A_SERVICE = _("This is not a service of the request's commune.")
NOT_BY_POST = _("This document was not promised by post.")
SAVED_FILTER_NAME_REQUIRED = _("Name the filter to save it.")
SAVED_FILTER_COMMUNE = _("Choose a commune among the filters before saving them.")
REOPEN_NOT_FINAL = _("Only a decided or closed request can be reopened.")
REOPEN_REASON_REQUIRED = _("Write why the request is reopened.")
REOPEN_SUPERVISORS_ONLY = _("Only a supervisor may reopen a decided request.")
REOPEN_NOWHERE = _("The workflow of this request has no status that waits for the town hall.")
AMOUNT_REQUIRED = _("Type the amount the citizen must pay for “%(status)s”, and its reason.")


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


def submission_blank(*, site, page, account=None) -> Submission:
    """A new draft of the démarche, not saved: what its steps show before
    the citizen sends anything (``submission_start`` keeps it). Its title is
    the démarche's, placeholders filled: the request keeps it as it was."""
    return Submission(
        site=site,
        page=page,
        title=fill_for_site(page.title, site.pk),
        account=account,
        progress={"raw": {}, "reached": 1},
    )


def submission_start(*, site, page, account=None) -> Submission:
    """A draft of the démarche: the account's existing one, or a new one."""
    if account is not None:
        from .selectors import draft_of

        draft = draft_of(site=site, page=page, account=account)
        if draft is not None:
            return draft
    draft = submission_blank(site=site, page=page, account=account)
    draft.save()
    return draft


def _draft_locked(submission: Submission) -> Submission:
    """The draft's row, locked until the transaction ends, with the commune,
    démarche and account the caller already read (a draft's never change).
    A draft not saved yet (``submission_blank``) is saved here: it has no
    row to lock, and it is kept only if the transaction is."""
    if submission.pk is None:
        submission.save()
        return submission
    locked = Submission.objects.select_for_update().get(pk=submission.pk)
    for name in ("site", "page", "account"):
        field = Submission._meta.get_field(name)
        if field.is_cached(submission) and getattr(locked, field.attname) == getattr(
            submission, field.attname
        ):
            field.set_cached_value(locked, field.get_cached_value(submission))
    return locked


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
    removed: set[str] = frozenset(),
    reached: int = 1,
) -> Submission:
    """Keep what was typed in a step, and the files it attached, in the draft;
    the files of ``by_post`` (now promised by post) and ``removed`` keys are
    taken back; ``reached`` is the furthest step the citizen may now open.

    A draft not saved yet (``submission_blank``) is kept here, with its first
    step, in the same transaction: a step that fails to be saved leaves no
    empty draft behind. It has no row to lock and no document to replace."""
    fresh = submission.pk is None
    if not fresh:
        submission = _draft_locked(submission)
    if not submission.is_draft:
        raise SubmissionError(ALREADY_SENT)
    progress = submission.progress or {}
    progress.setdefault("raw", {}).update(_without_nul(raw))
    progress["reached"] = max(progress.get("reached", 1), reached)
    submission.progress = progress
    if fresh:
        submission.save()
    else:
        submission.save(update_fields=["progress", "updated_at"])
    touched = [*uploads, *by_post, *removed]
    replaced = (
        list(submission.attachments.filter(current=True, key__in=touched))
        if touched and not fresh
        else []
    )
    for key, upload in uploads.items():
        _attach(submission=submission, key=key, upload=upload, replace=False)
    # Dropped only once the new files are stored.
    _drop(submission=submission, attachments=replaced)
    return submission


def _attach(*, submission, key, upload: Upload, replace: bool) -> Attachment:
    """Store a document of the request; with ``replace``, in place of the
    field's current one, which is dropped only once the new one is stored."""
    replaced = list(submission.attachments.filter(key=key, current=True)) if replace else []
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
    _drop(submission=submission, attachments=replaced)
    return attachment


def _drop(*, submission, attachments: list[Attachment]) -> None:
    """Documents replaced or taken back: deleted while the request is a draft
    (their files once that is committed), kept (no longer current) once the
    town hall may have seen them."""
    if not attachments:
        return
    dropped = Attachment.objects.filter(pk__in=[attachment.pk for attachment in attachments])
    if submission.is_draft:
        dropped.delete()
        for attachment in attachments:
            file_delete_on_commit(attachment.file)
    else:
        dropped.update(current=False)


def reference_next(*, site, year: int, settings: ServiceSettings | None = None) -> str:
    """The next request number of the commune: ``CAR-2026-000123``;
    ``settings``, the commune's ``ServiceSettings`` if the caller has them.

    The row is incremented before it is read, so concurrent requests wait for
    each other's transaction and never share a number.
    """
    ReferenceSequence.objects.get_or_create(site=site, year=year)
    ReferenceSequence.objects.filter(site=site, year=year).update(last=F("last") + 1)
    last = ReferenceSequence.objects.get(site=site, year=year).last
    if settings is None or settings.site_id != site.pk:
        settings = ServiceSettings.for_site(site)
    prefix = settings.submission_prefix
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
    settings: ServiceSettings | None = None,
) -> Submission:
    """Send a draft: number it, keep its answers and the form's version, and
    e-mail the citizen its receipt (with, for a request without an account,
    the link that gives access to it). ``settings``: the commune's
    ``ServiceSettings`` as the request read them (``for_request``)."""
    submission = _draft_locked(submission)
    if not submission.is_draft:
        raise SubmissionError(ALREADY_SENT)
    now = timezone.now()
    submission.reference = reference_next(
        site=submission.site, year=timezone.localdate(now).year, settings=settings
    )
    submission.data = data
    submission.page_revision = revision
    submission.member = member
    submission.concerns = concerns
    submission.submitted_at = now
    submission.progress = {}
    from .workflows import definition_of, workflow_for

    submission.workflow = workflow_for(submission.page, submission.site)
    submission.municipal_service = submission_route(
        page=submission.page, steps=submission.steps, data=data
    )
    if contact is not None:
        submission.contact_first_name = contact.first_name
        submission.contact_last_name = contact.last_name
        submission.contact_email = contact.email
        submission.contact_phone = contact.phone
        submission.access_nonce = secrets.token_hex(16)
    submission.search_text = submission_search_text(submission)
    from .extensions import holds_for_payment

    held = holds_for_payment(submission)
    status = AWAITING_PAYMENT.value if held else definition_of(submission.workflow).initial.value
    submission_status_set(submission=submission, status=status, at=now)

    from .tasks import notify_agents_of_new_request, send_submission_receipt

    transaction.on_commit(lambda: send_submission_receipt.enqueue(submission_id=submission.pk))
    if not held:
        transaction.on_commit(
            lambda: notify_agents_of_new_request.enqueue(submission_id=submission.pk)
        )
    return submission


@transaction.atomic
def submission_release(*, submission: Submission) -> bool:
    """Send on to the town hall a request that waited for its payment: it
    enters its workflow's first status (whose actions run) and its agents
    are told. ``False`` when it no longer waits (sent on already, abandoned):
    a second notice of the same payment changes nothing."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.status != AWAITING_PAYMENT.value:
        return False
    submission_status_set(
        submission=submission, status=submission.definition.initial.value, automatic=True
    )
    from .tasks import notify_agents_of_new_request

    transaction.on_commit(lambda: notify_agents_of_new_request.enqueue(submission_id=submission.pk))
    return True


@transaction.atomic
def submission_abandon_unpaid(*, submission: Submission, message: str = "") -> bool:
    """Close a request whose price was not paid in time: its answers are
    kept, and its citizen is told. ``False`` when it no longer waits for
    its payment."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.status != AWAITING_PAYMENT.value:
        return False
    submission_status_set(
        submission=submission,
        status=UNPAID.value,
        message=message,
        automatic=True,
        tell_citizen=True,
    )
    return True


@transaction.atomic
def submission_change_status(
    *,
    submission: Submission,
    status: str,
    author,
    message: str = "",
    requested: list[str] | None = None,
    document_text: str = "",
    amount: Decimal | None = None,
    amount_reason: str = "",
) -> StatusChange:
    """Move a request to another status, record it and write to the citizen.

    "Incomplet" names what the citizen must correct or send (``requested``:
    keys of the request's answers and documents) or says it in the message.
    A status that asks for a payment of an amount the agent types needs
    ``amount`` and ``amount_reason``.
    """
    from .corrections import correctable_items
    from .policies import SUPERVISE, submission_policy

    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    current = submission.status_info
    new = submission.definition.info(status)
    transition = current.transition_to(new.value)
    if transition is None:
        raise SubmissionError(TRANSITION_REFUSED % {"current": current.label, "new": new.label})
    if transition.who == Who.SUPERVISORS and not submission_policy.user_has_permission_for_instance(
        author, SUPERVISE, submission
    ):
        raise SubmissionError(SUPERVISORS_ONLY % {"new": new.label})
    message = message.strip()
    if new.needs_message and not message:
        raise SubmissionError(MESSAGE_REQUIRED % {"status": new.label})
    items = []
    if new.needs_items:
        offered = {item.key: item for item in correctable_items(submission)}
        for key in requested or []:
            if key not in offered:
                raise SubmissionError(UNKNOWN_ITEM % {"key": key})
        wanted = set(requested or [])
        items = [{"key": k, "label": item.label} for k, item in offered.items() if k in wanted]
        if not items and not message:
            raise SubmissionError(ITEMS_OR_MESSAGE_REQUIRED)

    amount_reason = amount_reason.strip()
    if new.asks_amount and (amount is None or amount <= 0 or not amount_reason):
        raise SubmissionError(AMOUNT_REQUIRED % {"status": new.label})

    return submission_status_set(
        submission=submission,
        status=new.value,
        author=author,
        message=message,
        requested=items,
        document_text=document_text.strip() if new.issues_document else "",
        amount=amount if new.asks_amount else None,
        amount_reason=amount_reason if new.asks_amount else "",
        tell_citizen=True,
    )


def reopened_status(submission: Submission) -> StatusInfo | None:
    """Where a reopened request goes: "En instruction" when its workflow
    has it, waiting for the town hall, or else the workflow's first status
    that waits for the town hall."""
    definition = submission.definition
    waiting = [info for info in definition.statuses if info.group == StatusGroup.TO_PROCESS]
    preferred = [info for info in waiting if info.value == SubmissionStatus.IN_REVIEW]
    return (preferred or waiting or [None])[0]


@transaction.atomic
def submission_reopen(*, submission: Submission, author, reason: str) -> StatusChange:
    """Put a decided or closed request back to waiting for the town hall
    (``reopened_status``), for instance after a decision given by mistake:
    by a supervisor only. The reason is kept in the history for the agents;
    the citizen sees the request open again."""
    from .policies import SUPERVISE, submission_policy

    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if not submission_policy.user_has_permission_for_instance(author, SUPERVISE, submission):
        raise SubmissionError(REOPEN_SUPERVISORS_ONLY)
    if not submission.status_info.is_final:
        raise SubmissionError(REOPEN_NOT_FINAL)
    reason = reason.strip()
    if not reason:
        raise SubmissionError(REOPEN_REASON_REQUIRED)
    target = reopened_status(submission)
    if target is None:
        raise SubmissionError(REOPEN_NOWHERE)
    return submission_status_set(
        submission=submission,
        status=target.value,
        author=author,
        reason=reason,
        tell_citizen=True,
    )


def submission_status_set(
    *,
    submission: Submission,
    status: str,
    author=None,
    message: str = "",
    reason: str = "",
    requested: list[dict] | None = None,
    changes: list[dict] | None = None,
    at: datetime | None = None,
    notify: Task | None = None,
    document_text: str = "",
    amount: Decimal | None = None,
    amount_reason: str = "",
    tell_citizen: bool = False,
    automatic: bool = False,
) -> StatusChange:
    """Put a request in ``status`` and record it: the one place a request's
    status changes (sending, an agent's decision, the citizen's corrections).

    Saves the whole request, with whatever else the caller changed in it, and
    writes its history row; the first row, its sending, has no previous
    status. ``reason`` is kept in the history for the agents only. A
    change by an agent (``author``) goes to the agents' log. ``notify`` is a
    task run with the new row (``status_change_id``) once the transaction
    is committed, as are the new status's actions (``services.automation``),
    which also tell the citizen when ``tell_citizen``. The caller checks
    that the change is allowed, inside a transaction that locked the
    request's row.
    """
    previous = submission.status
    submission.status = status
    submission.status_changed_at = at or timezone.now()
    submission.save()
    change = StatusChange.objects.create(
        submission=submission,
        status=status,
        previous_status="" if previous == SubmissionStatus.DRAFT else previous,
        author=author,
        message=message,
        document_text=document_text,
        amount=amount,
        amount_reason=amount_reason,
        automatic=automatic,
        reason=reason,
        requested=requested or [],
        changes=changes or [],
    )
    if author is not None:
        audit(
            submission,
            "services.status",
            user=author,
            data={
                "from": previous,
                "to": status,
                "items": [item["key"] for item in requested or []],
                # The names, as the workflow had them, for the agents' log.
                "names": [
                    str(submission.definition.info(previous).label),
                    str(submission.definition.info(status).label),
                ],
                "reopened": bool(reason),
            },
        )
    if notify is not None:
        transaction.on_commit(lambda: notify.enqueue(status_change_id=change.pk))
    from .signals import status_changed_send
    from .tasks import run_status_actions

    transaction.on_commit(
        lambda: run_status_actions.enqueue(status_change_id=change.pk, tell_citizen=tell_citizen)
    )
    transaction.on_commit(
        lambda: status_changed_send(submission_id=submission.pk, status_change_id=change.pk)
    )
    return change


def agents_of(site=None, *, sites=None):
    """The staff who may process the requests of a commune (or of any of
    ``sites``), by name."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from wagtail.models import GroupSitePermission

    permission = Permission.objects.get(
        content_type__app_label="services", codename="change_submission"
    )
    sites = [site] if site is not None else sites
    groups = GroupSitePermission.objects.filter(site__in=sites, permission=permission).values(
        "group_id"
    )
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(groups__in=groups)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def staff_who_see(submission: Submission):
    """The staff who see ``submission`` in their queue, by name: those told of
    it when it is sent. Every notice to staff about a request asks this one
    function, so that a narrower rule of who sees what applies to all."""
    return agents_seeing(submission)


def supervisors_of(site) -> QuerySet:
    """The groups of the commune's supervisors, who see all its requests."""
    from django.contrib.auth.models import Permission
    from wagtail.models import GroupSitePermission

    permission = Permission.objects.get(
        content_type__app_label="services", codename="supervise_submission"
    )
    return GroupSitePermission.objects.filter(site=site, permission=permission).values("group_id")


def agents_seeing(submission: Submission):
    """The agents of the request's commune who see it: every one when it
    belongs to no service; else the agents of its service, those of no
    service of the commune, and the supervisors (as
    ``selectors.within_services_of`` has it)."""
    agents = agents_of(submission.site)
    if submission.municipal_service_id is None:
        return agents
    return agents.filter(
        Q(municipal_services=submission.municipal_service_id)
        | ~Q(municipal_services__site=submission.site_id)
        | Q(groups__in=supervisors_of(submission.site))
    )


def may_transfer(*, user, submission: Submission) -> bool:
    """The supervisors transfer any request of their commune; an agent,
    those of their own service (or of no service)."""
    from .policies import SUPERVISE, submission_policy

    if submission.municipal_service_id is None or (
        submission_policy.user_has_permission_for_instance(user, SUPERVISE, submission)
    ):
        return True
    return submission.municipal_service.agents.filter(pk=user.pk).exists()


@transaction.atomic
def submission_transfer(
    *, submission: Submission, service: MunicipalService, author, note: str
) -> ServiceTransfer:
    """Hand a request to another municipal service of its commune, with a
    note for the agents; its assignment is dropped if the agent it was given
    to no longer sees it. The history and the agents' log say so."""
    submission = (
        # Only the request's row is locked: its service may be none (an
        # outer join, which PostgreSQL does not lock).
        Submission.objects.select_for_update(of=("self",))
        .select_related("site", "municipal_service")
        .get(pk=submission.pk)
    )
    note = note.strip()
    if not note:
        raise SubmissionError(TRANSFER_NOTE_REQUIRED)
    if service.site_id != submission.site_id:
        raise SubmissionError(NOT_A_SERVICE)
    previous = submission.municipal_service
    if not may_transfer(user=author, submission=submission):
        raise SubmissionError(TRANSFER_NOT_ALLOWED % {"service": previous.name})
    if previous is not None and previous.pk == service.pk:
        raise SubmissionError(TRANSFER_SAME_SERVICE % {"service": service.name})
    submission.municipal_service = service
    fields = ["municipal_service", "updated_at"]
    if (
        submission.assigned_to_id
        and not agents_seeing(submission).filter(pk=submission.assigned_to_id).exists()
    ):
        submission.assigned_to = None
        fields.append("assigned_to")
    submission.save(update_fields=fields)
    transfer = ServiceTransfer.objects.create(
        submission=submission,
        from_service=previous.name if previous else "",
        to_service=service.name,
        author=author,
        note=note,
    )
    audit(
        submission,
        "services.transfer",
        user=author,
        data={"from": transfer.from_service, "to": transfer.to_service, "note": note},
    )
    return transfer


@transaction.atomic
def submission_assign(*, submission: Submission, agent, author) -> Submission:
    """Give a request to an agent of its commune who sees it, or to nobody
    (``None``)."""
    submission = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("municipal_service")
        .get(pk=submission.pk)
    )
    if agent is not None and not agents_of(submission.site).filter(pk=agent.pk).exists():
        raise SubmissionError(NOT_AN_AGENT % {"name": agent.get_full_name() or agent.username})
    if agent is not None and not agents_seeing(submission).filter(pk=agent.pk).exists():
        raise SubmissionError(
            NOT_SEEING % {"name": agent_name(agent), "service": submission.service_name}
        )
    if submission.assigned_to_id == (agent.pk if agent else None):
        return submission
    submission.assigned_to = agent
    submission.save(update_fields=["assigned_to", "updated_at"])
    audit(
        submission,
        "services.assign",
        user=author,
        data={"to": agent.pk if agent else None, "name": agent_name(agent)},
    )
    return submission


def agent_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def note_add(*, submission: Submission, author, text: str) -> InternalNote:
    """A note for the other agents; the citizen never sees it."""
    text = text.strip()
    if not text:
        raise SubmissionError(NOTE_EMPTY)
    note = InternalNote.objects.create(submission=submission, author=author, text=text)
    audit(submission, "services.note", user=author, data={"note": note.pk})
    return note


@transaction.atomic
def document_received_by_post(
    *, submission: Submission, key: str, received: bool, author
) -> Submission:
    """Tick (or untick) a document promised by post as received."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    answer = submission.data.get(key)
    if not (isinstance(answer, dict) and answer.get("by_post")):
        raise SubmissionError(NOT_BY_POST)
    received_by_post = dict(submission.received_by_post)
    if received:
        received_by_post[key] = {
            "on": timezone.localdate().isoformat(),
            "by": agent_name(author),
        }
    else:
        received_by_post.pop(key, None)
    submission.received_by_post = received_by_post
    submission.save(update_fields=["received_by_post", "updated_at"])
    audit(submission, "services.by_post", user=author, data={"key": key, "received": received})
    return submission


@transaction.atomic
def submission_discard(*, submission: Submission) -> None:
    """Delete a draft, and its files once that is committed."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if not submission.is_draft:
        raise SubmissionError(ALREADY_SENT)
    attachments = list(submission.attachments.all())
    submission.delete()
    for attachment in attachments:
        file_delete_on_commit(attachment.file)


def saved_filter_create(*, owner, site, name: str, query: str) -> SavedFilter:
    """Keep the queue's filters (its query string) under a name, for
    ``owner`` in ``site``."""
    name = name.strip()
    if not name:
        raise SubmissionError(SAVED_FILTER_NAME_REQUIRED)
    if site is None:
        raise SubmissionError(SAVED_FILTER_COMMUNE)
    return SavedFilter.objects.create(owner=owner, site=site, name=name[:80], query=query)


def saved_filter_delete(*, saved_filter: SavedFilter) -> None:
    saved_filter.delete()
