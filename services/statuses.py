"""The statuses of a request, each declared once.

``STATUSES`` says, for every status, what the rest of the code asks of it:
its group (which lists, counts and retention rules it falls in), how it is
shown (the citizen's badge, the agents' icon), what an agent must give to
move a request into it, and which statuses an agent may move it to next.
The groups and rules other modules use are derived from it.

To add a status: a member of ``SubmissionStatus`` (its stored value never
changes once used, its label is what everyone reads), its ``StatusInfo`` in
``STATUSES``, a ``.status-badge--<value>`` rule in ``static/css/portal.css``,
the migration Django asks for (the choices of the status fields), and its
French label in ``locale/fr``. Every status change goes through
``services.services.submission_status_set``.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("In progress")
    IN_REVIEW = "in_review", _("Under review")
    INCOMPLETE = "incomplete", _("Incomplete")
    COMPLETE = "complete", _("Complete")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    CLOSED = "closed", _("Closed without action")


class StatusGroup(StrEnum):
    #: Not sent yet: only its citizen sees it.
    DRAFT = "draft"
    #: Sent and waiting for the town hall: in the agents' queue.
    TO_PROCESS = "to_process"
    #: Sent and waiting for the citizen (corrections).
    WITH_CITIZEN = "with_citizen"
    #: Decided or closed: it no longer changes, and its retention runs.
    FINAL = "final"


@dataclass(frozen=True)
class StatusInfo:
    """What a status means, how it looks, and where it may lead."""

    status: SubmissionStatus
    group: StatusGroup
    #: The Wagtail icon of the agents' status tag, and its colour class.
    icon: str
    icon_colour: str = ""
    #: Whether the agents' tag stands out: a new request, or one back with the citizen.
    emphasised: bool = False
    #: An agent moving a request into it must write to the citizen why.
    needs_message: bool = False
    #: An agent moving a request into it names what the citizen must correct
    #: or send (or says it in the message).
    needs_items: bool = False
    #: The statuses an agent may move a request in this status to.
    next: tuple[SubmissionStatus, ...] = ()

    @property
    def value(self) -> str:
        return self.status.value

    @property
    def label(self) -> str:
        return self.status.label

    @property
    def badge(self) -> str:
        """The CSS class of the citizen's badge (``static/css/portal.css``)."""
        return f"status-badge--{self.status.value}"

    @property
    def is_open(self) -> bool:
        return self.group in (StatusGroup.TO_PROCESS, StatusGroup.WITH_CITIZEN)

    @property
    def is_final(self) -> bool:
        return self.group == StatusGroup.FINAL


STATUSES: dict[SubmissionStatus, StatusInfo] = {
    info.status: info
    for info in (
        StatusInfo(SubmissionStatus.DRAFT, StatusGroup.DRAFT, icon="folder"),
        StatusInfo(
            SubmissionStatus.SUBMITTED,
            StatusGroup.TO_PROCESS,
            icon="time",
            icon_colour="w-text-warning-100",
            emphasised=True,
            next=(
                SubmissionStatus.IN_REVIEW,
                SubmissionStatus.INCOMPLETE,
                SubmissionStatus.COMPLETE,
                SubmissionStatus.ACCEPTED,
                SubmissionStatus.REJECTED,
                SubmissionStatus.CLOSED,
            ),
        ),
        StatusInfo(
            SubmissionStatus.IN_REVIEW,
            StatusGroup.TO_PROCESS,
            icon="tasks",
            next=(
                SubmissionStatus.INCOMPLETE,
                SubmissionStatus.COMPLETE,
                SubmissionStatus.ACCEPTED,
                SubmissionStatus.REJECTED,
                SubmissionStatus.CLOSED,
            ),
        ),
        StatusInfo(
            SubmissionStatus.INCOMPLETE,
            StatusGroup.WITH_CITIZEN,
            icon="warning",
            icon_colour="w-text-warning-100",
            emphasised=True,
            needs_items=True,
            next=(
                SubmissionStatus.SUBMITTED,
                SubmissionStatus.IN_REVIEW,
                SubmissionStatus.COMPLETE,
                SubmissionStatus.REJECTED,
                SubmissionStatus.CLOSED,
            ),
        ),
        StatusInfo(
            SubmissionStatus.COMPLETE,
            StatusGroup.TO_PROCESS,
            icon="tasks",
            next=(
                SubmissionStatus.IN_REVIEW,
                SubmissionStatus.INCOMPLETE,
                SubmissionStatus.ACCEPTED,
                SubmissionStatus.REJECTED,
                SubmissionStatus.CLOSED,
            ),
        ),
        StatusInfo(
            SubmissionStatus.ACCEPTED,
            StatusGroup.FINAL,
            icon="circle-check",
            icon_colour="w-text-positive-100",
        ),
        StatusInfo(
            SubmissionStatus.REJECTED,
            StatusGroup.FINAL,
            icon="circle-xmark",
            icon_colour="w-text-critical-200",
            needs_message=True,
        ),
        StatusInfo(SubmissionStatus.CLOSED, StatusGroup.FINAL, icon="folder"),
    )
}


def status_info(status: str) -> StatusInfo:
    """The ``StatusInfo`` of a stored status value."""
    return STATUSES[SubmissionStatus(status)]


def _in(*groups: StatusGroup) -> tuple[SubmissionStatus, ...]:
    return tuple(status for status, info in STATUSES.items() if info.group in groups)


OPEN_STATUSES = _in(StatusGroup.TO_PROCESS, StatusGroup.WITH_CITIZEN)
#: Open requests waiting for the town hall (not for the citizen's corrections).
TO_PROCESS_STATUSES = _in(StatusGroup.TO_PROCESS)
FINAL_STATUSES = _in(StatusGroup.FINAL)
#: The statuses of a sent request, as choices.
SENT_STATUSES = [
    (value, label) for value, label in SubmissionStatus.choices if value != SubmissionStatus.DRAFT
]
