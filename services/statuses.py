"""What a request's status means, however its démarche's workflow names it.

A request's ``status`` is the key of a status of its workflow
(``services.models.Workflow``). Each status says what the rest of the code
asks of it through a ``StatusInfo``: its group (which lists, counts and
retention rules it falls in: the request's ``stage``), how it is shown (the
citizen's badge, the agents' icon, both from its colour), what an agent must
give to move a request into it, and the transitions that lead out of it.

``STANDARD`` is the standard workflow: the seven statuses every commune
started with. Each commune's "Circuit standard" is created from it, and a
request with no workflow (a draft, or one built by hand) reads it. Every
status change goes through ``services.services.submission_status_set``.
"""

from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _


class SubmissionStatus(models.TextChoices):
    """The keys of the standard workflow's statuses, and the draft."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("In progress")
    IN_REVIEW = "in_review", _("Under review")
    INCOMPLETE = "incomplete", _("Incomplete")
    COMPLETE = "complete", _("Complete")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    CLOSED = "closed", _("Closed without action")


class StatusGroup(models.TextChoices):
    """Whom a request waits for: its ``stage``."""

    #: Not sent yet: only its citizen sees it.
    DRAFT = "draft", _("Draft")
    #: Sent and waiting for the town hall: in the agents' queue.
    TO_PROCESS = "to_process", _("Waits for the town hall")
    #: Sent and waiting for the citizen (corrections, a payment).
    WITH_CITIZEN = "with_citizen", _("Waits for the citizen")
    #: Decided or closed: it no longer changes, and its retention runs.
    FINAL = "final", _("Final: decided or closed")


class StatusColour(models.TextChoices):
    """The looks a status may take: the citizen's badge (``static/css/portal.css``,
    ``.status-badge--<colour>``, each with its own sign so colour is never
    the only cue) and the agents' icon."""

    BLUE = "blue", _("Blue (new)")
    PURPLE = "purple", _("Purple (being processed)")
    AMBER = "amber", _("Amber (waiting for the citizen)")
    TEAL = "teal", _("Teal (complete)")
    GREEN = "green", _("Green (accepted)")
    RED = "red", _("Red (refused)")
    GREY = "grey", _("Grey (closed)")


#: The agents' icon of each colour, and the class that colours it.
ICONS = {
    StatusColour.BLUE: ("time", "w-text-warning-100"),
    StatusColour.PURPLE: ("tasks", ""),
    StatusColour.AMBER: ("warning", "w-text-warning-100"),
    StatusColour.TEAL: ("tasks", ""),
    StatusColour.GREEN: ("circle-check", "w-text-positive-100"),
    StatusColour.RED: ("circle-xmark", "w-text-critical-200"),
    StatusColour.GREY: ("folder", ""),
}


class Who(models.TextChoices):
    """Who may use a transition."""

    AGENTS = "agents", _("The agents of the démarche's service and the supervisors")
    SUPERVISORS = "supervisors", _("The supervisors only")


@dataclass(frozen=True)
class Transition:
    """A button of the request's page: where it leads, and who may press it."""

    target: str
    label: str
    who: str = Who.AGENTS


@dataclass(frozen=True)
class StatusInfo:
    """What a status means, how it looks, and where it may lead."""

    value: str
    label: str
    group: str
    colour: str = StatusColour.GREY
    #: The name the citizen reads; empty when the status is not shown to the
    #: citizen, who keeps seeing the previous one.
    citizen_label: str = ""
    #: Whether the agents' tag stands out: a new request, or one back with the citizen.
    emphasised: bool = False
    #: An agent moving a request into it must write to the citizen why.
    needs_message: bool = False
    transitions: tuple[Transition, ...] = field(default=())
    #: What runs when a request enters it: the raw blocks (``type``,
    #: ``value``) of its actions (``services.actions``), in order.
    actions: tuple[dict, ...] = field(default=(), compare=False)

    @property
    def next(self) -> tuple[str, ...]:
        """The statuses an agent may move a request in this status to."""
        return tuple(transition.target for transition in self.transitions)

    @property
    def shown_to_citizen(self) -> bool:
        return bool(self.citizen_label)

    @property
    def badge(self) -> str:
        """The CSS class of the citizen's badge (``static/css/portal.css``)."""
        return (
            "status-badge--draft"
            if self.group == StatusGroup.DRAFT
            else f"status-badge--{self.colour}"
        )

    @property
    def icon(self) -> str:
        return "folder" if self.group == StatusGroup.DRAFT else ICONS[StatusColour(self.colour)][0]

    @property
    def icon_colour(self) -> str:
        return "" if self.group == StatusGroup.DRAFT else ICONS[StatusColour(self.colour)][1]

    @property
    def is_open(self) -> bool:
        return self.group in OPEN_GROUPS

    @property
    def is_final(self) -> bool:
        return self.group == StatusGroup.FINAL

    def _any_action(self, quality: str) -> bool:
        from .actions import registry

        return any(
            raw.get("type") in registry and getattr(registry[raw["type"]], quality)
            for raw in self.actions
        )

    @property
    def issues_document(self) -> bool:
        return self._any_action("issues_document")

    @property
    def needs_items(self) -> bool:
        """An agent moving a request into it names what the citizen must
        correct or send (or says it in the message)."""
        return self._any_action("asks_corrections")

    @property
    def corrected_to(self) -> str:
        """The status a request corrected by the citizen goes to ("" for
        its workflow's first status)."""
        return next(
            (
                (raw.get("value") or {}).get("back_to", "").strip()
                for raw in self.actions
                if raw.get("type") == "ask_corrections"
            ),
            "",
        )

    @property
    def asks_amount(self) -> bool:
        """An agent moving a request into it types the amount the citizen
        must pay, and its reason."""
        from .actions import registry

        return any(
            raw.get("type") in registry
            and registry[raw["type"]].asks_amount(raw.get("value") or {})
            for raw in self.actions
        )

    def has_action(self, name: str) -> bool:
        return any(raw.get("type") == name for raw in self.actions)

    def transition_to(self, target: str) -> Transition | None:
        return next((t for t in self.transitions if t.target == target), None)


