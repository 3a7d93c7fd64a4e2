"""Whatever is typed in a password field is a password: hashed by the server
and checked by the password validators, never stored as typed. A text shaped
like a stored hash (``pbkdf2_sha256$...``) is a password like any other, so
typing the hash of "a" never makes "a" the password, wherever a password is
set: registration, the lost-password link, the password change, and the
accounts staff create in the admin."""

import re

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.core import mail

from accounts.forms import PASSWORDS_DIFFER
from accounts.models import User
from tests.accounts.factories import PASSWORD, citizen, hash_of
from tests.accounts.test_registration import (
    CONTACT,
    HOUSEHOLD,
    IDENTITY,
    solved_captcha,
    step,
)

HOST = {"HTTP_HOST": "carvin.localhost"}
HASH_OF_A = hash_of("a")


@pytest.fixture(autouse=True)
def _pbkdf2_hashes_are_recognised(settings):
    """The hasher of ``HASH_OF_A`` is one the platform accepts, as in production."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    assert identify_hasher(HASH_OF_A).algorithm == "pbkdf2_sha256"


def register(client, password_steps, django_capture_on_commit_callbacks):
    for name, data in (("identity", IDENTITY), ("contact", CONTACT), ("household", HOUSEHOLD)):
        step(client, name, data)
    for data in password_steps:
        step(client, "password", data)
    with django_capture_on_commit_callbacks(execute=True):
        return step(
            client,
            "validation",
            {"validation-consent": "on", "validation-captcha": solved_captcha()},
        )


def both(password):
    return {"password-password1": password, "password-password2": password}


def test_registration_takes_a_typed_hash_as_a_password_not_as_a_hash(
    client, carvin, django_capture_on_commit_callbacks
):
    done = register(client, [both(HASH_OF_A)], django_capture_on_commit_callbacks)

    assert done.status_code == 302
    user = User.objects.get(site=carvin)
    assert not user.check_password("a")
    assert user.check_password(HASH_OF_A)
    assert user.password != HASH_OF_A


def test_registration_never_keeps_a_posted_value_as_the_chosen_hash(
    client, carvin, django_capture_on_commit_callbacks
):
    """The steps are checked again before the account is created: what the
    password step holds is checked as a password, never taken for a hash."""
    chosen = "une phrase de passe solide"
    for name, data in (("identity", IDENTITY), ("contact", CONTACT), ("household", HOUSEHOLD)):
        step(client, name, data)
    step(client, "password", both(chosen))
    session = client.session
    data = session["wizard_registration_view"]["step_data"]["password"]
    assert data == {"password-password1": [""], "password-password2": [""]}
    data["password-password1"] = data["password-password2"] = [HASH_OF_A]
    session.save()

    with django_capture_on_commit_callbacks(execute=True):
        done = step(
            client,
            "validation",
            {"validation-consent": "on", "validation-captcha": solved_captcha()},
        )

    assert done.status_code == 302
    user = User.objects.get(site=carvin)
    assert not user.check_password("a")
    assert user.password != HASH_OF_A


def test_registration_keeps_the_chosen_password_when_its_fields_are_left_empty(
    client, carvin, django_capture_on_commit_callbacks
):
    chosen = "une phrase de passe solide"
    done = register(client, [both(chosen), both("")], django_capture_on_commit_callbacks)

    assert done.status_code == 302
    assert User.objects.get(site=carvin).check_password(chosen)


def test_registration_refuses_a_second_password_that_differs(client, carvin):
    for name, data in (("identity", IDENTITY), ("contact", CONTACT), ("household", HOUSEHOLD)):
        step(client, name, data)
    step(client, "password", both("une phrase de passe solide"))

    response = step(
        client,
        "password",
        {"password-password1": "une autre phrase de passe", "password-password2": ""},
    )

    assert response.status_code == 200
    assert response.context["wizard"]["steps"].current == "password"
    assert str(PASSWORDS_DIFFER) in [str(m) for m in response.context["form"].errors["password2"]]


def test_the_lost_password_link_takes_a_typed_hash_as_a_password(
    client, carvin, django_capture_on_commit_callbacks
):
    user = citizen(carvin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/compte/mot-de-passe-oublie/", {"login": user.email}, **HOST)
    link = re.search(
        r"http://carvin\.localhost(/compte/nouveau-mot-de-passe/\S+/)", mail.outbox[-1].body
    )[1]
    page = client.get(link, **HOST, follow=True)

    response = client.post(
        page.redirect_chain[-1][0],
        {"new_password1": HASH_OF_A, "new_password2": HASH_OF_A},
        **HOST,
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.check_password("a")
    assert user.check_password(HASH_OF_A)


def test_the_password_change_takes_a_typed_hash_as_a_password(client, carvin):
    user = citizen(carvin, validated=True)
    client.force_login(user)

    response = client.post(
        "/compte/mot-de-passe/",
        {"old_password": PASSWORD, "new_password1": HASH_OF_A, "new_password2": HASH_OF_A},
        **HOST,
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.check_password("a")
    assert user.check_password(HASH_OF_A)


def test_an_account_created_by_staff_takes_a_typed_hash_as_a_password(client, carvin):
    admin = User.objects.create_superuser(username="platform", password="a-long-password-1")
    client.force_login(admin)

    response = client.post(
        "/admin/users/new/",
        {
            "username": "nouvel.agent",
            "email": "nouvel.agent@example.org",
            "first_name": "Nouvel",
            "last_name": "Agent",
            "password1": HASH_OF_A,
            "password2": HASH_OF_A,
        },
        **HOST,
    )

    assert response.status_code == 302, response.content.decode()[-3000:]
    created = User.objects.get(username="nouvel.agent")
    assert not created.check_password("a")
    assert created.check_password(HASH_OF_A)


def test_the_staff_password_change_takes_a_typed_hash_as_a_password(client, carvin):
    admin = User.objects.create_superuser(
        username="platform",
        password="a-long-password-1",
        email="platform@example.org",
        first_name="Platform",
        last_name="Admin",
    )
    client.force_login(admin)

    response = client.post(
        "/admin/account/",
        {
            "name_email-first_name": "Platform",
            "name_email-last_name": "Admin",
            "name_email-email": "platform@example.org",
            "theme-theme": "system",
            "theme-contrast": "system",
            "theme-density": "default",
            "password-old_password": "a-long-password-1",
            "password-new_password1": HASH_OF_A,
            "password-new_password2": HASH_OF_A,
        },
        **HOST,
    )

    assert response.status_code == 302
    admin.refresh_from_db()
    assert not admin.check_password("a")
    assert admin.check_password(HASH_OF_A)
