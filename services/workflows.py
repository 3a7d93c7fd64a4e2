"""Workflows as the rest of the code reads them.

A ``WorkflowDefinition`` is a workflow's statuses (``StatusInfo``) and
transitions, read from the database once per process and version of the
workflow (``Workflow.version`` changes at every save), so that a list of a
hundred requests costs no query per row. ``problems`` says why a workflow
cannot be followed to its end, and ``diagram`` draws it.
"""

from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from .models import Workflow, WorkflowStatus, WorkflowTransition
from .statuses import (
    AWAITING_PAYMENT,
    OUTSIDE_WORKFLOWS,
    STANDARD,
    UNPAID,
    StatusGroup,
    StatusInfo,
    Transition,
    unknown_status,
)


@dataclass(frozen=True)
class WorkflowDefinition:
    name: str
    statuses: tuple[StatusInfo, ...]

    @property
    def initial(self) -> StatusInfo:
        """The status a request takes when it is sent."""
        return self.statuses[0]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(info.value for info in self.statuses)

    def info(self, key: str) -> StatusInfo:
        for info in self.statuses:
            if info.value == key:
                return info
        if key in OUTSIDE_WORKFLOWS:
            return OUTSIDE_WORKFLOWS[key]
        return unknown_status(key)

    def first_in(self, group: str) -> StatusInfo | None:
        return next((info for info in self.statuses if info.group == group), None)


STANDARD_DEFINITION = WorkflowDefinition(name="", statuses=STANDARD)


def _info(status: WorkflowStatus, transitions, initial: bool) -> StatusInfo:
    return StatusInfo(
        value=status.key,
        label=status.name,
        citizen_label=status.citizen_name,
        group=status.group,
        colour=status.colour,
        emphasised=initial or status.group == StatusGroup.WITH_CITIZEN,
        needs_message=status.needs_message,
        transitions=tuple(
            Transition(target=t.target, label=t.label, who=t.who)
            for t in transitions
            if t.source == status.key
        ),
        actions=tuple(dict(raw) for raw in status.actions.raw_data),
    )


@lru_cache(maxsize=512)
def _load(pk: int, version) -> WorkflowDefinition:
    workflow = Workflow.objects.get(pk=pk)
    statuses = list(WorkflowStatus.objects.filter(workflow_id=pk).order_by("sort_order", "pk"))
    transitions = list(
        WorkflowTransition.objects.filter(workflow_id=pk).order_by("sort_order", "pk")
    )
    return WorkflowDefinition(
        name=workflow.name,
        statuses=tuple(
            _info(status, transitions, initial=index == 0) for index, status in enumerate(statuses)
        ),
    )


def definition_of(workflow: Workflow | None) -> WorkflowDefinition:
    """The statuses of ``workflow``; the standard ones for a request built
    without one."""
    if workflow is None:
        return STANDARD_DEFINITION
    definition = _load(workflow.pk, workflow.version)
    return definition if definition.statuses else STANDARD_DEFINITION


def standard_workflow(site) -> Workflow:
    """The commune's standard workflow, created from ``STANDARD`` the first
    time it is needed."""
    workflow = Workflow.objects.filter(site=site, is_standard=True).first()
    if workflow is not None:
        return workflow
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        workflow, created = Workflow.objects.get_or_create(
            site=site,
            is_standard=True,
            defaults={"name": _("Standard workflow")},
        )
        if created:
            fill_from(workflow, STANDARD)
    return workflow


def fill_from(workflow: Workflow, statuses: tuple[StatusInfo, ...]) -> None:
    """Give ``workflow`` the statuses and transitions of ``statuses``."""
    for order, info in enumerate(statuses):
        WorkflowStatus.objects.create(
            workflow=workflow,
            sort_order=order,
            key=info.value,
            name=str(info.label),
            citizen_name=str(info.citizen_label),
            group=info.group,
            colour=info.colour,
            needs_message=info.needs_message,
            actions=[(raw["type"], raw["value"]) for raw in info.actions],
        )
    order = 0
    for info in statuses:
        for transition in info.transitions:
            WorkflowTransition.objects.create(
                workflow=workflow,
                sort_order=order,
                source=info.value,
                target=transition.target,
                label=str(transition.label),
                who=transition.who,
            )
            order += 1
    workflow.save()


def workflow_for(page, site) -> Workflow:
    """The workflow a request made through the démarche ``page`` follows."""
    if page is not None and page.workflow_id:
        return page.workflow
    return standard_workflow(site)


def problems(statuses: list[dict], transitions: list[dict]) -> list[str]:
    """Why a workflow cannot be followed to its end, in the words of the
    supervisor who builds it. ``statuses`` are dicts with ``key``, ``name``
    and ``group``, in order; ``transitions`` have ``source`` and ``target``."""
    found = []
    names = {status["key"]: status["name"] for status in statuses}
    if not statuses:
        return [_("A workflow needs at least one status.")]
    if not any(status["group"] == StatusGroup.FINAL for status in statuses):
        found.append(_("No status is final: requests could never be decided or closed."))
    for status in statuses:
        if status["key"] in OUTSIDE_WORKFLOWS:
            found.append(
                _("The key “%(key)s” is kept for the requests of every workflow: choose another.")
                % {"key": status["key"]}
            )
    for transition in transitions:
        for end in ("source", "target"):
            if transition[end] not in names:
                found.append(
                    _("A transition leads from or to “%(key)s”, not a status of this workflow.")
                    % {"key": transition[end]}
                )
    leaving = {t["source"] for t in transitions}
    for status in statuses:
        if status["group"] != StatusGroup.FINAL and status["key"] not in leaving:
            found.append(
                _(
                    "“%(name)s” is not final but no transition leads out of it: "
                    "requests would stay there forever."
                )
                % {"name": status["name"]}
            )
    reached = {statuses[0]["key"]}
    changed = True
    while changed:
        changed = False
        for transition in transitions:
            if transition["source"] in reached and transition["target"] not in reached:
                reached.add(transition["target"])
                changed = True
    for status in statuses:
        if status["key"] not in reached:
            found.append(
                _(
                    "No transition leads to “%(name)s” from the first status: "
                    "it can never be reached."
                )
                % {"name": status["name"]}
            )
    return found


def status_choices(sites) -> list[tuple[str, str]]:
    """The statuses of the workflows of ``sites``, as choices: each key once,
    in the order of the workflows, the standard ones first."""
    choices = {}
    workflows = Workflow.objects.filter(site__in=sites).order_by("-is_standard", "name", "pk")
    for workflow in workflows:
        for info in definition_of(workflow).statuses:
            choices.setdefault(info.value, str(info.label))
    if not choices:
        for info in STANDARD:
            choices[info.value] = str(info.label)
    for info in (AWAITING_PAYMENT, UNPAID):
        choices.setdefault(info.value, str(info.label))
    return list(choices.items())
