"""E-mail the municipal service handling the request, or an address (e.g. the
police municipale for a dangerous problem on the road), with a link to it."""

from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from .base import ActionContext, ConditionBlock, StatusAction
from .registry import registry


class EmailBlock(blocks.StructBlock):
    to_service = blocks.BooleanBlock(
        label=_("To the municipal service handling the request"),
        required=False,
        help_text=_("At the e-mail address of its service, when it has one."),
    )
    to = blocks.EmailBlock(label=_("To the address"), required=False)
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
        label = _("E-mail a service or an address")
        icon = "mail"


@registry.register
class EmailAddress(StatusAction):
    name = "email"
    label = _("E-mail a service or an address")
    icon = "mail"

    def block(self):
        return EmailBlock()

    def problems(self, config, statuses):
        if not config.get("to") and not config.get("to_service"):
            return [_("An e-mail action needs an address, or its request's service, or both.")]
        return []

    def recipients(self, submission, config: dict) -> list[str]:
        found = []
        service = submission.municipal_service
        if config.get("to_service") and service is not None and service.email:
            found.append(service.email)
        if config.get("to"):
            validate_email(config["to"])
            found.append(config["to"])
        return list(dict.fromkeys(found))

    def run(self, context: ActionContext, config: dict) -> str:
        from ..tasks import service_email_send

        recipients = self.recipients(context.submission, config)
        for to in recipients:
            service_email_send(
                context.submission, to=to, subject=config["subject"], text=config["message"]
            )
        if not recipients:
            return str(_("No e-mail sent: the request's service has no address."))
        return str(_("E-mailed to %(to)s.") % {"to": ", ".join(recipients)})
