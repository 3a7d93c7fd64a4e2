"""How long personal data are kept (GDPR article 5(1)(e)), applied every day.

- A request decided or closed (in a final status) is anonymised once its
  démarche's retention period (``ServicePage.retention_months``, else the
  commune's ``ServiceSettings.retention_months``) has passed since its last
  change of status: answers, contact details, messages, corrections and notes
  are erased, its documents and the files sent with messages deleted from
  storage. Its number, démarche, commune, status and dates stay, so the
  statistics do not change.
- A draft nobody touched for ``DRAFT_RETENTION_DAYS`` is deleted with its files.
- A citizen account unused for two years is warned, then erased
  (``accounts.retention``): its requests are anonymised and its drafts
  deleted first (``account_requests_erase``); an account with a request
  still being processed is kept (``with_open_request``).
- The agents' log keeps ``AGENTS_LOG_RETENTION_MONTHS`` (the CNIL recommends
  six months to a year for such logs).

Every step claims its rows with a conditional update before acting, so two
runs at once (two workers) do each thing once, and a second run does nothing.
"""

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Site

from accounts.models import User
from accounts.retention import (
    account_inactive_erase,
    account_inactivity_warn,
    accounts_to_erase,
    accounts_to_warn,
    cancelled_warnings,
)
from cms.audit import audit
from cms.dates import months_before
from cms.files import file_delete_on_commit
from cms.models import AuditLogEntry, CommuneSettings

from .models import (
    DRAFT_RETENTION_DAYS,
    Attachment,
    InternalNote,
    IssuedDocument,
    MessageAttachment,
    RequestMessage,
    ServicePage,
    ServiceSettings,
    StatusChange,
    Submission,
    SubmissionStatus,
)
from .statuses import OPEN_GROUPS, StatusGroup

logger = logging.getLogger("services.retention")

AGENTS_LOG_RETENTION_MONTHS = 12
#: The action written to the commune's agents' log for each run.
RETENTION_ACTION = "services.retention"
ANONYMISED_NOTE = _("Erased at the end of the retention period.")


@dataclass
class RetentionReport:
    """What one run did (or, dry, would do) in one commune."""

    anonymised: int = 0
    files_deleted: int = 0
    drafts_deleted: int = 0
    accounts_warned: int = 0
    accounts_erased: int = 0
    warnings_cancelled: int = 0
    log_entries_deleted: int = 0

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def is_empty(self) -> bool:
        return not any(self.as_dict().values())


# Requests


def expired_requests(*, site, now: datetime):
    """The commune's decided or closed requests whose retention has passed,
    not yet anonymised."""
    default_months = ServiceSettings.for_site(site).retention_months
    closed = (
        Submission.objects.filter(site=site, stage=StatusGroup.FINAL, anonymised_at__isnull=True)
        .annotate(closed_on=Coalesce("status_changed_at", "submitted_at", "updated_at"))
        .order_by("pk")
    )
    retention_of_page = dict(
        ServicePage.objects.filter(
            pk__in=closed.order_by().values("page_id").distinct()
        ).values_list("pk", "retention_months")
    )
    by_months: dict[int, list] = {}
    for page_id in {*retention_of_page, None}:
        months = retention_of_page.get(page_id) or default_months
        by_months.setdefault(months, []).append(page_id)
    condition = Q(pk__in=[])
    for months, page_ids in by_months.items():
        pages = Q(page_id__in=[pk for pk in page_ids if pk is not None])
        if None in page_ids:
            pages |= Q(page__isnull=True)
        condition |= pages & Q(closed_on__lt=months_before(now, months))
    return closed.filter(condition)


def _delete_files(attachments) -> int:
    """Delete the documents' files once their rows' deletion has committed
    (that of the caller's transaction, when it runs in one)."""
    for attachment in attachments:
        file_delete_on_commit(attachment.file)
    return len(attachments)


