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
    from .pdf import cover_sheet_pdf, receipt_pdf

    submission = Submission.objects.select_related("site", "account", "page").get(pk=submission_id)
    message = render_commune_email(
        site=submission.site,
        to=submission.requester_email,
        subject=_("Your request %(reference)s") % {"reference": submission.reference},
        template="submission_received",
        context={
            "submission": submission,
            "tracking_url": tracking_url(submission),
            "confirmation": submission.page.specific.confirmation if submission.page_id else "",
        },
    )
    email = email_message(**message)
    email.attach(
        f"recepisse-{submission.reference}.pdf", receipt_pdf(submission), "application/pdf"
    )
    cover_sheet = cover_sheet_pdf(submission)
    if cover_sheet is not None:
        email.attach(f"bordereau-{submission.reference}.pdf", cover_sheet, "application/pdf")
    email.send()


@task()
def notify_status_change(*, status_change_id: int) -> None:
    """Tell the citizen their request changed status, with the town hall's
    message and what to correct, by the channel they chose."""
    from cms.notifications import Notification, Recipient, notify

    change = StatusChange.objects.select_related("submission__site", "submission__account").get(
        pk=status_change_id
    )
    submission = change.submission
    account = submission.account
    recipient = Recipient(
        email=submission.requester_email,
        phone=account.phone if account else submission.contact_phone,
        preference=account.contact_preference if account else "email",
    )
    status = change.get_status_display()
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
                "tracking_url": tracking_url(submission),
            },
            short=_("Your request %(reference)s is now “%(status)s”: %(url)s")
            % {
                "reference": submission.reference,
                "status": status,
                "url": tracking_url(submission),
            },
        )
    )


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
            submission.history.filter(status="incomplete", author__isnull=False)
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
