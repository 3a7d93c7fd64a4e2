"""Writes to citizen accounts and households."""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from cms.audit import audit
from cms.emails import send_commune_email

from .identifiers import next_identifier
from .lockout import password_reset_account_limited
from .models import AccountStatus, HouseholdMember, User
from .selectors import citizen_by_login
from .signals import account_erasing

ACCOUNT_NOT_VALIDATED = _(
    "Your account is awaiting validation by the town hall: it can be changed once validated."
)
EMAIL_TAKEN = _("An account of this commune already uses this e-mail address.")
ALREADY_DECIDED = _("This account has already been validated or rejected.")
REASON_REQUIRED = _("Say why the account is rejected: the citizen will receive the reason.")


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
    _require_modifiable(user)
    if "email" in fields:
        fields["email"] = fields["email"].strip().lower()
        taken = User.objects.filter(site=user.site, email=fields["email"]).exclude(pk=user.pk)
        if taken.exists():
            raise AccountError(EMAIL_TAKEN)
    for name, value in fields.items():
        setattr(user, name, value)
    user.save()
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
