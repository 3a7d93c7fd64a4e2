"""Tell the citizen: the status e-mail (or text message, by their channel)
with a message written once for the status, its placeholders filled."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from .base import ActionContext, ConditionBlock, StatusAction
from .registry import registry


class TellCitizenBlock(blocks.StructBlock):
    message = blocks.TextBlock(
        label=_("Message"),
        help_text=_(
            "Placeholders filled for each request: {prenom}, {nom}, {reference}, "
            "{demarche}, {commune}, {mairie}. The agent's own message follows it."
        ),
    )
    condition = ConditionBlock(required=False)

    class Meta:
        label = _("Tell the citizen")
        icon = "mail"


@registry.register
class TellCitizen(StatusAction):
    name = "tell_citizen"
    label = _("Tell the citizen")
    icon = "mail"
    tells_citizen = True

    def block(self):
        return TellCitizenBlock()

    def problems(self, config, statuses):
        from ..messages import MESSAGE_PLACEHOLDERS, unknown_placeholders

        unknown = unknown_placeholders(config.get("message") or "")
        if unknown:
            return [
                _("Unknown placeholder in a message: %(names)s. Use only %(known)s.")
                % {
                    "names": ", ".join(f"{{{name}}}" for name in unknown),
                    "known": ", ".join(f"{{{name}}}" for name in MESSAGE_PLACEHOLDERS),
                }
            ]
        return []

    def run(self, context: ActionContext, config: dict) -> str:
        from ..messages import fill_message, message_values
        from ..tasks import status_email_send

        text = fill_message(config.get("message") or "", message_values(context.submission))
        status_email_send(context.change, notice=text)
        return str(_("The citizen was told."))
