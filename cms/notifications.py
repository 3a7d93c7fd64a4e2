"""Telling a citizen something, by the channel they chose.

Every message to a citizen is a ``Notification`` handed to ``notify`` (in a
task) or ``notify_on_commit`` (in a request). The recipient's preference
(``Recipient.preference``, from the account's ``contact_preference``) maps to
a channel in ``settings.NOTIFICATION_CHANNELS``: ``"email"`` or ``"phone"``
(a text message, ``cms.sms``). A preference with no channel configured, a
commune without an SMS provider, a recipient without a verified mobile
number, or a notification without a ``short`` text: e-mail, so nobody is left
uninformed. A channel is a class with a ``deliver(notification)`` method.

The kind of a notification (``Notification.kind``) says what it is about,
so that citizens can choose what they are told:

- ``"status"``: a request changed status (corrections asked included);
- ``"message"``: the town hall wrote in a request's thread;
- ``"reminder"``: a deadline of a request is near;
- ``"account"``: identifier, validation or rejection of the account, warning
  before an unused account is deleted;
- ``"receipt"``: the receipt of a request just sent;
- ``"payment"``: the receipt of a payment;
- ``"security"``: links that must reach the mailbox (password reset, e-mail
  change); always ``email_only``;
- ``"other"``: the default.

``OPTIONAL_KINDS`` (status, message, reminder) are those a citizen may turn
off (``Recipient.opted_out``); the others always go. The portal's own
timeline of a request shows everything whatever the citizen chose.

A notification with attachments goes by e-mail, which carries them, even
when the citizen prefers text messages (who then also gets the text).
"""

from dataclasses import dataclass, field, replace

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from .emails import render_commune_email
from .tasks import email_message, send_email

DEFAULT_CHANNEL = "email"
SMS_CHANNEL = "phone"

STATUS = "status"
MESSAGE = "message"
REMINDER = "reminder"
ACCOUNT = "account"
RECEIPT = "receipt"
PAYMENT = "payment"
SECURITY = "security"
OTHER = "other"
KINDS = (STATUS, MESSAGE, REMINDER, ACCOUNT, RECEIPT, PAYMENT, SECURITY, OTHER)
#: The kinds a citizen may choose not to be told of.
OPTIONAL_KINDS = frozenset({STATUS, MESSAGE, REMINDER})


@dataclass(frozen=True)
class Recipient:
    """Whom to tell: ``phone`` is a verified mobile number (E.164) or empty;
    an unverified number is never given here."""

    email: str
    phone: str = ""
    preference: str = DEFAULT_CHANNEL
    #: Optional kinds the citizen chose not to be told of.
    opted_out: frozenset = frozenset()


@dataclass
class Notification:
    """What to say: rendered from ``templates/emails/<template>`` for e-mail;
    ``short`` for a text message (a request number and a link at most, no
    other personal data)."""

    site: object
    recipient: Recipient
    subject: str
    template: str
    context: dict = field(default_factory=dict)
    short: str = ""
    #: Files the e-mail carries: (name, content, type).
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)
    kind: str = OTHER
    #: Only by e-mail, whatever the preference (links that must reach the mailbox).
    email_only: bool = False
    #: May be sent at night (a text message otherwise waits for the morning).
    urgent: bool = False
    #: Hand the e-mail to the task worker instead of sending it now (``notify_on_commit``).
    queued: bool = False


def _email(notification: Notification) -> dict:
    return render_commune_email(
        site=notification.site,
        to=notification.recipient.email,
        subject=notification.subject,
        template=notification.template,
        context=notification.context,
    )


class EmailChannel:
    name = "email"

    def deliver(self, notification: Notification) -> None:
        if not notification.recipient.email:
            return
        message = _email(notification)
        if notification.queued and not notification.attachments:
            transaction.on_commit(lambda: send_email.enqueue(**message))
            return
        email = email_message(**message)
        for name, content, content_type in notification.attachments:
            email.attach(name, content, content_type)
        email.send()


class SmsChannel:
    """A text message (``cms.sms``) when the commune offers them, the
    recipient has a verified number and the notification a short text;
    e-mail otherwise, and as well when it carries files. If the message
    cannot go (provider refused or unreachable, monthly cap reached), the
    e-mail is sent instead."""

    name = "phone"

    def deliver(self, notification: Notification) -> None:
        from .sms.services import sms_offered, sms_queue

        recipient = notification.recipient
        if not (recipient.phone and notification.short and sms_offered(notification.site)):
            EmailChannel().deliver(notification)
            return
        fallback = None
        if notification.attachments:
            EmailChannel().deliver(notification)
        elif recipient.email:
            fallback = _email(notification)
        sms_queue(
            site=notification.site,
            phone=recipient.phone,
            text=notification.short,
            kind=notification.kind,
            urgent=notification.urgent,
            fallback=fallback,
        )


def channel_for(preference: str):
    channels = getattr(settings, "NOTIFICATION_CHANNELS", {DEFAULT_CHANNEL: EmailChannel})
    path = channels.get(preference) or channels[DEFAULT_CHANNEL]
    channel = import_string(path) if isinstance(path, str) else path
    return channel()


def wanted(notification: Notification) -> bool:
    """Whether the recipient wants to be told of this kind of notification."""
    return not (
        notification.kind in OPTIONAL_KINDS
        and notification.kind in notification.recipient.opted_out
    )


def notify(notification: Notification) -> None:
    """Deliver now (call it from a task): by the recipient's channel, unless
    they chose not to be told of this kind."""
    if not wanted(notification):
        return
    preference = DEFAULT_CHANNEL if notification.email_only else notification.recipient.preference
    channel_for(preference).deliver(notification)


def notify_on_commit(notification: Notification) -> None:
    """Deliver once the current transaction commits (call it from a request):
    the e-mail goes through the task worker, as a text message does."""
    notification = replace(notification, queued=True)
    transaction.on_commit(lambda: notify(notification))
