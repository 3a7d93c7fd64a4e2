"""What runs by itself as requests move: the actions of the status a request
enters (``services.actions``), and the deadlines they set.

Both are safe to run twice: an action runs once per change (an ``ActionRun``
row, unique, written in the same transaction as what it does), a deadline
fires once (its row is locked and marked), and a deadline whose request left
the status meanwhile only records that it no longer applies.
"""

import logging
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .actions import registry
from .actions.base import ActionContext, condition_holds
from .actions.deadline import ADDRESS, CITIZEN
from .models import ActionRun, RequestDeadline, StatusChange, Submission

logger = logging.getLogger("services.automation")


def run_entry_actions(change: StatusChange, *, tell_citizen: bool = False) -> list[str]:
    """Run the actions of the status ``change`` put its request in; then, for
    a change the citizen must hear of (``tell_citizen``: an agent's decision,
    a deadline) and that no action told them of, the status e-mail."""
    from .tasks import status_email_send

    submission = change.submission
    info = submission.definition.info(change.status)
    done = []
    told = False
    for position, raw in enumerate(info.actions):
        name = raw.get("type")
        if name not in registry:
            continue
        config = raw.get("value") or {}
        if not condition_holds(config, submission):
            continue
        try:
            with transaction.atomic():
                run = ActionRun.objects.create(status_change=change, position=position, action=name)
                summary = registry[name].run(
                    ActionContext(submission=submission, change=change, position=position), config
                )
                run.summary = summary[:300]
                run.save(update_fields=["summary"])
        except IntegrityError:
            # Run already, by an earlier attempt.
            told = told or registry[name].tells_citizen
            continue
        done.append(summary)
        told = told or registry[name].tells_citizen
    if tell_citizen and info.shown_to_citizen and not told:
        status_email_send(change)
    return done


def deadlines_due(today: date | None = None):
    today = today or timezone.localdate()
    return RequestDeadline.objects.filter(fired_at__isnull=True, due_on__lte=today)


def deadline_fire(deadline_id: int, *, now=None) -> str:
    """Fire one deadline: remind, then move the request if it is still in
    the status that set the deadline. Returns what happened."""
    from .services import submission_status_set
    from .tasks import reminder_send

    now = now or timezone.now()
    with transaction.atomic():
        deadline = (
            RequestDeadline.objects.select_for_update()
            .filter(pk=deadline_id, fired_at__isnull=True)
            .first()
        )
        if deadline is None:
            return ""
        submission = Submission.objects.select_for_update().get(pk=deadline.submission_id)
        latest = submission.history.order_by("-created_at", "-pk").first()
        if submission.status != deadline.status or latest.pk != deadline.status_change_id:
            outcome = _("No longer applies: the request left the status.")
        else:
            outcome = []
            if deadline.remind == CITIZEN:
                reminder_send(submission, to=submission.requester_email, text=deadline.reminder)
                outcome.append(_("Reminder sent to the citizen."))
            elif deadline.remind == ADDRESS and deadline.remind_address:
                reminder_send(submission, to=deadline.remind_address, text=deadline.reminder)
                outcome.append(_("Reminder sent to %(to)s.") % {"to": deadline.remind_address})
            target = submission.definition.info(deadline.move_to) if deadline.move_to else None
            if target is not None and target.value in {
                i.value for i in submission.definition.statuses
            }:
                submission_status_set(
                    submission=submission,
                    status=target.value,
                    message=deadline.message,
                    at=now,
                    tell_citizen=True,
                    automatic=True,
                )
                outcome.append(_("Moved to “%(status)s”.") % {"status": target.label})
            outcome = " ".join(str(part) for part in outcome)
        deadline.fired_at = now
        deadline.outcome = str(outcome)[:200]
        deadline.save(update_fields=["fired_at", "outcome"])
    logger.info("Deadline %s of request %s: %s", deadline.pk, deadline.submission_id, outcome)
    return str(outcome)


def deadlines_fire(*, today: date | None = None) -> int:
    """Fire every deadline due by ``today``; returns how many fired."""
    fired = 0
    for deadline_id in list(deadlines_due(today).values_list("pk", flat=True)):
        if deadline_fire(deadline_id):
            fired += 1
    return fired


def citizen_deadlines(submission: Submission) -> list[str]:
    """What the citizen is told of the deadlines of the request's current
    status: when it moves without an answer, and to what."""
    notices = []
    info = submission.status_info
    for deadline in submission.deadlines.filter(fired_at__isnull=True, status=submission.status):
        if not deadline.move_to:
            continue
        target = submission.definition.info(deadline.move_to)
        name = target.citizen_label or target.label
        day = date_format(deadline.due_on, "j F Y")
        if info.group == "with_citizen":
            notices.append(
                _("Without an answer from you by %(date)s, your request will become “%(status)s”.")
                % {"date": day, "status": name}
            )
        else:
            notices.append(
                _(
                    "Without an answer from the town hall by %(date)s, your request will "
                    "become “%(status)s”."
                )
                % {"date": day, "status": name}
            )
    return notices