OPEN_GROUPS = (StatusGroup.TO_PROCESS, StatusGroup.WITH_CITIZEN)

DRAFT = StatusInfo(
    value=SubmissionStatus.DRAFT,
    label=SubmissionStatus.DRAFT.label,
    citizen_label=SubmissionStatus.DRAFT.label,
    group=StatusGroup.DRAFT,
)


def _standard(status, group, colour, targets, **options) -> StatusInfo:
    return StatusInfo(
        value=status.value,
        label=status.label,
        citizen_label=status.label,
        group=group,
        colour=colour,
        transitions=tuple(Transition(t.value, TRANSITION_LABELS[t]) for t in targets),
        **options,
    )


S = SubmissionStatus
#: The button that leads to each status of the standard workflow.
TRANSITION_LABELS = {
    S.SUBMITTED: _("Back to new"),
    S.IN_REVIEW: _("Start reviewing"),
    S.INCOMPLETE: _("Ask for corrections"),
    S.COMPLETE: _("Mark complete"),
    S.ACCEPTED: _("Accept"),
    S.REJECTED: _("Refuse"),
    S.CLOSED: _("Close without action"),
}
G = StatusGroup
STANDARD: tuple[StatusInfo, ...] = (
    _standard(
        S.SUBMITTED,
        G.TO_PROCESS,
        StatusColour.BLUE,
        (S.IN_REVIEW, S.INCOMPLETE, S.COMPLETE, S.ACCEPTED, S.REJECTED, S.CLOSED),
        emphasised=True,
    ),
    _standard(
        S.IN_REVIEW,
        G.TO_PROCESS,
        StatusColour.PURPLE,
        (S.INCOMPLETE, S.COMPLETE, S.ACCEPTED, S.REJECTED, S.CLOSED),
    ),
    _standard(
        S.INCOMPLETE,
        G.WITH_CITIZEN,
        StatusColour.AMBER,
        (S.SUBMITTED, S.IN_REVIEW, S.COMPLETE, S.REJECTED, S.CLOSED),
        emphasised=True,
        actions=({"type": "ask_corrections", "value": {"back_to": ""}},),
    ),
    _standard(
        S.COMPLETE,
        G.TO_PROCESS,
        StatusColour.TEAL,
        (S.IN_REVIEW, S.INCOMPLETE, S.ACCEPTED, S.REJECTED, S.CLOSED),
    ),
    _standard(S.ACCEPTED, G.FINAL, StatusColour.GREEN, ()),
    _standard(S.REJECTED, G.FINAL, StatusColour.RED, (), needs_message=True),
    _standard(S.CLOSED, G.FINAL, StatusColour.GREY, ()),
)
del S, G

#: A request sent with its price to pay at sending: numbered, but not in
#: the town hall's queue until paid (``services.services.submission_release``).
AWAITING_PAYMENT = StatusInfo(
    value="awaiting_payment",
    label=_("Waiting for payment"),
    citizen_label=_("Waiting for payment"),
    group=StatusGroup.WITH_CITIZEN,
    colour=StatusColour.AMBER,
)
#: A request whose price was not paid in time: its answers are kept.
UNPAID = StatusInfo(
    value="unpaid",
    label=_("Abandoned: not paid"),
    citizen_label=_("Abandoned: not paid"),
    group=StatusGroup.FINAL,
    colour=StatusColour.GREY,
)
#: The statuses every request may take whatever its workflow: no workflow
#: may use their keys.
OUTSIDE_WORKFLOWS: dict[str, StatusInfo] = {
    info.value: info for info in (DRAFT, AWAITING_PAYMENT, UNPAID)
}

#: The draft and the standard workflow's statuses.
STATUSES: dict[str, StatusInfo] = {info.value: info for info in (DRAFT, *STANDARD)}


#: The statuses of a sent request in the standard workflow, as choices.
SENT_STATUSES = [(info.value, info.label) for info in STANDARD]


def unknown_status(value: str) -> StatusInfo:
    """A status its workflow no longer has (a history row older than a
    change of the workflow): shown by its key, leading nowhere."""
    return StatusInfo(value=value, label=value, citizen_label=value, group=StatusGroup.FINAL)


def status_info(status: str) -> StatusInfo:
    """The ``StatusInfo`` of a status of the standard workflow, or of one
    outside workflows (the draft, waiting for payment...)."""
    return STATUSES.get(status) or OUTSIDE_WORKFLOWS.get(status) or unknown_status(status)
