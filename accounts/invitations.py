"""Inviting people into the staff, and removing them from a commune.

A platform admin invites a person into any groups; a commune's supervisor
into their own commune's groups only ("<commune> — Communication", "—
Agents", "— Supervisors", whose rights lie within that commune). A
supervisor thus never gives anyone a right their commune's groups do not
already define: never another group a platform admin made, a platform group,
another commune's group, or the superuser status.

The invitation's link (``INVITATION_DAYS`` days, a random token of which only
the hash is kept) lets the person choose their password, then set up their
authenticator app: the invitation is accepted, and the groups given, only
once that app is confirmed. Someone who already has a staff account with the
invitation's e-mail address accepts it signed in, and keeps their account.
Citizen accounts are never turned into staff ones.
"""

import hashlib
import secrets
from datetime import timedelta
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from wagtail.models import Site

from cms.emails import render_plain_text, send_commune_email
from cms.services import AGENTS_GROUP, COMMUNICATION_GROUP, SUPERVISORS_GROUP
from cms.tasks import send_email
from cms.tenancy import communes_for, group_communes, groups_of_communes

from .identifiers import identifier_base
from .models import StaffInvitation, User
from .policies import staff_invitation_policy
from .selectors import staff_with_email

INVITATION_DAYS = 7

#: What inviting asks of the user, per commune (``GroupSitePermission``).
INVITE = ("add",)

GROUPS_OF_SEVERAL_COMMUNES = _(
    "Choose the groups of one commune at a time: send another invitation for the other commune."
)
GROUP_NOT_GRANTABLE = _(
    "You may not give this group: choose among the groups of the communes whose staff you manage."
)
ALREADY_INVITED = _(
    "%(email)s already has a pending invitation for these groups' commune: resend or revoke it "
    "from the list."
)
USERNAME_TAKEN = _("Another staff account already uses this identifier: choose another one.")
STAFF_EMAIL_SHARED = _(
    "Several staff accounts use the e-mail address %(email)s: a platform administrator must "
    "give each its own address before anyone is invited with it."
)
STAFF_ACCOUNT_DEACTIVATED = _(
    "The staff account that uses %(email)s is deactivated: a platform administrator must "
    "reactivate it first."
)
ALREADY_A_MEMBER = _("%(name)s already belongs to every group chosen.")
NOT_PENDING = _("This invitation is no longer pending: it was accepted or revoked.")
CANNOT_REMOVE_YOURSELF = _(
    "You cannot remove yourself from a commune: ask another supervisor or a platform administrator."
)
CANNOT_REMOVE_PLATFORM_ADMIN = _("Only a platform administrator may remove another one.")
NOTHING_TO_REMOVE = _(
    "This person belongs to none of the commune's groups that you manage: ask a platform "
    "administrator."
)


class InvitationError(Exception):
    """An invitation refused for a reason the person inviting can act on."""


# --- Reads ---------------------------------------------------------------------


def staff_communes(user) -> QuerySet[Site]:
    """The communes whose staff ``user`` manages: every commune for platform
    admins, those where they may invite (their supervisors) otherwise."""
    return communes_for(user, staff_invitation_policy, INVITE).order_by("site_name")


def manages_staff(user) -> bool:
    return user.is_superuser or staff_communes(user).exists()


def grantable_groups(user) -> QuerySet[Group]:
    """The groups ``user`` may invite people into, or remove them from:
    every group for platform admins; for a commune's supervisors, the
    commune's own groups (Communication, Agents, Supervisors), as long as
    their rights lie within that commune."""
    if user.is_superuser:
        return Group.objects.order_by("name")
    sites = list(staff_communes(user))
    if not sites:
        return Group.objects.none()
    own = [
        template.format(name=site.site_name)
        for site in sites
        for template in (COMMUNICATION_GROUP, AGENTS_GROUP, SUPERVISORS_GROUP)
    ]
    return groups_of_communes(sites).filter(name__in=own).order_by("name")


def commune_of_groups(groups) -> Site | None:
    """The one commune whose groups these are, or ``None`` (the platform's
    groups, or those of several communes)."""
    by_group = group_communes(Group.objects.filter(pk__in=[group.pk for group in groups]))
    if any(group.pk not in by_group for group in groups):
        return None
    communes = set().union(*by_group.values())
    if len(communes) == 1 and None not in communes:
        return Site.objects.get(pk=next(iter(communes)))
    return None


