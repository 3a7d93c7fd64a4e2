"""The staff's second factor, through the real forms: Wagtail's login page,
then the setup or the code (``accounts.second_factor``)."""

import base64
import logging
import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone, translation
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.second_factor import (
    RECOVERY_CODES_COUNT,
    TOO_MANY_ATTEMPTS,
    WRONG_CODE,
    WRONG_SETUP_CODE,
    app_device,
    recovery_codes_create,
)
from cms.models import AuditLogEntry

STAFF_PASSWORD = "a-long-password-1"


@pytest.fixture
def agent(carvin, staff_of):
    return staff_of(carvin, role="Agents")


def password_step(client, user, password=STAFF_PASSWORD, next_url="/admin/"):
    response = client.post(
        "/admin/login/", {"username": user.username, "password": password, "next": next_url}
    )
    assert response.status_code == 302, "the password is accepted"
    return response


def code_of(device, *, offset=0) -> str:
    """The code the app shows now (``offset`` steps later)."""
    return f"{totp(device.bin_key, drift=offset):06d}"


def error_of(response) -> list[str]:
    return [str(e) for e in response.context["form"].errors.get("code", [])]


def french(message, **values) -> str:
    with translation.override("fr"):
        return str(message) % values if values else str(message)


def set_up(client, user) -> list[str]:
    """Password, then setup with the QR code page, then the recovery codes:
    returns the codes shown."""
    password_step(client, user)
    setup = client.get("/admin/second-factor/setup/?next=/admin/")
    device = app_device(user, confirmed=False)
    confirmed = client.post(
        "/admin/second-factor/setup/", {"code": code_of(device), "next": "/admin/"}
    )
    assert confirmed.status_code == 302, setup
    codes_page = client.get(confirmed["Location"])
    return codes_page.context["codes"]


def test_first_sign_in_sets_up_an_app_then_shows_recovery_codes_once(client, agent):
    password_step(client, agent)

    dashboard = client.get("/admin/")
    assert dashboard.status_code == 302
    assert dashboard["Location"] == "/admin/second-factor/?next=%2Fadmin%2F"
    to_setup = client.get(dashboard["Location"])
    assert to_setup["Location"] == "/admin/second-factor/setup/?next=%2Fadmin%2F"

    setup = client.get(to_setup["Location"])
    page = setup.content.decode()
    device = app_device(agent, confirmed=False)
    assert re.search(r"<svg[^>]*>.*</svg>", page, re.S), "the QR code is drawn in the page"
    assert "<img" not in page.split('id="main"')[1]
    secret = setup.context["secret"]
    assert secret in page
    assert (
        base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
        == device.bin_key
    )
    assert 'autocomplete="one-time-code"' in page

    wrong_code = f"{(int(code_of(device)) + 500_000) % 1_000_000:06d}"
    wrong = client.post("/admin/second-factor/setup/", {"code": wrong_code, "next": "/admin/"})
    assert error_of(wrong) == [french(WRONG_SETUP_CODE)]
    assert client.get("/admin/").status_code == 302, "still not signed in"

    with time_machine.travel(timezone.now() + timedelta(seconds=3)):
        confirmed = client.post(
            "/admin/second-factor/setup/", {"code": code_of(device), "next": "/admin/"}
        )
        assert confirmed["Location"] == "/admin/second-factor/recovery-codes/?next=%2Fadmin%2F"
        codes_page = client.get(confirmed["Location"])
        codes = codes_page.context["codes"]
        assert len(codes) == RECOVERY_CODES_COUNT == len(set(codes))
        assert all(code in codes_page.content.decode() for code in codes)
        assert "data-print-codes" in codes_page.content.decode()
        download = client.get(confirmed["Location"] + "&download=1")
        assert download["Content-Disposition"].startswith("attachment;")
        assert all(code in download.content.decode() for code in codes)

        done = client.post(confirmed["Location"], {"next": "/admin/"})
        assert done["Location"] == "/admin/"
        assert client.get("/admin/").status_code == 200
        # Shown once: the page has nothing more to show.
        assert client.get("/admin/second-factor/recovery-codes/")["Location"] == "/admin/"

    device.refresh_from_db()
    assert device.confirmed
    assert StaticToken.objects.filter(device__user=agent).count() == RECOVERY_CODES_COUNT


def test_next_sign_ins_ask_for_the_code_and_renew_the_session_key(client, agent):
    set_up(client, agent)
    client.post("/admin/logout/")

    password_step(client, agent, next_url="/admin/account/")
    half_signed_in = client.cookies["sessionid"].value
    asked = client.get("/admin/account/")
    assert asked["Location"] == "/admin/second-factor/?next=%2Fadmin%2Faccount%2F"
    form = client.get(asked["Location"])
    assert form.status_code == 200
    assert 'name="code"' in form.content.decode()

    device = app_device(agent)
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        passed = client.post(
            "/admin/second-factor/", {"code": code_of(device), "next": "/admin/account/"}
        )
        assert passed["Location"] == "/admin/account/"
        assert client.get("/admin/account/").status_code == 200

    assert client.cookies["sessionid"].value != half_signed_in
    assert not Session.objects.filter(session_key=half_signed_in).exists()