def submission_anonymise(*, submission: Submission, now: datetime | None = None) -> int | None:
    """Erase what identifies anyone in a request; keep its number, démarche,
    commune, status and dates. Returns the number of documents deleted, or
    ``None`` if the request was already anonymised (by another run)."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = Submission.objects.filter(pk=submission.pk, anonymised_at__isnull=True).update(
            anonymised_at=now,
            account=None,
            member=None,
            concerns="",
            contact_first_name="",
            contact_last_name="",
            contact_email="",
            contact_phone="",
            access_nonce="",
            progress={},
            data={},
            received_by_post={},
            # Its number, which is no personal data, is still searched.
            search_text=Lower("reference"),
        )
        if not claimed:
            return None
        StatusChange.objects.filter(submission=submission).update(
            message="", reason="", requested=[], changes=[], document_text=""
        )
        InternalNote.objects.filter(submission=submission).update(text=str(ANONYMISED_NOTE))
        # Messages stay as dates in the timeline, without their words or files.
        RequestMessage.objects.filter(submission=submission).update(
            text=str(ANONYMISED_NOTE), signature=""
        )
        attachments = list(Attachment.objects.filter(submission=submission))
        Attachment.objects.filter(pk__in=[a.pk for a in attachments]).delete()
        sent = list(MessageAttachment.objects.filter(message__submission=submission))
        MessageAttachment.objects.filter(pk__in=[a.pk for a in sent]).delete()
        attachments += sent
        # The documents issued name the citizen: they go too.
        attachments += list(IssuedDocument.objects.filter(submission=submission))
        IssuedDocument.objects.filter(submission=submission).delete()
        # The agents' log keeps who downloaded a document, not its file name.
        for entry in AuditLogEntry.objects.for_instance(submission).filter(
            action="services.download"
        ):
            entry.data.pop("name", None)
            entry.save(update_fields=["data"])
        return _delete_files(attachments)


# Drafts


def stale_drafts(*, site, now: datetime):
    return Submission.objects.filter(
        site=site,
        status=SubmissionStatus.DRAFT,
        updated_at__lt=now - timedelta(days=DRAFT_RETENTION_DAYS),
    ).order_by("pk")


def draft_purge(*, submission: Submission) -> bool:
    """Delete an abandoned draft and its files; False if it was gone already."""
    with transaction.atomic():
        attachments = list(Attachment.objects.filter(submission_id=submission.pk))
        attachments += list(MessageAttachment.objects.filter(message__submission_id=submission.pk))
        deleted, _by_model = Submission.objects.filter(
            pk=submission.pk, status=SubmissionStatus.DRAFT
        ).delete()
        if not deleted:
            return False
        _delete_files(attachments)
    return True


# Accounts erased for inactivity (``accounts.retention``)


def with_open_request() -> Q:
    """The accounts with a request still being processed: never erased."""
    return Q(submissions__stage__in=OPEN_GROUPS)


def account_requests_erase(*, account, now: datetime) -> int:
    """Delete the drafts of an account being erased and anonymise its other
    requests; returns the number of documents deleted."""
    files = 0
    for submission in Submission.objects.filter(account=account).order_by("pk"):
        if submission.is_draft:
            draft_purge(submission=submission)
        else:
            files += submission_anonymise(submission=submission, now=now) or 0
    return files


# One commune, every commune


def retention_apply(*, site: Site, now: datetime | None = None, dry_run: bool = False):
    """Apply the retention rules to one commune; logs one entry in its agents'
    log (unless ``dry_run``, which counts what would be done and changes nothing)."""
    now = now or timezone.now()
    report = RetentionReport()
    expired = expired_requests(site=site, now=now)
    drafts = stale_drafts(site=site, now=now)
    cancelled = cancelled_warnings(site=site)
    to_warn = accounts_to_warn(site=site, now=now)
    to_erase = accounts_to_erase(site=site, now=now)
    old_entries = AuditLogEntry.objects.filter(
        site=site, timestamp__lt=months_before(now, AGENTS_LOG_RETENTION_MONTHS)
    )
    if dry_run:
        report.anonymised = expired.count()
        report.files_deleted = Attachment.objects.filter(submission__in=expired).count()
        report.drafts_deleted = drafts.count()
        report.warnings_cancelled = cancelled.count()
        report.accounts_warned = to_warn.count()
        report.accounts_erased = to_erase.count()
        report.log_entries_deleted = old_entries.count()
        return report

    report.warnings_cancelled = User.objects.filter(pk__in=cancelled.values("pk")).update(
        inactivity_warned_at=None
    )
    for submission in expired.iterator(chunk_size=200):
        files = submission_anonymise(submission=submission, now=now)
        if files is not None:
            report.anonymised += 1
            report.files_deleted += files
    for draft in drafts.iterator(chunk_size=200):
        report.drafts_deleted += draft_purge(submission=draft)
    for user in list(to_erase):
        files = account_inactive_erase(user=user, now=now)
        if files is not None:
            report.accounts_erased += 1
            report.files_deleted += files
    for user in list(to_warn):
        report.accounts_warned += account_inactivity_warn(user=user, now=now)
    report.log_entries_deleted, _by_model = old_entries.delete()

    commune = CommuneSettings.for_site(site)
    audit(commune, RETENTION_ACTION, user=None, site=site, data=report.as_dict())
    logger.info(
        "Retention applied in %s: %s",
        site.hostname,
        " ".join(f"{name}={count}" for name, count in report.as_dict().items()),
    )
    return report


def retention_apply_all(*, now: datetime | None = None, dry_run: bool = False):
    """Apply the retention rules to every commune; ``{site: report}``."""
    now = now or timezone.now()
    return {site: retention_apply(site=site, now=now, dry_run=dry_run) for site in communes()}


def communes():
    """The sites that are communes (that have their settings)."""
    return Site.objects.filter(pk__in=CommuneSettings.objects.values("site_id")).order_by(
        "site_name", "hostname"
    )
