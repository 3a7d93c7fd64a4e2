"""Whom a notification reaches, from a citizen's account and preferences
(``cms.notifications``)."""

from cms.notifications import DEFAULT_CHANNEL, MESSAGE, REMINDER, SMS_CHANNEL, STATUS, Recipient

from .models import ContactPreference, User

#: The account's field that says whether the citizen wants each optional kind.
OPTIONAL_KIND_FIELDS = {
    STATUS: "notify_status",
    MESSAGE: "notify_messages",
    REMINDER: "notify_reminders",
}


def citizen_recipient(user: User, *, email: str | None = None) -> Recipient:
    """The account as a recipient: text messages only to a verified number."""
    phone = user.sms_phone if user.sms_phone_verified_at else ""
    wants_sms = user.contact_preference == ContactPreference.PHONE and phone
    return Recipient(
        email=user.email if email is None else email,
        phone=phone,
        preference=SMS_CHANNEL if wants_sms else DEFAULT_CHANNEL,
        opted_out=frozenset(
            kind for kind, name in OPTIONAL_KIND_FIELDS.items() if not getattr(user, name)
        ),
    )


def contact_recipient(*, email: str, account: User | None = None) -> Recipient:
    """Someone a request names: its account's preferences, or the e-mail
    address given by a requester without an account."""
    if account is not None:
        return citizen_recipient(account, email=email or account.email)
    return Recipient(email=email)
