"""Proving a mobile number is the citizen's before text messages go to it:
a six-digit code sent by SMS, kept hashed, valid ten minutes, five attempts;
a new code at most every minute and five an hour. Until the code is entered
the account keeps its previous number (or none): an unverified number is
never used."""

import secrets
from datetime import timedelta

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cms.sms.services import sms_offered, sms_queue

from .models import PhoneVerification, User
from .validators import is_mobile, phone_e164

CODE_VALIDITY = timedelta(minutes=10)
MAX_ATTEMPTS = 5
RESEND_DELAY = timedelta(minutes=1)
MAX_SENDS_PER_HOUR = 5

PHONE_INVALID = _("Enter a French mobile number, such as 06 12 34 56 78.")
SMS_NOT_OFFERED = _("The town hall does not send text messages: you are told by e-mail.")
RESEND_TOO_SOON = _("A code was sent less than a minute ago: wait a little before asking again.")
TOO_MANY_SENDS = _(
    "Several codes were sent within the hour: for your security, try again in an hour."
)
NO_CODE = _("Ask for a code first: no code is waiting for this account.")
CODE_EXPIRED = _("This code is more than ten minutes old: ask for a new one.")
CODE_WRONG = _("This code is not the one sent. Check it and try again.")
TOO_MANY_ATTEMPTS = _("Too many wrong codes: ask for a new one.")


class PhoneError(Exception):
    """A verification refused for a reason the citizen can act on."""


def verification_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def code_text(code: str) -> str:
    return gettext("%(code)s is your code to confirm your mobile number. It works 10 minutes.") % {
        "code": code
    }


@transaction.atomic
def phone_verification_start(*, user: User, number: str) -> PhoneVerification:
    """Send a code to ``number`` (urgent: even at night, the citizen is waiting)."""
    if not sms_offered(user.site):
        raise PhoneError(SMS_NOT_OFFERED)
    phone = phone_e164(number)
    if not phone or not is_mobile(phone):
        raise PhoneError(PHONE_INVALID)
    now = timezone.now()
    verification = PhoneVerification.objects.select_for_update().filter(user=user).first()
    if verification is not None:
        if now - verification.sent_at < RESEND_DELAY:
            raise PhoneError(RESEND_TOO_SOON)
        if now - verification.sends_since >= timedelta(hours=1):
            verification.sends, verification.sends_since = 0, now
        if verification.sends >= MAX_SENDS_PER_HOUR:
            raise PhoneError(TOO_MANY_SENDS)
    else:
        verification = PhoneVerification(user=user, sends_since=now)
    code = verification_code()
    verification.phone = phone
    verification.code_hash = make_password(code)
    verification.sent_at = now
    verification.attempts = 0
    verification.sends += 1
    verification.save()
    sms_queue(site=user.site, phone=phone, text=code_text(code), kind="verification", urgent=True)
    return verification


def phone_verification_confirm(*, user: User, code: str) -> User:
    """Give the account the number the code was sent to, if the code is right.
    A wrong code counts, even though it is refused."""
    with transaction.atomic():
        verification = PhoneVerification.objects.select_for_update().filter(user=user).first()
        error = None
        if verification is None:
            error = NO_CODE
        elif verification.attempts >= MAX_ATTEMPTS:
            error = TOO_MANY_ATTEMPTS
        elif timezone.now() - verification.sent_at > CODE_VALIDITY:
            error = CODE_EXPIRED
        elif not check_password("".join(code.split()), verification.code_hash):
            verification.attempts += 1
            verification.save(update_fields=["attempts"])
            error = TOO_MANY_ATTEMPTS if verification.attempts >= MAX_ATTEMPTS else CODE_WRONG
        else:
            user = User.objects.select_for_update().get(pk=user.pk)
            user.sms_phone = verification.phone
            user.sms_phone_verified_at = timezone.now()
            user.save(update_fields=["sms_phone", "sms_phone_verified_at"])
            verification.delete()
    if error is not None:
        raise PhoneError(error)
    return user


def notification_preferences_save(
    *, user: User, channel: str, notify_status: bool, notify_messages: bool, notify_reminders: bool
) -> User:
    """Save how and of what the citizen wants to be told; text messages only
    with a verified number and a commune that sends them."""
    from .models import ContactPreference

    if channel == ContactPreference.PHONE and not (
        user.sms_phone_verified_at and sms_offered(user.site)
    ):
        channel = ContactPreference.EMAIL
    User.objects.filter(pk=user.pk).update(
        contact_preference=channel,
        notify_status=notify_status,
        notify_messages=notify_messages,
        notify_reminders=notify_reminders,
    )
    user.refresh_from_db()
    return user