def test_a_code_is_accepted_once(client, agent):
    set_up(client, agent)
    device = app_device(agent)
    used = code_of(device)
    client.post("/admin/logout/")
    password_step(client, agent)

    again = client.post("/admin/second-factor/", {"code": used, "next": "/admin/"})

    assert again.status_code == 200
    assert client.get("/admin/").status_code == 302


def test_a_recovery_code_works_once(client, agent):
    codes = set_up(client, agent)
    client.post("/admin/logout/")

    password_step(client, agent)
    passed = client.post("/admin/second-factor/", {"code": codes[3].upper(), "next": "/admin/"})
    assert passed["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    client.post("/admin/logout/")

    password_step(client, agent)
    refused = client.post("/admin/second-factor/", {"code": codes[3], "next": "/admin/"})
    assert error_of(refused) == [french(WRONG_CODE)]
    assert client.get("/admin/").status_code == 302
    assert StaticToken.objects.filter(device__user=agent).count() == RECOVERY_CODES_COUNT - 1


def test_wrong_codes_make_the_next_attempt_wait(client, agent):
    set_up(client, agent)
    client.post("/admin/logout/")
    password_step(client, agent)
    device = app_device(agent)
    start = timezone.now() + timedelta(seconds=60)

    with time_machine.travel(start, tick=False):
        wrong = f"{(int(code_of(device)) + 1) % 1_000_000:06d}"
        first = client.post("/admin/second-factor/", {"code": wrong})
        assert error_of(first) == [french(WRONG_CODE)]
        second = client.post("/admin/second-factor/", {"code": wrong})
        assert error_of(second) == [french(TOO_MANY_ATTEMPTS, seconds=1)]
        # Even the right code waits its turn.
        right = client.post("/admin/second-factor/", {"code": code_of(device)})
        assert error_of(right) == [french(TOO_MANY_ATTEMPTS, seconds=1)]
    with time_machine.travel(start + timedelta(seconds=2), tick=False):
        client.post("/admin/second-factor/", {"code": wrong})
    with time_machine.travel(start + timedelta(seconds=3), tick=False):
        # Two failures in a row: two seconds to wait now.
        assert error_of(client.post("/admin/second-factor/", {"code": code_of(device)})) == [
            french(TOO_MANY_ATTEMPTS, seconds=1)
        ]
    with time_machine.travel(start + timedelta(seconds=5), tick=False):
        passed = client.post("/admin/second-factor/", {"code": code_of(device), "next": "/admin/"})
        assert passed["Location"] == "/admin/"


def _admin_paths() -> list[str]:
    """Every admin URL without parameters, and a few with an id."""
    paths = []

    def walk(patterns, prefix):
        for pattern in patterns:
            route = str(pattern.pattern)
            if "<" in route or "(?P" in route or route.startswith("^"):
                continue
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + route)
            elif isinstance(pattern, URLPattern):
                paths.append("/" + prefix + route)

    walk(get_resolver().url_patterns, "")
    admin = sorted({p for p in paths if p.startswith("/admin/")})
    return [*admin, "/admin/pages/2/", "/admin/pages/2/edit/", "/admin/users/1/"]


OPEN_BEFORE_THE_CODE = {
    "/admin/login/",
    "/admin/logout/",
    "/admin/jsi18n/",
    "/admin/sprite/",  # the icons of the pages below
    "/admin/second-factor/",
    "/admin/second-factor/setup/",
    "/admin/password_reset/",  # disabled: a 404 for everybody
    "/admin/password_reset/done/",
    "/admin/password_reset/complete/",
}


