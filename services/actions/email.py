"""E-mail a service or an address about the request (e.g. the police
municipale for a dangerous problem on the road), with a link to it."""

from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from .base import ActionContext, ConditionBlock, StatusAction
from .registry import registry


class EmailBlock(blocks.StructBlock):
    to = blocks.EmailBlock(label=_("To the address"))
    subject = blocks.CharBlock(
        label=_("Subject"), help_text=_("The request's number is added after it.")
    )
    message = blocks.TextBlock(
        label=_("Message"),
        help_text=_(
            "Placeholders: {prenom}, {nom}, {reference}, {demarche}, {commune}, {mairie}. "
            "The answers and a link to the request follow it."
        ),
    )
    condition = ConditionBlock(required=False)

    class Meta:
        label = _("E-mail an address")
        icon = "mail"


@registry.register
class EmailAddress(StatusAction):
    name = "email"
    label = _("E-mail an address")
    icon = "mail"

    def block(self):
        return EmailBlock()

    def run(self, context: ActionContext, config: dict) -> str:
        from ..tasks import service_email_send

        validate_email(config["to"])
        service_email_send(
            context.submission, to=config["to"], subject=config["subject"], text=config["message"]
        )
        return str(_("E-mailed to %(to)s.") % {"to": config["to"]})
