"""Writes to citizen accounts and households."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from cms.audit import audit
from cms.emails import send_commune_email

from .identifiers import next_identifier
from .lockout import email_change_account_limited, password_reset_account_limited
from .models import AccountStatus, HouseholdMember, User
from .selectors import citizen_by_login
from .signals import account_erasing

ACCOUNT_NOT_VALIDATED = _(
    "Your account is awaiting validation by the town hall: it can be changed once validated."
)
EMAIL_TAKEN = _("An account of this commune already uses this e-mail address.")
ALREADY_DECIDED = _("This account has already been validated or rejected.")
REASON_REQUIRED = _("Say why the account is rejected: the citizen will receive the reason.")
EMAIL_CHANGE_SENT = _(
    "A link to confirm %(email)s has been sent to that address. Your account keeps its "
    "current address until you follow it; the link works once, for one hour."
)
EMAIL_CHANGE_LINK_INVALID = _(
    "This link no longer works: it was already used, is more than one hour old, or "
    "another address was chosen since. Change your address again from your account."
)
EMAIL_CHANGED = _("Your e-mail address is now %(email)s.")
EMAIL_CHANGE_TOO_OFTEN = _(
    "You have asked to change your e-mail address several times already: for your "
    "security, please try again in %(minutes)d minutes. Your account keeps its current address."
)
EMAIL_CHANGE_SALT = "accounts.email_change"
EMAIL_CHANGE_MAX_AGE = 60 * 60


class AccountError(Exception):
    """A change refused for a reason the citizen or the agent can act on."""


@dataclass
class MemberData:
    first_name: str
    last_name: str
    birth_date: date
    relationship: str


def _email_citizen(user: User, *, subject, template: str, **context) -> None:
    send_commune_email(
        site=user.site,
        to=user.email,
        subject=subject,
        template=template,
        context={"user": user, **context},
    )


def _require_modifiable(user: User) -> None:
    if not user.can_modify_account:
        raise AccountError(ACCOUNT_NOT_VALIDATED)


@transaction.atomic
def account_register(
    *,
    site,
    first_name: str,
    last_name: str,
    birth_date: date | None,
    email: str,
    phone: str = "",
    address_line: str = "",
    postcode: str = "",
    city: str = "",
    contact_preference: str,
    password: str | None = None,
    password_hash: str | None = None,
    members: list[MemberData] = (),
) -> User:
    """Create a citizen account awaiting validation, with its household, and
    e-mail the citizen their identifier.

    The password comes either in clear (checked by the password validators
    here) or already checked and hashed (``password_hash``, from the
    registration steps, which never keep it in clear).
    """
    email = email.strip().lower()
    if User.objects.filter(site=site, email=email).exists():
        raise AccountError(EMAIL_TAKEN)
    user = User(
        site=site,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        birth_date=birth_date,
        email=email,
        phone=phone.strip(),
        address_line=address_line.strip(),
        postcode=postcode.strip(),
        city=city.strip(),
        contact_preference=contact_preference,
        status=AccountStatus.PENDING,
    )
    if password_hash is not None:
        user.password = password_hash
    else:
        validate_password(password, user)
        user.set_password(password)
    for attempt in range(5):
        user.username = next_identifier(site=site, first_name=first_name, last_name=last_name)
        try:
            with transaction.atomic():
                user.save()
            break
        except IntegrityError:
            if attempt == 4:
                raise
    for member in members:
        HouseholdMember.objects.create(site=site, account=user, **member.__dict__)
    _email_citizen(user, subject=_("Your identifier"), template="account_created")
    return user


@transaction.atomic
def account_update(*, user: User, **fields) -> User:
    """Change the holder's own details, except the e-mail address, which
    changes only once the new one is confirmed (``account_email_change_request``)."""
    _require_modifiable(user)
    if "email" in fields:
        raise TypeError("the e-mail address changes through account_email_change_request")
    for name, value in fields.items():
        setattr(user, name, value)
    user.save(update_fields=list(fields))
    return user


def email_change_token(*, user: User, email: str) -> str:
    """The key of the link that confirms ``email`` as the account's new
    address: signed, with the time it was made and the address it replaces."""
    return signing.dumps(
        {"user": user.pk, "email": email, "from": user.email, "at": timezone.now().timestamp()},
        salt=EMAIL_CHANGE_SALT,
        compress=True,
    )


def account_email_change_request(*, user: User, email: str, confirm_url: Callable[[str], str]):
    """Ask to change the account's e-mail address: the new address receives
    a link to confirm it (``confirm_url(token)``), valid once, for one hour;
    the account keeps its address until then. If another account of the
    commune uses the new address, the message sent there says so instead,
    so that the citizen asking learns nothing about other accounts."""
    _require_modifiable(user)
    email = email.strip().lower()
    user = User.objects.get(pk=user.pk)
    if email == user.email:
        return
    if minutes := email_change_account_limited(user):
        raise AccountError(EMAIL_CHANGE_TOO_OFTEN % {"minutes": minutes})
    if User.objects.filter(site=user.site, email=email).exclude(pk=user.pk).exists():
        send_commune_email(
            site=user.site,
            to=email,
            subject=_("Change of e-mail address"),
            template="email_change_taken",
            context={"user": user},
        )
        return
    send_commune_email(
        site=user.site,
        to=email,
        subject=_("Confirm your new e-mail address"),
        template="email_change_confirm",
        context={
            "user": user,
            "email": email,
            "confirm_url": confirm_url(email_change_token(user=user, email=email)),
        },
    )


def email_change_read(*, site, token: str) -> tuple[User, str]:
    """The account and the new address a link confirms, if it is still good:
    of this commune, less than an hour old, for the account's current address,
    and made after the last change confirmed (so each link works once)."""
    try:
        data = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=EMAIL_CHANGE_MAX_AGE)
        user = User.objects.get(pk=data["user"], site=site, is_active=True)
        email, previous, made_at = str(data["email"]), str(data["from"]), float(data["at"])
    except (signing.BadSignature, User.DoesNotExist, KeyError, TypeError, ValueError):
        raise AccountError(EMAIL_CHANGE_LINK_INVALID) from None
    changed_at = user.email_changed_at.timestamp() if user.email_changed_at else None
    if user.email != previous or (changed_at is not None and made_at <= changed_at):
        raise AccountError(EMAIL_CHANGE_LINK_INVALID)
    return user, email


@transaction.atomic
def account_email_change_confirm(*, site, token: str) -> User:
    """Give the account the new address its link confirms (``email_change_read``)."""
    user, email = email_change_read(site=site, token=token)
    user = User.objects.select_for_update().get(pk=user.pk)
    if User.objects.filter(site=site, email=email).exclude(pk=user.pk).exists():
        raise AccountError(EMAIL_TAKEN)
    previous = user.email
    user.email = email
    user.email_changed_at = timezone.now()
    user.save(update_fields=["email", "email_changed_at"])
    if previous:
        send_commune_email(
            site=site,
            to=previous,
            subject=_("Your e-mail address has changed"),
            template="email_changed_notice",
            context={"user": user, "email": email},
        )
    return user


def member_add(*, user: User, data: MemberData) -> HouseholdMember:
    _require_modifiable(user)
    return HouseholdMember.objects.create(site=user.site, account=user, **data.__dict__)


def member_update(*, user: User, member: HouseholdMember, data: MemberData) -> HouseholdMember:
    _require_modifiable(user)
    for name, value in data.__dict__.items():
        setattr(member, name, value)
    member.save()
    return member


def member_delete(*, user: User, member: HouseholdMember) -> None:
    _require_modifiable(user)
    member.delete()


def _decide(*, account: User, by: User, status: str, reason: str = "") -> User:
    account = User.objects.select_for_update().get(pk=account.pk)
    if account.status != AccountStatus.PENDING:
        raise AccountError(ALREADY_DECIDED)
    account.status = status
    account.status_changed_at = timezone.now()
    account.status_changed_by = by
    account.rejection_reason = reason
    account.save(
        update_fields=["status", "status_changed_at", "status_changed_by", "rejection_reason"]
    )
    audit(account, f"accounts.{status}", user=by, data={"reason": reason} if reason else None)
    return account


@transaction.atomic
def account_validate(*, account: User, by: User) -> User:
    """Validate an account awaiting validation and tell the citizen."""
    account = _decide(account=account, by=by, status=AccountStatus.VALIDATED)
    _email_citizen(account, subject=_("Your account is validated"), template="account_validated")
    return account


@transaction.atomic
def account_reject(*, account: User, by: User, reason: str) -> User:
    """Reject an account awaiting validation and send the citizen the reason."""
    if not reason.strip():
        raise AccountError(REASON_REQUIRED)
    account = _decide(account=account, by=by, status=AccountStatus.REJECTED, reason=reason.strip())
    _email_citizen(
        account,
        subject=_("Your account could not be validated"),
        template="account_rejected",
        reason=account.rejection_reason,
    )
    return account


@transaction.atomic
def account_erase(*, user: User) -> None:
    """Erase a citizen's account and household. Apps keeping records the
    commune must retain anonymise them first (``account_erasing``)."""
    account_erasing.send(sender=User, account=user)
    user.household_members.all().delete()
    user.delete()


def password_reset_request(*, site, login: str, base_url: str, language: str) -> None:
    """Queue the e-mail of a link to choose a new password. Whether ``login``
    names an account is for the task to find out: the request takes the same
    time either way."""
    from .tasks import send_password_reset

    transaction.on_commit(
        lambda: send_password_reset.enqueue(
            site_id=site.pk, login=login, base_url=base_url, language=language
        )
    )


def password_reset_send(*, site, login: str, base_url: str, language: str) -> bool:
    """E-mail the link to the active account of ``site`` that ``login`` names
    (identifier or e-mail address), unless it has received enough of them
    lately (``accounts.lockout``). Whether it was sent."""
    user = citizen_by_login(site=site, login=login)
    if user is None or not user.is_active or not user.email:
        return False
    if password_reset_account_limited(user):
        return False
    with translation.override(language):
        path = reverse(
            "accounts:password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
    send_commune_email(
        site=site,
        to=user.email,
        subject=_("Choose a new password"),
        template="password_reset",
        context={"user": user, "reset_url": base_url + path},
    )
    return True