def invitations_visible_to(user) -> QuerySet[StaffInvitation]:
    """The invitations of the communes whose staff ``user`` manages, and, for
    platform admins, those into the platform's groups."""
    invitations = StaffInvitation.objects.select_related("site", "invited_by")
    if user.is_superuser:
        return invitations
    return invitations.filter(site__in=staff_communes(user))


def open_invitations_visible_to(user) -> QuerySet[StaffInvitation]:
    """Those not yet accepted nor revoked (pending, or expired: to resend)."""
    return (
        invitations_visible_to(user)
        .filter(accepted_at__isnull=True, revoked_at__isnull=True)
        .prefetch_related("groups")
        .order_by("last_name", "first_name", "pk")
    )


def staff_of_commune(site: Site) -> QuerySet[User]:
    """The staff accounts that belong to one of the commune's groups."""
    return (
        User.objects.filter(site__isnull=True, groups__in=groups_of_communes([site]))
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def staff_member_of(user, *, site: Site, pk: int) -> User | None:
    """A staff member of ``site``, if ``user`` manages its staff."""
    if not staff_communes(user).filter(pk=site.pk).exists():
        return None
    return staff_of_commune(site).filter(pk=pk).first()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_for_token(token: str) -> StaffInvitation | None:
    """The invitation of a link, whatever its state (``status`` tells)."""
    if not token or len(token) > 100:
        return None
    return (
        StaffInvitation.objects.select_related("user", "invited_by", "site")
        .filter(token_hash=token_hash(token))
        .first()
    )


def free_username(*, first_name: str, last_name: str) -> str:
    """The first identifier ``prénom.nom`` (then ``prénom.nom2``...) that no
    staff account nor pending invitation uses."""
    base = identifier_base(first_name, last_name)
    staff = User.objects.filter(site__isnull=True, username__istartswith=base)
    invited = StaffInvitation.objects.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, username__istartswith=base
    )
    taken = {
        name.lower()
        for name in [
            *staff.values_list("username", flat=True),
            *invited.values_list("username", flat=True),
        ]
    }
    if base not in taken:
        return base
    number = 2
    while f"{base}{number}" in taken:
        number += 1
    return f"{base}{number}"


def _staff_username_taken(username: str) -> bool:
    return (
        User.objects.filter(site__isnull=True)
        .annotate(lower=Lower("username"))
        .filter(lower=username.lower())
        .exists()
    )


# --- Writes --------------------------------------------------------------------


def _new_token(invitation: StaffInvitation) -> str:
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation.token_hash = token_hash(token)
    invitation.sent_at = now
    invitation.expires_at = now + timedelta(days=INVITATION_DAYS)
    return token


def _send(invitation: StaffInvitation, *, link: str) -> None:
    context = {
        "invitation": invitation,
        "link": link,
        "groups": [group.name for group in invitation.groups.order_by("name")],
        "inviter": invitation.invited_by.get_full_name() if invitation.invited_by else "",
        "days": INVITATION_DAYS,
    }
    subject = _("Your invitation to the portal's administration")
    if invitation.site is not None:
        send_commune_email(
            site=invitation.site,
            to=invitation.email,
            subject=subject,
            template="staff_invitation",
            context=context,
        )
        return
    with translation.override(settings.LANGUAGE_CODE):
        portal = SimpleNamespace(
            official_name=str(settings.WAGTAIL_SITE_NAME), primary_colour="#1d4e89"
        )
        full = {"commune": portal, "portal_url": link.split("/admin/")[0] + "/", **context}
        message = {
            "subject": str(subject),
            "body": render_plain_text("emails/staff_invitation.txt", full),
            "html": render_to_string("emails/staff_invitation.html", full),
            "from_email": settings.DEFAULT_FROM_EMAIL,
            "to": [invitation.email],
        }
    transaction.on_commit(lambda: send_email.enqueue(**message))


