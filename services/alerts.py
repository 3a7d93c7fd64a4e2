"""Staff told by e-mail of the requests sent to the démarches they see.

Each member of staff chooses in their account settings (``AgentAlertSettings``):
an e-mail per request as soon as it is sent, a daily summary, or nothing.
Who is told of a request is always ``services.services.staff_who_see``.

A request is announced once: ``Submission.agents_notified_at`` is claimed by
a conditional update before any e-mail goes. A daily summary lists the
requests sent since the agent's previous one (``last_digest_at``, claimed
the same way), so a second run the same day sends nothing.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.admin.utils import quote
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cms.emails import render_commune_email
from cms.tasks import email_message

from .models import (
    DEFAULT_NEW_REQUEST_ALERTS,
    AgentAlertSettings,
    NewRequestAlerts,
    Submission,
    SubmissionStatus,
)
from .services import agent_name, staff_who_see

#: The first summary of an agent lists the requests of the last day; after a
#: long stop of the task worker, a summary goes back this far at most.
DIGEST_FIRST_DAYS = 1
DIGEST_LONGEST_DAYS = 7


def _choices_of(users) -> dict[int, str]:
    chosen = dict(
        AgentAlertSettings.objects.filter(user__in=users).values_list("user_id", "new_requests")
    )
    return {user.pk: chosen.get(user.pk, DEFAULT_NEW_REQUEST_ALERTS) for user in users}


def message_alert_recipients(submission: Submission) -> list:
    """The staff told of a citizen's message: the agent the request is
    assigned to while they still see it, else those of its commune and
    service who chose to be told of new requests."""
    staff = [user for user in staff_who_see(submission) if user.email]
    assigned = [user for user in staff if user.pk == submission.assigned_to_id]
    if assigned:
        return assigned
    choices = _choices_of(staff)
    return [user for user in staff if choices[user.pk] != NewRequestAlerts.NEVER]


def request_admin_url(submission: Submission) -> str:
    """The request's page in the admin, on its commune's own address."""
    path = reverse(Submission.snippet_viewset.get_url_name("inspect"), args=[quote(submission.pk)])
    return f"{submission.site.root_url}{path}"


def new_request_alert(*, submission_id: int, now: datetime | None = None) -> int:
    """E-mail the staff who see a request just sent and asked to be told at
    once; returns how many were. Does nothing the second time."""
    claimed = Submission.objects.filter(
        pk=submission_id, agents_notified_at__isnull=True, anonymised_at__isnull=True
    ).exclude(status=SubmissionStatus.DRAFT)
    if not claimed.update(agents_notified_at=now or timezone.now()):
        return 0
    submission = Submission.objects.select_related("site", "account").get(pk=submission_id)
    staff = [user for user in staff_who_see(submission) if user.email]
    choices = _choices_of(staff)
    sent = 0
    for user in staff:
        if choices[user.pk] != NewRequestAlerts.IMMEDIATELY:
            continue
        with translation.override(settings.LANGUAGE_CODE):
            message = _new_request_email(submission, user)
        email_message(**message).send()
        sent += 1
    return sent


def _new_request_email(submission: Submission, user) -> dict:
    return render_commune_email(
        site=submission.site,
        to=user.email,
        subject=_("New request %(reference)s: %(title)s")
        % {"reference": submission.reference, "title": submission.title},
        template="new_request",
        context={
            "submission": submission,
            "agent_name": agent_name(user),
            "admin_url": request_admin_url(submission),
        },
    )


@dataclass
class Digest:
    """The requests to list in one agent's summary, by commune."""

    user: object
    since: datetime
    by_site: dict = field(default_factory=dict)


def _digests(*, now: datetime) -> dict[int, Digest]:
    """The summaries due: for each member of staff who chose them, the
    requests they see sent since their previous summary."""
    earliest = now - timedelta(days=DIGEST_LONGEST_DAYS)
    sent = (
        Submission.objects.filter(submitted_at__gt=earliest, submitted_at__lte=now)
        .exclude(status=SubmissionStatus.DRAFT)
        .filter(anonymised_at__isnull=True)
        .select_related("site", "account")
        .order_by("submitted_at", "pk")
    )
    last = dict(AgentAlertSettings.objects.values_list("user_id", "last_digest_at"))
    digests: dict[int, Digest] = {}
    choices: dict[int, str] = {}
    for submission in sent:
        staff = [user for user in staff_who_see(submission) if user.email]
        choices.update(_choices_of([user for user in staff if user.pk not in choices]))
        for user in staff:
            if choices[user.pk] != NewRequestAlerts.DAILY:
                continue
            since = last.get(user.pk) or now - timedelta(days=DIGEST_FIRST_DAYS)
            if submission.submitted_at <= since:
                continue
            digest = digests.setdefault(user.pk, Digest(user=user, since=max(since, earliest)))
            digest.by_site.setdefault(submission.site, []).append(submission)
    return digests


def _claim_digest(*, user, now: datetime) -> bool:
    """Record that ``user``'s summary up to ``now`` is sent; False if
    another run did it first."""
    chosen, _created = AgentAlertSettings.objects.get_or_create(user=user)
    claimed = AgentAlertSettings.objects.filter(
        pk=chosen.pk, last_digest_at=chosen.last_digest_at
    ).update(last_digest_at=now)
    return bool(claimed)


def daily_digests_send(*, now: datetime | None = None) -> int:
    """E-mail every member of staff who chose the daily summary the requests
    they see sent since their previous one (one e-mail per commune); returns
    the number of e-mails sent. Run twice, the second run sends nothing."""
    now = now or timezone.now()
    sent = 0
    for digest in _digests(now=now).values():
        if not _claim_digest(user=digest.user, now=now):
            continue
        for site, submissions in digest.by_site.items():
            with translation.override(settings.LANGUAGE_CODE):
                message = _digest_email(digest, site, submissions)
            email_message(**message).send()
            sent += 1
    return sent


def _digest_email(digest: Digest, site, submissions: list[Submission]) -> dict:
    count = len(submissions)
    return render_commune_email(
        site=site,
        to=digest.user.email,
        subject=ngettext(
            "%(count)d new request since %(since)s",
            "%(count)d new requests since %(since)s",
            count,
        )
        % {
            "count": count,
            "since": timezone.localtime(digest.since).strftime("%d/%m/%Y %H:%M"),
        },
        template="new_requests_digest",
        context={
            "agent_name": agent_name(digest.user),
            "requests": [(submission, request_admin_url(submission)) for submission in submissions],
            "count": count,
        },
    )
