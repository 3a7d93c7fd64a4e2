"""Writes to citizen accounts and households, and which account an identity
provider's sign-in opens."""

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
from cms.notifications import ACCOUNT, SECURITY, Notification, Recipient, notify_on_commit

from .identifiers import next_identifier
from .identity.base import CertifiedIdentity
from .lockout import email_change_account_limited, password_reset_account_limited
from .models import AccountSettings, AccountStatus, HouseholdMember, IdentityLink, User
from .selectors import (
    citizen_by_login,
    citizen_with_email_exists,
    identity_link_for,
    staff_with_email,
)
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
IDENTITY_TAKEN = _(
    "This FranceConnect identity is already linked to another account of the commune."
)
IDENTITY_ALREADY_LINKED = _(
    "This account is already linked to another FranceConnect identity: remove that link "
    "from the account's page first."
)
IDENTITY_LINK_SENT = _(
    "If an account of the commune matches, a link to confirm has been sent to its e-mail "
    "address. It works once, for one hour, in any browser."
)
IDENTITY_LINK_INVALID = _(
    "This link no longer works: it was already used, is more than one hour old, or the "
    "account has been linked since. Sign in with FranceConnect again to ask for another."
)
STAFF_EMAIL_UNKNOWN = _(
    "No staff account of the portal uses the e-mail address %(email)s. Staff accounts are "
    "created by a platform administrator: ask them to give yours this address, or log in "
    "with your identifier and password."
)
STAFF_EMAIL_OF_CITIZEN = _(
    "The e-mail address %(email)s is that of a citizen's account, which cannot enter the "
    "administration. Log in with your staff identifier and password, or ask a platform "
    "administrator to give your staff account this address."
)
STAFF_EMAIL_SHARED = _(
    "Several staff accounts use the e-mail address %(email)s, so the portal cannot tell "
    "which one is yours. Ask a platform administrator to give each of them its own "
    "address, or log in with your identifier and password."
)
STAFF_ACCOUNT_CLOSED = _(
    "The staff account that uses the e-mail address %(email)s is deactivated. Ask a "
    "platform administrator if it should not be."
)
IDENTITY_LINK_SALT = "accounts.identity_link"
IDENTITY_LINK_MAX_AGE = 60 * 60
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


def _tell_citizen(user: User, *, subject, template: str, short="", **context) -> None:
    """Tell the account holder about their account, by the channel they
    chose; without ``short`` (what a text message may not carry: the
    identifier, a reason for rejection), by e-mail."""
    from .notifications import citizen_recipient

    notify_on_commit(
        Notification(
            site=user.site,
            recipient=citizen_recipient(user),
            subject=subject,
            template=template,
            context={"user": user, **context},
            short=short,
            kind=ACCOUNT,
        )
    )


