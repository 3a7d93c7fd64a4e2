"""Telling a citizen something, by the channel they chose.

A citizen's account says how to reach them (``contact_preference``). Each
preference maps to a channel in ``settings.NOTIFICATION_CHANNELS``; a
preference with no channel configured (text messages, until a provider is
plugged in) falls back to e-mail, so nobody is left uninformed. A channel is
a class with a ``deliver(notification)`` method, called by the task worker.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.module_loading import import_string

from .emails import render_commune_email
from .tasks import email_message

DEFAULT_CHANNEL = "email"


@dataclass(frozen=True)
class Recipient:
    email: str
    phone: str = ""
    preference: str = DEFAULT_CHANNEL


@dataclass
class Notification:
    """What to say: rendered from ``templates/emails/<template>`` for e-mail;
    other channels may use ``short`` (one line, for a text message)."""

    site: object
    recipient: Recipient
    subject: str
    template: str
    context: dict = field(default_factory=dict)
    short: str = ""
    #: Files the e-mail carries: (name, content, type).
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)


class EmailChannel:
    name = "email"

    def deliver(self, notification: Notification) -> None:
        message = render_commune_email(
            site=notification.site,
            to=notification.recipient.email,
            subject=notification.subject,
            template=notification.template,
            context=notification.context,
        )
        email = email_message(**message)
        for name, content, content_type in notification.attachments:
            email.attach(name, content, content_type)
        email.send()


def channel_for(preference: str):
    channels = getattr(settings, "NOTIFICATION_CHANNELS", {DEFAULT_CHANNEL: EmailChannel})
    path = channels.get(preference) or channels[DEFAULT_CHANNEL]
    channel = import_string(path) if isinstance(path, str) else path
    return channel()


def notify(notification: Notification) -> None:
    """Deliver now (call it from a task): by the recipient's channel."""
    channel_for(notification.recipient.preference).deliver(notification)
