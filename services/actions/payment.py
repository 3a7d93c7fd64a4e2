"""Ask for a payment: the request's price (from its démarche's price rules,
or an amount the agent types with its reason when moving the request) is
to pay; the citizen is told how, and once it is paid the request moves on
by itself to the status configured here. The app that collects the money
does the asking (``services.extensions``, ``register_payment_request``)."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from .. import extensions
from .base import ActionContext, StatusAction
from .registry import registry

FROM_PRICE, TYPED = "price", "typed"


class AskPaymentBlock(blocks.StructBlock):
    amount = blocks.ChoiceBlock(
        label=_("Amount"),
        choices=[
            (FROM_PRICE, _("The price of the démarche, computed from the answers")),
            (TYPED, _("Typed by the agent, with its reason, when moving the request")),
        ],
        default=FROM_PRICE,
    )
    paid_to = blocks.CharBlock(
        label=_("Once paid, the request goes to the status (key)"),
        help_text=_("For instance the status that confirms the booking."),
    )

    class Meta:
        label = _("Ask for a payment")
        icon = "tag"


@registry.register
class AskPayment(StatusAction):
    name = "ask_payment"
    label = _("Ask for a payment")
    icon = "tag"
    tells_citizen = True

    def block(self):
        return AskPaymentBlock()

    def asks_amount(self, config: dict) -> bool:
        return config.get("amount") == TYPED

    def problems(self, config, statuses):
        paid_to = (config.get("paid_to") or "").strip()
        if paid_to not in statuses:
            return [
                _("Paid requests go to “%(key)s”, not a status of this workflow.")
                % {"key": paid_to}
            ]
        return []

    def run(self, context: ActionContext, config: dict) -> str:
        """The app that collects the money asks for it and tells the citizen
        how to pay; without one, the citizen gets the status e-mail alone."""
        done = extensions.payment_request(context.submission, context.change, config)
        if done is None:
            from django.db import transaction

            from ..tasks import status_email_send

            change = context.change
            transaction.on_commit(lambda: status_email_send(change))
            return str(_("No payment was asked: the démarche has no price or no régie."))
        return done