@pytest.mark.parametrize("with_app", [False, True], ids=["no-app-yet", "app-not-typed"])
def test_a_half_signed_in_user_reaches_no_admin_url(client, agent, with_app):
    if with_app:
        TOTPDevice.objects.create(user=agent, name="app", confirmed=True)
    password_step(client, agent)
    paths = [p for p in _admin_paths() if p not in OPEN_BEFORE_THE_CODE]
    assert len(paths) > 100, "the sample covers the admin"

    for path in paths:
        response = client.get(path, HTTP_ACCEPT="text/html")
        if "/api/" in path:
            assert response.status_code == 403, path
            assert response.json()["verify_url"] == "/admin/second-factor/"
        else:
            assert response.status_code == 302, path
            assert response["Location"].startswith("/admin/second-factor/?next="), path

    api = client.get("/admin/api/main/pages/", HTTP_ACCEPT="application/json")
    assert api.status_code == 403
    edit = client.post("/admin/pages/2/edit/", {"title": "Piraté"})
    assert edit.status_code == 403
    chooser = client.get("/admin/choose-page/", HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert chooser.status_code == 403
    document = client.get("/documents/1/reglement.pdf")
    assert document["Location"] == "/admin/second-factor/?next=%2Fdocuments%2F1%2Freglement.pdf"
    setup = client.get("/admin/second-factor/setup/")
    if with_app:
        assert setup["Location"] == "/admin/second-factor/?next=%2Fadmin%2F"
    else:
        assert setup.status_code == 200


def test_force_login_counts_as_a_full_sign_in_in_the_tests(client, agent):
    client.force_login(agent)

    assert client.get("/admin/").status_code == 200


def test_citizens_portal_asks_no_code(client, carvin):
    from tests.accounts.factories import citizen
    from tests.accounts.test_accounts import login

    citizen(carvin, validated=True)
    login(client, "amélie.lire")

    assert client.get("/compte/", HTTP_HOST="carvin.localhost").status_code == 200


def test_new_recovery_codes_need_a_current_code(client, agent):
    old_codes = set_up(client, agent)
    device = app_device(agent)

    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        manage = client.get("/admin/second-factor/manage/")
        assert manage.status_code == 200
        assert manage.context["codes_left"] == RECOVERY_CODES_COUNT
        refused = client.post("/admin/second-factor/manage/", {"code": "12345"})
        assert error_of(refused)
        made = client.post("/admin/second-factor/manage/", {"code": code_of(device)})
        new_codes = client.get(made["Location"]).context["codes"]

    assert not set(new_codes) & set(old_codes)
    tokens = set(StaticToken.objects.filter(device__user=agent).values_list("token", flat=True))
    assert tokens == set(new_codes)


def test_the_account_page_links_to_the_second_factor(client, agent):
    client.force_login(agent)

    assert "/admin/second-factor/manage/" in client.get("/admin/account/").content.decode()


def test_another_app_replaces_the_first_once_confirmed(client, agent):
    set_up(client, agent)
    first = app_device(agent)

    client.get("/admin/second-factor/setup/")
    second = app_device(agent, confirmed=False)
    assert second.pk != first.pk
    assert TOTPDevice.objects.filter(pk=first.pk, confirmed=True).exists(), "still works"
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        client.post("/admin/second-factor/setup/", {"code": code_of(second)})

    assert list(TOTPDevice.objects.filter(user=agent)) == [second]


def test_a_platform_admin_resets_a_lost_second_factor(
    client, agent, django_capture_on_commit_callbacks
):
    from accounts.models import User

    agent.email = "agent@example.org"
    agent.save()
    phone = Client()
    set_up(phone, agent)
    admin = User.objects.create_superuser("plateforme", "admin@example.org", STAFF_PASSWORD)
    client.force_login(admin)

    listing = client.get("/admin/users/").content.decode()
    assert f"/admin/second-factor/reset/{agent.pk}/" in listing
    assert client.get(f"/admin/second-factor/reset/{agent.pk}/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(f"/admin/second-factor/reset/{agent.pk}/")

    assert done["Location"] == "/admin/users/"
    assert not TOTPDevice.objects.filter(user=agent).exists()
    assert not StaticDevice.objects.filter(user=agent).exists()
    assert phone.get("/admin/")["Location"].startswith("/admin/login/"), "their sessions ended"
    entry = AuditLogEntry.objects.get(action="accounts.second_factor_reset")
    assert entry.user == admin and entry.object_id == str(agent.pk)
    assert [m.to for m in mail.outbox] == [["agent@example.org"]]
    assert agent.username in mail.outbox[0].body

    password_step(client, agent)
    assert client.get("/admin/second-factor/")["Location"].startswith("/admin/second-factor/setup/")


def test_only_platform_admins_reset_a_second_factor(client, agent, carvin, staff_of):
    set_up(Client(), agent)
    supervisor = staff_of(carvin, role="Supervisors")
    client.force_login(supervisor)

    response = client.post(f"/admin/second-factor/reset/{agent.pk}/")

    assert response.status_code in (302, 403)
    assert TOTPDevice.objects.filter(user=agent).exists()


def test_checks_are_audited_and_codes_never_logged(client, agent, caplog):
    caplog.set_level(logging.DEBUG)
    codes = set_up(client, agent)
    client.post("/admin/logout/")
    password_step(client, agent)

    client.post("/admin/second-factor/", {"code": "zzzzzzzz"})
    client.post("/admin/second-factor/", {"code": codes[0]})
    with time_machine.travel(timezone.now() + timedelta(seconds=3)):
        client.post("/admin/second-factor/", {"code": codes[0]})

    actions = list(
        AuditLogEntry.objects.filter(user=agent).order_by("pk").values_list("action", "data")
    )
    assert [a for a, _ in actions] == [
        "accounts.second_factor_set_up",
        "accounts.second_factor_failed",
        "accounts.second_factor_passed",
    ]
    assert actions[2][1] == {"method": "recovery"}
    assert codes[0] not in caplog.text
    assert all(codes[0] not in str(data) for _, data in actions)


def test_recovery_codes_are_random_and_replaced(agent):
    first = recovery_codes_create(user=agent)
    second = recovery_codes_create(user=agent)

    assert len(first) == len(second) == RECOVERY_CODES_COUNT
    assert not set(first) & set(second)
    assert all(re.fullmatch(r"[a-z2-7]{8}", code) for code in first)
