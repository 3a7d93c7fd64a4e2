"""Every form where a password or a second-factor code is typed goes through
the same limits (``accounts.lockout``): the cap per client address, and the
cool-off per identifier and address."""

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.models import PageViewRestriction

from accounts.lockout import PASSWORD_VIEWS
from tests.accounts.factories import PASSWORD, citizen
from tests.accounts.test_accounts import login

HOST = {"HTTP_HOST": "carvin.localhost"}
STAFF_PASSWORD = "a-long-password-1"
WRONG = "pas-le-bon-secret-4242"


@dataclass
class EntryPoint:
    name: str  # its URL name, in accounts.lockout.PASSWORD_VIEWS
    fail: Callable  # (client, world) -> response to one wrong secret
    sign_in: Callable | None = None  # (client, world): who types it


def _citizen_signed_in(client, world):
    client.force_login(world["citizen"])


def _staff_password_step(client, world):
    """The password only, as on the admin login page: the code comes next."""
    response = client.post(
        "/admin/login/", {"username": world["agent"].username, "password": STAFF_PASSWORD}
    )
    assert response.status_code == 302


def _staff_signed_in(client, world):
    client.force_login(world["agent"])


def _invitation_password_again(client, world):
    """The invitation's link opened in a second browser, after the person
    chose their password in the first: the password is asked again."""
    if "invitation" not in world:
        from django.contrib.auth.models import Group

        from accounts.invitations import invitation_account_create, invitation_create

        tokens = []
        invitation = invitation_create(
            by=world["agent"],
            first_name="Léa",
            last_name="Martin",
            email="lea.martin@example.org",
            groups=[Group.objects.get(name="Carvin — Agents")],
            link=tokens.append,
        )
        invitation_account_create(invitation=invitation, password=STAFF_PASSWORD)
        world["invitation"] = f"/admin/invitation/{tokens[0]}/"
    return client.post(world["invitation"], {"password": WRONG})


ENTRY_POINTS = [
    EntryPoint(
        "accounts:login",
        lambda client, world: login(client, "amélie.lire", WRONG),
    ),
    EntryPoint(
        "wagtailcore_login",
        lambda client, world: client.post(
            "/_util/login/", {"username": "amélie.lire", "password": WRONG}, **HOST
        ),
    ),
    EntryPoint(
        "wagtailadmin_login",
        lambda client, world: client.post(
            "/admin/login/", {"username": world["agent"].username, "password": WRONG}
        ),
    ),
    EntryPoint(
        "accounts:password_change",
        lambda client, world: client.post(
            "/compte/mot-de-passe/",
            {"old_password": WRONG, "new_password1": WRONG * 2, "new_password2": WRONG * 2},
            **HOST,
        ),
        _citizen_signed_in,
    ),
    EntryPoint(
        "accounts:erase",
        lambda client, world: client.post("/compte/supprimer/", {"password": WRONG}, **HOST),
        _citizen_signed_in,
    ),
    EntryPoint(
        "wagtailadmin_account",
        lambda client, world: client.post(
            "/admin/account/",
            {
                "password-old_password": WRONG,
                "password-new_password1": WRONG * 2,
                "password-new_password2": WRONG * 2,
            },
        ),
        _staff_signed_in,
    ),
    EntryPoint(
        "second_factor_verify",
        lambda client, world: client.post("/admin/second-factor/", {"code": "123456"}),
        _staff_password_step,
    ),
    EntryPoint(
        "second_factor_setup",
        lambda client, world: client.post("/admin/second-factor/setup/", {"code": "123456"}),
        _staff_password_step,
    ),
    EntryPoint(
        "second_factor_manage",
        lambda client, world: client.post(reverse("second_factor_manage"), {"code": "123456"}),
        _staff_signed_in,
    ),
    EntryPoint("staff_invitation", _invitation_password_again),
    EntryPoint(
        "wagtailcore_authenticate_with_password",
        lambda client, world: client.post(
            reverse(
                "wagtailcore_authenticate_with_password",
                args=[world["restriction"].pk, world["restriction"].page_id],
            ),
            {"password": WRONG, "return_url": "/"},
            **HOST,
        ),
    ),
]


@pytest.fixture
def world(carvin, staff_of):
    agent = staff_of(carvin, role="Agents")
    return {
        "citizen": citizen(carvin, validated=True),
        "agent": agent,
        "restriction": PageViewRestriction.objects.create(
            page=carvin.root_page,
            restriction_type=PageViewRestriction.PASSWORD,
            password="le-mot-de-passe-de-la-page",
        ),
    }


def test_every_password_view_is_tested():
    assert {entry.name for entry in ENTRY_POINTS} == PASSWORD_VIEWS


@pytest.mark.parametrize("entry", ENTRY_POINTS, ids=[e.name for e in ENTRY_POINTS])
def test_each_password_entry_point_counts_toward_the_address_cap(entry, world, settings):
    settings.ADDRESS_FAILURE_LIMIT = 3
    if entry.name == "second_factor_verify":
        TOTPDevice.objects.create(user=world["agent"], name="app", confirmed=True)
    typing = Client()
    if entry.sign_in:
        entry.sign_in(typing, world)
    for n in range(2):
        login(Client(), f"inconnu{n}", WRONG)

    entry.fail(typing, world)

    assert entry.fail(typing, world).status_code == 429, "the form itself refuses"
    assert login(Client(), "amélie.lire").status_code == 429, "and so do the others"
    stored = [a.post_data + a.get_data for a in AccessAttempt.objects.all()]
    assert not [s for s in stored if WRONG in s or "123456" in s], "no secret is kept"


@pytest.mark.parametrize(
    "entry",
    [e for e in ENTRY_POINTS if e.sign_in is not None],
    ids=[e.name for e in ENTRY_POINTS if e.sign_in is not None],
)
def test_wrong_secrets_of_a_signed_in_user_cool_their_identifier_off(entry, world):
    """django-otp makes a code wait after a wrong one: five wrong codes are
    typed over time; here the waits are lifted."""
    if entry.name == "second_factor_verify":
        TOTPDevice.objects.create(user=world["agent"], name="app", confirmed=True)
    typing = Client()
    entry.sign_in(typing, world)
    for _ in range(5):
        TOTPDevice.objects.update(throttling_failure_count=0, throttling_failure_timestamp=None)
        entry.fail(typing, world)

    assert entry.fail(typing, world).status_code == 429
    assert login(Client(), "paul.lire").status_code != 429, "the address may still log in"


def test_a_refusal_on_the_admin_login_is_an_admin_page(world, settings):
    settings.ADDRESS_FAILURE_LIMIT = 1
    client = Client()
    client.post("/admin/login/", {"username": world["agent"].username, "password": WRONG})

    refused = client.post(
        "/admin/login/", {"username": world["agent"].username, "password": STAFF_PASSWORD}
    )

    assert refused.status_code == 429
    assert "accounts/admin/too_many_attempts.html" in [t.name for t in refused.templates]


def test_the_right_secret_passes_below_the_cap(world):
    client = Client()
    client.force_login(world["citizen"])

    erase = client.post("/compte/supprimer/", {"password": PASSWORD}, **HOST)

    assert erase.status_code == 302


@pytest.mark.django_db
def test_the_admin_login_page_labels_the_password_in_french(client):
    html = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    label = re.search(r'<label class="w-field__label" for="id_password"[^>]*>\s*([^<]+)', html)
    assert label[1].strip() == "Mot de passe"
    assert 'autocomplete="current-password"' in html
