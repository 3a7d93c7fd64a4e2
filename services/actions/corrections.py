"""Ask the citizen for corrections: the agent moving a request into the
status names the answers and documents to correct (or says it in the
message); the citizen corrects them online and the request goes back to the
town hall, to the workflow's first status or the one configured here."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from ..statuses import StatusGroup
from .base import ActionContext, StatusAction
from .registry import registry


class AskCorrectionsBlock(blocks.StructBlock):
    back_to = blocks.CharBlock(
        label=_("Once corrected, the request goes to the status (key)"),
        required=False,
        help_text=_("Leave empty for the workflow's first status."),
    )

    class Meta:
        label = _("Ask the citizen for corrections")
        icon = "edit"


@registry.register
class AskCorrections(StatusAction):
    name = "ask_corrections"
    label = _("Ask the citizen for corrections")
    icon = "edit"
    asks_corrections = True

    def block(self):
        return AskCorrectionsBlock()

    def problems(self, config, statuses):
        back_to = (config.get("back_to") or "").strip()
        if not back_to:
            return []
        if back_to not in statuses:
            return [
                _("Corrected requests go to “%(key)s”, not a status of this workflow.")
                % {"key": back_to}
            ]
        if statuses[back_to].get("group") != StatusGroup.TO_PROCESS:
            return [
                _("Corrected requests go back to the town hall: “%(name)s” does not wait for it.")
                % {"name": statuses[back_to].get("name") or back_to}
            ]
        return []

    def run(self, context: ActionContext, config: dict) -> str:
        asked = [entry.get("label") or entry.get("key") for entry in context.change.requested]
        if not asked:
            return str(_("The citizen was asked for corrections in the message."))
        return str(_("The citizen was asked to correct: %(items)s.") % {"items": ", ".join(asked)})
