"""What every status action offers.

An action is configured in a status of a workflow (a block of its
``actions``) and runs, in order with the others, once the change that put a
request in that status is committed (``services.workflows.run_entry_actions``).
Each run is logged once per change and action (``ActionRun``): a second run
of the same change does nothing.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from wagtail import blocks


@dataclass
class ActionContext:
    """The request, the change that made it enter the status, and the status."""

    submission: object
    change: object
    position: int


class StatusAction(ABC):
    #: The block's name, stored in the workflow: it never changes once used.
    name: str = ""
    #: What supervisors read in the list of actions.
    label: str = ""
    icon: str = "cog"

    @abstractmethod
    def block(self) -> blocks.StructBlock:
        """The block that configures it in a status."""

    @abstractmethod
    def run(self, context: ActionContext, config: dict) -> str:
        """Do it; returns what the agents' history says was done."""

    def problems(self, config: dict, statuses: dict[str, dict]) -> list[str]:
        """Why this configuration cannot work in a workflow with ``statuses``
        (key -> the status's typed fields)."""
        return []

    #: Whether the action writes to the citizen itself (then the status
    #: e-mail is not sent besides).
    tells_citizen: bool = False

    def asks_amount(self, config: dict) -> bool:
        """Whether the agent, moving a request into the status, types an
        amount and its reason for this action."""
        return False

    #: Whether the agent, moving a request into the status, may write the
    #: free part of a document it issues.
    issues_document: bool = False
    #: Whether the agent, moving a request into the status, names what the
    #: citizen must correct, and the citizen may then correct it online.
    asks_corrections: bool = False


class ConditionBlock(blocks.StructBlock):
    """Runs the action only for the requests whose answer to a field is a value."""

    field = blocks.CharBlock(
        label=_("Only when the answer to the field (key)"),
        required=False,
        help_text=_("Leave empty to run it for every request."),
    )
    value = blocks.CharBlock(label=_("is"), required=False)

    class Meta:
        label = _("Condition")
        collapsed = True


def condition_holds(config: dict, submission) -> bool:
    """Whether the request's answers meet the action's condition (a choice
    field's value, a yes/no answer as “oui”/“non”, or a typed text)."""
    condition = config.get("condition") or {}
    key = (condition.get("field") or "").strip()
    if not key:
        return True
    expected = (condition.get("value") or "").strip().casefold()
    answer = submission.data.get(key)
    if isinstance(answer, bool):
        return expected in (("oui", "yes", "true", "1") if answer else ("non", "no", "false", "0"))
    if isinstance(answer, list):
        return expected in [str(item).casefold() for item in answer]
    return str(answer if answer is not None else "").strip().casefold() == expected
