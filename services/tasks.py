"""E-mails about requests, with their PDF, produced by the task worker."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from cms.emails import render_commune_email
from cms.tasks import email_message

from .models import StatusChange, Submission


def tracking_url(submission: Submission) -> str:
    """Where the citizen follows the request: their account, or the private
    link of a request made without an account."""
    if not submission.account_id:
        from .services import access_key

        path = reverse("services:tracking", kwargs={"key": access_key(submission)})
    else:
        path = reverse("services:submission", kwargs={"reference": submission.reference})
    return f"{submission.site.root_url}{path}"


@task()
def send_submission_receipt(*, submission_id: int) -> None:
    """E-mail the receipt (PDF) of a request just sent, with the cover sheet
    when documents are to come by post."""
    from accounts.notifications import contact_recipient
    from cms.notifications import RECEIPT, Notification, notify

    from .pdf import cover_sheet_pdf, receipt_pdf

    submission = Submission.objects.select_related("site", "account", "page").get(pk=submission_id)
    attachments = [
        (f"recepisse-{submission.reference}.pdf", receipt_pdf(submission), "application/pdf")
    ]
    cover_sheet = cover_sheet_pdf(submission)
    if cover_sheet is not None:
        attachments.append(
            (f"bordereau-{submission.reference}.pdf", cover_sheet, "application/pdf")
        )
    notify(
        Notification(
            site=submission.site,
            recipient=contact_recipient(
                email=submission.requester_email, account=submission.account
            ),
            subject=_("Your request %(reference)s") % {"reference": submission.reference},
            template="submission_received",
            context={
                "submission": submission,
                "tracking_url": tracking_url(submission),
                "confirmation": submission.page.specific.confirmation if submission.page_id else "",
            },
            short=_("Request %(reference)s received. Follow it: %(url)s")
            % {"reference": submission.reference, "url": tracking_url(submission)},
            attachments=attachments,
            kind=RECEIPT,
        )
    )


@task()
def notify_status_change(*, status_change_id: int) -> None:
    """Tell the citizen their request changed status (``status_email_send``)."""
    status_email_send(StatusChange.objects.get(pk=status_change_id))


def status_email_send(change: StatusChange, *, notice: str = "") -> None:
    """Tell the citizen their request changed status, with the status's own
    message (``notice``), the town hall's message, what to correct and the
    documents issued with it, by the channel they chose."""
    from accounts.notifications import contact_recipient
    from cms.notifications import STATUS, Notification, notify

    from .automation import citizen_deadlines
    from .models import IssuedDocument

    change = StatusChange.objects.select_related("submission__site", "submission__account").get(
        pk=change.pk
    )
    submission = change.submission
    recipient = contact_recipient(email=submission.requester_email, account=submission.account)
    info = change.status_info
    status = str(info.citizen_label or info.label)
    documents = list(IssuedDocument.objects.filter(status_change=change))
    notify(
        Notification(
            site=submission.site,
            recipient=recipient,
            subject=_("Your request %(reference)s: %(status)s")
            % {"reference": submission.reference, "status": status},
            template="submission_status",
            context={
                "submission": submission,
                "change": change,
                "status": status,
                "notice": notice,
                "documents": documents,
                "deadlines": citizen_deadlines(submission),
                "tracking_url": tracking_url(submission),
            },
            short=_("Your request %(reference)s has changed status: %(url)s")
            % {"reference": submission.reference, "url": tracking_url(submission)},
            attachments=[
                (document.file_name, _content(document), "application/pdf")
                for document in documents
            ],
            kind=STATUS,
        )
    )


def _content(document) -> bytes:
    with document.file.open("rb") as file:
        return file.read()


def admin_url(submission: Submission) -> str:
    from django.contrib.admin.utils import quote

    path = reverse(Submission.snippet_viewset.get_url_name("inspect"), args=[quote(submission.pk)])
    return f"{submission.site.root_url}{path}"


def service_email_send(submission: Submission, *, to: str, subject: str, text: str) -> None:
    """E-mail a service or an address about a request, with its answers and
    a link to it in the admin."""
    from .fields.answers import answer_rows
    from .messages import fill_message, message_values

    message = render_commune_email(
        site=submission.site,
        to=to,
        subject=f"{subject} – {submission.reference}",
        template="submission_forwarded",
        context={
            "submission": submission,
            "text": fill_message(text, message_values(submission)),
            "answers": answer_rows(submission.steps, submission.data),
            "admin_url": admin_url(submission),
        },
    )
    email_message(**message).send()


def reminder_send(submission: Submission, *, to: str, text: str) -> None:
    """A deadline's reminder, to the citizen (by the channel they chose,
    unless they turned reminders off) or to an address."""
    from accounts.notifications import contact_recipient
    from cms.notifications import OTHER, REMINDER, Notification, Recipient, notify

    from .messages import fill_message, message_values

    to_citizen = to == submission.requester_email
    notify(
        Notification(
            site=submission.site,
            recipient=contact_recipient(email=to, account=submission.account)
            if to_citizen
            else Recipient(email=to),
            subject=_("Reminder: request %(reference)s") % {"reference": submission.reference},
            template="submission_reminder",
            context={
                "submission": submission,
                "text": fill_message(text, message_values(submission)),
                "tracking_url": tracking_url(submission),
                "to_citizen": to_citizen,
                "admin_url": admin_url(submission),
            },
            short=_("Reminder about your request %(reference)s: %(url)s")
            % {"reference": submission.reference, "url": tracking_url(submission)}
            if to_citizen
            else "",
            kind=REMINDER if to_citizen else OTHER,
        )
    )


@task()
def run_status_actions(*, status_change_id: int, tell_citizen: bool = False) -> list[str]:
    """Run what the status a request entered does (``services.automation``)."""
    from .automation import run_entry_actions

    change = StatusChange.objects.select_related("submission").get(pk=status_change_id)
    return run_entry_actions(change, tell_citizen=tell_citizen)


@task()
def fire_deadlines() -> int:
    """Fire the deadlines due today. Scheduled daily by the task worker;
    ``manage.py fire_deadlines`` runs it by hand."""
    from .automation import deadlines_fire

    return deadlines_fire()


@task()
def notify_agent_of_corrections(*, status_change_id: int) -> None:
    """Tell the agent in charge (or the one who asked for the corrections)
    that the citizen sent them, with what changed."""
    from django.contrib.admin.utils import quote

    change = StatusChange.objects.select_related("submission__site", "submission__assigned_to").get(
        pk=status_change_id
    )
    submission = change.submission
    agent = submission.assigned_to
    if agent is None:
        asked = (
            submission.history.filter(
                author__isnull=False,
                status__in=[i.value for i in submission.definition.statuses if i.needs_items],
            )
            .select_related("author")
            .order_by("-created_at", "-pk")
            .first()
        )
        agent = asked.author if asked else None
    if agent is None or not agent.email:
        return
    path = reverse(Submission.snippet_viewset.get_url_name("inspect"), args=[quote(submission.pk)])
    message = render_commune_email(
        site=submission.site,
        to=agent.email,
        subject=_("Request %(reference)s corrected by the citizen")
        % {"reference": submission.reference},
        template="submission_corrected",
        context={
            "submission": submission,
            "change": change,
            "agent": agent,
            "admin_url": f"{submission.site.root_url}{path}",
        },
    )
    email_message(**message).send()


@task()
def apply_retention() -> dict:
    """Apply the retention rules (``services.retention``) to every commune:
    anonymise expired requests, delete abandoned drafts, warn then erase
    unused citizen accounts. Safe to run twice, or on two workers at once.
    Scheduled daily by the task worker; ``manage.py apply_retention`` runs it
    by hand."""
    from .retention import retention_apply_all

    return {site.hostname: report.as_dict() for site, report in retention_apply_all().items()}


@task()
def notify_agents_of_new_request(*, submission_id: int) -> None:
    """Tell the staff who see a request just sent, and asked for it, at once
    (``services.alerts``); never twice."""
    from .alerts import new_request_alert

    new_request_alert(submission_id=submission_id)


@task()
def send_daily_digests() -> int:
    """Send each member of staff who chose it the summary of the requests
    sent since their previous one. Scheduled daily by the task worker;
    ``manage.py send_request_digests`` runs it by hand."""
    from .alerts import daily_digests_send

    return daily_digests_send()


@task()
def notify_citizen_of_message(*, message_id: int) -> None:
    """Tell the citizen the town hall wrote about their request, by the
    channel they chose: the link only, never the message's text."""
    from accounts.notifications import contact_recipient
    from cms.notifications import MESSAGE, Notification, notify

    from .models import RequestMessage

    message = RequestMessage.objects.select_related("submission__site", "submission__account").get(
        pk=message_id
    )
    submission = message.submission
    url = tracking_url(submission)
    notify(
        Notification(
            site=submission.site,
            recipient=contact_recipient(
                email=submission.requester_email, account=submission.account
            ),
            subject=_("New message about your request %(reference)s")
            % {"reference": submission.reference},
            template="submission_message",
            context={"submission": submission, "message": message, "tracking_url": url},
            short=_("New message from the town hall about your request %(reference)s: %(url)s")
            % {"reference": submission.reference, "url": url},
            kind=MESSAGE,
        )
    )


@task()
def notify_agents_of_message(*, message_id: int) -> int:
    """E-mail the staff in charge that the citizen wrote, with a link to the
    request in the admin and without the message's text."""
    from django.conf import settings
    from django.utils import translation

    from .alerts import message_alert_recipients
    from .models import RequestMessage
    from .services import agent_name

    message = RequestMessage.objects.select_related(
        "submission__site", "submission__assigned_to"
    ).get(pk=message_id)
    submission = message.submission
    sent = 0
    for user in message_alert_recipients(submission):
        with translation.override(settings.LANGUAGE_CODE):
            email = render_commune_email(
                site=submission.site,
                to=user.email,
                subject=_("New message from the citizen: request %(reference)s")
                % {"reference": submission.reference},
                template="submission_message_agent",
                context={
                    "submission": submission,
                    "agent_name": agent_name(user),
                    "admin_url": admin_url(submission),
                },
            )
        email_message(**email).send()
        sent += 1
    return sent