@transaction.atomic
def invitation_create(
    *,
    by: User,
    first_name: str,
    last_name: str,
    email: str,
    groups,
    username: str = "",
    link,
) -> StaffInvitation:
    """Invite a person into ``groups`` (which the form took among
    ``grantable_groups(by)``) and e-mail them the link ``link(token)``.

    A staff account with this e-mail address receives the groups when its
    holder accepts; otherwise the person creates their account with
    ``username`` (or ``prénom.nom``)."""
    groups = list(groups)
    email = email.strip()
    site = commune_of_groups(groups)
    existing = list(staff_with_email(email=email)[:2])
    if len(existing) > 1:
        raise InvitationError(STAFF_EMAIL_SHARED % {"email": email})
    account = existing[0] if existing else None
    if account is not None:
        if not account.is_active:
            raise InvitationError(STAFF_ACCOUNT_DEACTIVATED % {"email": email})
        if not set(groups) - set(account.groups.all()):
            raise InvitationError(ALREADY_A_MEMBER % {"name": account.get_full_name() or email})
        username = account.username
    elif username:
        if _staff_username_taken(username):
            raise InvitationError(USERNAME_TAKEN)
    else:
        username = free_username(first_name=first_name, last_name=last_name)
    if (
        StaffInvitation.objects.filter(
            email__iexact=email, site=site, accepted_at__isnull=True, revoked_at__isnull=True
        )
        .filter(expires_at__gt=timezone.now())
        .exists()
    ):
        raise InvitationError(ALREADY_INVITED % {"email": email})
    invitation = StaffInvitation(
        site=site,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email,
        username=username,
        invited_by=by,
        user=account,
    )
    token = _new_token(invitation)
    invitation.save()
    invitation.groups.set(groups)
    _send(invitation, link=link(token))
    return invitation


def _lock_open(invitation: StaffInvitation) -> StaffInvitation:
    locked = StaffInvitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.accepted_at or locked.revoked_at:
        raise InvitationError(NOT_PENDING)
    return locked


@transaction.atomic
def invitation_resend(*, invitation: StaffInvitation, link) -> StaffInvitation:
    """A new link, valid ``INVITATION_DAYS`` days from now; the former one
    stops working."""
    invitation = _lock_open(invitation)
    token = _new_token(invitation)
    invitation.save(update_fields=["token_hash", "sent_at", "expires_at"])
    _send(invitation, link=link(token))
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: StaffInvitation) -> StaffInvitation:
    """The link stops working; an account the person had started to create
    with it, and could not use yet, is deleted."""
    invitation = _lock_open(invitation)
    invitation.revoked_at = timezone.now()
    started = invitation.user if invitation.created_account else None
    invitation.user = None
    invitation.save(update_fields=["revoked_at", "user"])
    if started is not None and not started.groups.exists():
        started.delete()
    return invitation


@transaction.atomic
def invitation_account_create(*, invitation: StaffInvitation, password: str) -> User:
    """The person chose their password: their staff account exists, without
    any group until their second factor is set up."""
    invitation = _lock_open(invitation)
    if invitation.user_id is not None:
        return invitation.user
    username = invitation.username
    if _staff_username_taken(username):
        username = free_username(first_name=invitation.first_name, last_name=invitation.last_name)
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                username=username,
                email=invitation.email,
                password=password,
                first_name=invitation.first_name,
                last_name=invitation.last_name,
            )
    except IntegrityError:
        username = free_username(first_name=invitation.first_name, last_name=invitation.last_name)
        user = User.objects.create_user(
            username=username,
            email=invitation.email,
            password=password,
            first_name=invitation.first_name,
            last_name=invitation.last_name,
        )
    invitation.user, invitation.username, invitation.created_account = user, username, True
    invitation.save(update_fields=["user", "username", "created_account"])
    return user


@transaction.atomic
def invitation_accept(*, invitation: StaffInvitation, user: User) -> StaffInvitation:
    """The invitation is used: ``user`` (its account, second factor set up)
    joins its groups."""
    invitation = _lock_open(invitation)
    if invitation.user_id != user.pk or user.site_id is not None:
        raise InvitationError(NOT_PENDING)
    user.groups.add(*invitation.groups.all())
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return invitation


@transaction.atomic
def staff_remove(*, by: User, user: User, site: Site) -> list[Group]:
    """Remove ``user`` from the groups of ``site`` that ``by`` may give; their
    other communes' groups stay. Their sessions end (``accounts.sessions``)."""
    if user.pk == by.pk:
        raise InvitationError(CANNOT_REMOVE_YOURSELF)
    if user.is_superuser and not by.is_superuser:
        raise InvitationError(CANNOT_REMOVE_PLATFORM_ADMIN)
    groups = list(
        user.groups.filter(pk__in=groups_of_communes([site])).filter(
            pk__in=grantable_groups(by).values("pk")
        )
    )
    if not groups:
        raise InvitationError(NOTHING_TO_REMOVE)
    user.groups.remove(*groups)
    return groups
