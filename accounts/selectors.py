"""Reads of citizen accounts, always within one commune."""

from functools import reduce
from operator import or_

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from cms.tenancy import SEE, communes_for

from .models import AccountStatus, CitizenAccount, HouseholdMember, IdentityLink, User
from .policies import citizen_account_policy

#: What a staff member's search of citizen accounts looks into.
SEARCH_FIELDS = ("username", "first_name", "last_name", "email")


def citizens_for_sites(*, sites, model=User) -> QuerySet[User]:
    """Citizen accounts of these communes, those awaiting validation first,
    oldest first. ``model`` may be a proxy of ``User``, such as the admin's
    ``CitizenAccount``."""
    return (
        model.objects.filter(site__in=sites)
        .annotate(
            pending_first=Case(
                When(status=AccountStatus.PENDING, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("pending_first", "date_joined")
    )


def citizen_accounts_visible_to(*, user, actions=SEE) -> QuerySet[CitizenAccount]:
    """Citizen accounts of the communes where the staff ``user`` holds one of
    ``actions``, awaiting validation first, oldest first."""
    sites = communes_for(user, citizen_account_policy, actions)
    return citizens_for_sites(sites=sites, model=CitizenAccount).select_related("site")


def accounts_matching(accounts: QuerySet, query: str) -> QuerySet:
    """Accounts whose identifier, names or e-mail contain every word of the query."""
    for word in query.split():
        accounts = accounts.filter(
            reduce(or_, (Q(**{f"{field}__icontains": word}) for field in SEARCH_FIELDS))
        )
    return accounts


def citizen_by_login(*, site, login: str) -> User | None:
    """The commune's citizen whose identifier (stored in lower case, so that
    the comparison is case-insensitive but accent-sensitive) or e-mail address
    is ``login``."""
    login = login.strip().lower()
    field = "email" if "@" in login else "username"
    return User.objects.filter(site=site, **{field: login}).first()


def household_for(*, user: User) -> tuple[list[HouseholdMember], list[HouseholdMember]]:
    """The household's adults, then its children."""
    members = list(user.household_members.all())
    return [m for m in members if not m.is_child], [m for m in members if m.is_child]


def member_for(*, user: User, pk) -> HouseholdMember:
    """A member of the user's own household; anything else is a 404."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(HouseholdMember, pk=pk, account=user, site=user.site)


def household_member_of(*, account: User | None, pk) -> HouseholdMember | None:
    """A member of the account's own household, or None (another household's
    member, or no account)."""
    if account is None:
        return None
    return HouseholdMember.objects.filter(pk=pk, account=account, site_id=account.site_id).first()


def personal_data(*, user: User) -> dict:
    """Everything stored about the account and its household."""
    fields = [
        "username",
        "first_name",
        "last_name",
        "birth_date",
        "email",
        "phone",
        "address_line",
        "postcode",
        "city",
        "contact_preference",
        "sms_phone",
        "sms_phone_verified_at",
        "notify_status",
        "notify_messages",
        "notify_reminders",
        "status",
        "date_joined",
        "last_login",
    ]
    return {
        "commune": user.site.site_name,
        "account": {name: _jsonable(getattr(user, name)) for name in fields},
        "household": [
            {
                "first_name": m.first_name,
                "last_name": m.last_name,
                "birth_date": m.birth_date.isoformat(),
                "relationship": m.relationship,
            }
            for m in user.household_members.all()
        ],
    }


def _jsonable(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def identity_link_for(*, site, provider: str, subject: str) -> IdentityLink | None:
    """The link of the commune's account to the identity ``subject`` of
    ``provider``, with its account."""
    return (
        IdentityLink.objects.filter(site=site, provider=provider, subject=subject)
        .select_related("user")
        .first()
    )


def staff_with_email(*, email: str) -> QuerySet[User]:
    """The staff accounts, active or not, whose e-mail address is ``email``
    whatever its case: accounts of no commune that are staff or belong to a
    commune's groups (``cms.tenancy.groups_of_communes``). Never a citizen's."""
    from wagtail.models import Site

    from cms.tenancy import groups_of_communes

    return (
        User.objects.filter(site__isnull=True, email__iexact=email.strip())
        .filter(
            Q(is_staff=True)
            | Q(is_superuser=True)
            | Q(groups__in=groups_of_communes(Site.objects.all()))
        )
        .distinct()
    )


def citizen_with_email_exists(*, email: str) -> bool:
    return User.objects.filter(site__isnull=False, email__iexact=email.strip()).exists()