def _email_securely(*, site, to: str, subject, template: str, context: dict) -> None:
    """A link that must reach the mailbox it proves (password reset, e-mail
    change, FranceConnect link): by e-mail only, whatever the preference."""
    notify_on_commit(
        Notification(
            site=site,
            recipient=Recipient(email=to),
            subject=subject,
            template=template,
            context=context,
            kind=SECURITY,
            email_only=True,
        )
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
    user = _new_citizen(
        site=site,
        first_name=first_name,
        last_name=last_name,
        birth_date=birth_date,
        email=email,
        phone=phone,
        address_line=address_line,
        postcode=postcode,
        city=city,
        contact_preference=contact_preference,
    )
    if password_hash is not None:
        user.password = password_hash
    else:
        validate_password(password, user)
        user.set_password(password)
    _save_citizen(user, members=members)
    return user


def _new_citizen(
    *,
    site,
    first_name,
    last_name,
    birth_date,
    email,
    phone,
    address_line,
    postcode,
    city,
    contact_preference,
    status=AccountStatus.PENDING,
) -> User:
    email = email.strip().lower()
    if User.objects.filter(site=site, email=email).exists():
        raise AccountError(EMAIL_TAKEN)
    return User(
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
        status=status,
    )


def _save_citizen(user: User, *, members, first_name: str = "") -> None:
    """Give the new account its identifier ``prénom.nom`` (of ``first_name``
    when given), save it with its household and e-mail the citizen their
    identifier."""
    site = user.site
    for attempt in range(5):
        user.username = next_identifier(
            site=site, first_name=first_name or user.first_name, last_name=user.last_name
        )
        try:
            with transaction.atomic():
                user.save()
            break
        except IntegrityError:
            if attempt == 4:
                raise
    for member in members:
        HouseholdMember.objects.create(site=site, account=user, **member.__dict__)
    _tell_citizen(user, subject=_("Your identifier"), template="account_created")


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
        _email_securely(
            site=user.site,
            to=email,
            subject=_("Change of e-mail address"),
            template="email_change_taken",
            context={"user": user},
        )
        return
    _email_securely(
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
        _email_securely(
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
    _tell_citizen(
        account,
        subject=_("Your account is validated"),
        template="account_validated",
        short=_("Your account is validated: %(url)s") % {"url": account.site.root_url + "/"},
    )
    return account


@transaction.atomic
def account_reject(*, account: User, by: User, reason: str) -> User:
    """Reject an account awaiting validation and send the citizen the reason."""
    if not reason.strip():
        raise AccountError(REASON_REQUIRED)
    account = _decide(account=account, by=by, status=AccountStatus.REJECTED, reason=reason.strip())
    _tell_citizen(
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
    _email_securely(
        site=site,
        to=user.email,
        subject=_("Choose a new password"),
        template="password_reset",
        context={"user": user, "reset_url": base_url + path},
    )
    return True


# --- Identities certified by FranceConnect ------------------------------------


def _certify(user: User, identity: CertifiedIdentity) -> None:
    """The account's names and date of birth become the certified ones."""
    user.first_name = identity.given_name
    user.last_name = identity.family_name
    if identity.birthdate is not None:
        user.birth_date = identity.birthdate


def _link_fields(identity: CertifiedIdentity) -> dict:
    return {
        "given_name": identity.given_name,
        "family_name": identity.family_name,
        "birthdate": identity.birthdate,
        "birthplace": identity.birthplace,
        "birthcountry": identity.birthcountry,
        "gender": identity.gender,
        "acr": identity.acr,
    }


@transaction.atomic
def account_register_certified(
    *,
    site,
    provider: str,
    identity: CertifiedIdentity,
    email: str,
    phone: str = "",
    address_line: str = "",
    postcode: str = "",
    city: str = "",
    contact_preference: str,
    members: list[MemberData] = (),
    validated: bool = False,
) -> User:
    """Create a citizen account whose identity a provider certified: its
    names and date of birth are the certified ones (and stay locked), it has
    no password (the citizen may choose one from their account page, where no
    current password is asked), and it is validated at once when the commune
    says so. The identifier ``prénom.nom`` is made from the first of the
    given names."""
    if identity_link_for(site=site, provider=provider, subject=identity.subject) is not None:
        raise AccountError(IDENTITY_TAKEN)
    user = _new_citizen(
        site=site,
        first_name=identity.given_name,
        last_name=identity.family_name,
        birth_date=identity.birthdate,
        email=email,
        phone=phone,
        address_line=address_line,
        postcode=postcode,
        city=city,
        contact_preference=contact_preference,
        status=AccountStatus.VALIDATED if validated else AccountStatus.PENDING,
    )
    if validated:
        user.status_changed_at = timezone.now()
    user.set_unusable_password()
    _save_citizen(user, members=members, first_name=identity.given_name.split()[0])
    IdentityLink.objects.create(
        site=site,
        user=user,
        provider=provider,
        subject=identity.subject,
        signed_in_at=timezone.now(),
        **_link_fields(identity),
    )
    return user


@transaction.atomic
def identity_link(*, user: User, provider: str, identity: CertifiedIdentity) -> IdentityLink:
    """Link an account to the identity a provider certified, once the citizen
    proved the account is theirs (its password, a link sent to its e-mail
    address, or being logged in to it). Never by matching e-mail addresses.
    An account awaiting validation is validated when the commune validates
    FranceConnect accounts at once, as it would have been opened with it."""
    user = User.objects.select_for_update().get(pk=user.pk)
    taken = identity_link_for(site=user.site, provider=provider, subject=identity.subject)
    if taken is not None and taken.user_id != user.pk:
        raise AccountError(IDENTITY_TAKEN)
    current = user.identity_links.filter(provider=provider).first()
    if current is not None and current.subject != identity.subject:
        raise AccountError(IDENTITY_ALREADY_LINKED)
    link, _created = IdentityLink.objects.update_or_create(
        user=user,
        provider=provider,
        defaults={
            "site": user.site,
            "subject": identity.subject,
            "signed_in_at": timezone.now(),
            **_link_fields(identity),
        },
    )
    _certify(user, identity)
    fields = ["first_name", "last_name", "birth_date"]
    if (
        user.status == AccountStatus.PENDING
        and AccountSettings.for_site(user.site).franceconnect_validates_accounts
    ):
        user.status = AccountStatus.VALIDATED
        user.status_changed_at = timezone.now()
        fields += ["status", "status_changed_at"]
    user.save(update_fields=fields)
    return link


@transaction.atomic
def identity_signed_in(*, link: IdentityLink, identity: CertifiedIdentity) -> User:
    """A sign-in with a linked identity: the pivot identity is kept as the
    provider certifies it today (a name may have changed)."""
    for name, value in _link_fields(identity).items():
        setattr(link, name, value)
    link.signed_in_at = timezone.now()
    link.save()
    user = link.user
    _certify(user, identity)
    user.save(update_fields=["first_name", "last_name", "birth_date"])
    return user


@transaction.atomic
def identity_unlink(*, user: User, provider: str) -> None:
    """Remove the link: the account keeps its details, which the citizen may
    change again, and logs in with its password (or chooses one)."""
    user.identity_links.filter(provider=provider).delete()


def identity_link_token(*, user: User, provider: str, identity: CertifiedIdentity) -> str:
    return signing.dumps(
        {"user": user.pk, "provider": provider, "identity": identity.as_session()},
        salt=IDENTITY_LINK_SALT,
        compress=True,
    )


def identity_link_request(
    *, site, login: str, provider: str, identity: CertifiedIdentity, confirm_url
) -> None:
    """E-mail the account that ``login`` names (identifier or e-mail address)
    a link that links it to ``identity`` once followed. The answer is the
    same whether an account matches or not."""
    user = citizen_by_login(site=site, login=login)
    if user is None or not user.is_active or not user.email:
        return
    if email_change_account_limited(user):
        return
    _email_securely(
        site=site,
        to=user.email,
        subject=_("Link your account to FranceConnect"),
        template="identity_link_confirm",
        context={
            "user": user,
            "identity": identity,
            "confirm_url": confirm_url(
                identity_link_token(user=user, provider=provider, identity=identity)
            ),
        },
    )


def identity_link_read(*, site, token: str) -> tuple[User, str, CertifiedIdentity]:
    """The account, provider and identity a link confirms, if it is still
    good: of this commune, less than an hour old, and not linked since."""
    try:
        data = signing.loads(token, salt=IDENTITY_LINK_SALT, max_age=IDENTITY_LINK_MAX_AGE)
        user = User.objects.get(pk=data["user"], site=site, is_active=True)
        provider = str(data["provider"])
        identity = CertifiedIdentity.from_session(data["identity"])
    except (signing.BadSignature, User.DoesNotExist, KeyError, TypeError, ValueError):
        raise AccountError(IDENTITY_LINK_INVALID) from None
    if user.identity_links.filter(provider=provider).exists():
        raise AccountError(IDENTITY_LINK_INVALID)
    return user, provider, identity


def identity_link_confirm(*, site, token: str) -> User:
    user, provider, identity = identity_link_read(site=site, token=token)
    identity_link(user=user, provider=provider, identity=identity)
    return user


# --- Staff signing in with ProConnect ------------------------------------------


def staff_for_sign_in(*, email: str) -> User:
    """The staff account that a sign-in with ProConnect opens: the one staff
    account (``selectors.staff_with_email``) whose e-mail address, whatever
    its case, is the professional address ProConnect verified. A platform
    administrator creates it; a sign-in never creates one, never opens a
    citizen's account, and refuses an address that several staff accounts
    share or whose account is deactivated."""
    accounts = list(staff_with_email(email=email)[:2])
    values = {"email": email}
    if not accounts:
        if citizen_with_email_exists(email=email):
            raise AccountError(STAFF_EMAIL_OF_CITIZEN % values)
        raise AccountError(STAFF_EMAIL_UNKNOWN % values)
    if len(accounts) > 1:
        raise AccountError(STAFF_EMAIL_SHARED % values)
    (user,) = accounts
    if not user.is_active:
        raise AccountError(STAFF_ACCOUNT_CLOSED % values)
    return user
