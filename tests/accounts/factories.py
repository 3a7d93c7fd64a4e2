from datetime import date

from accounts.models import AccountStatus, User
from accounts.services import MemberData, account_register

PASSWORD = "une phrase de passe solide"


def citizen(site, first_name="Amélie", last_name="Lire", *, validated=False, email=None, **extra):
    """A citizen account made the way registration makes it."""
    user = account_register(
        site=site,
        first_name=first_name,
        last_name=last_name,
        birth_date=date(1984, 5, 12),
        email=email or f"{first_name}.{last_name}@example.org".lower().replace(" ", ""),
        contact_preference="email",
        password=PASSWORD,
        members=extra.pop("members", []),
        **extra,
    )
    if validated:
        User.objects.filter(pk=user.pk).update(status=AccountStatus.VALIDATED)
        user.refresh_from_db()
    return user


def member(first_name="Léa", birth_date=date(2015, 9, 21), relationship="child"):
    return MemberData(
        first_name=first_name, last_name="Lire", birth_date=birth_date, relationship=relationship
    )


def hash_of(password: str) -> str:
    """A stored password hash (PBKDF2, as the platform stores older ones),
    as someone may type it in a password field hoping it is stored as is."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    return PBKDF2PasswordHasher().encode(password, "a-fixed-salt", iterations=1_000)
