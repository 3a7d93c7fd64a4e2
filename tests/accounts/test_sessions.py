"""Sessions (``accounts.sessions``): a new key at login, the idle timeout and
its warning, logout and a new password ending sessions on the server."""

import re
from datetime import timedelta
from importlib import import_module

import pytest
import time_machine
from django.conf import settings
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django_otp.oath import totp

from accounts.models import UserSession
from accounts.second_factor import app_device
from accounts.sessions import LAST_ACTIVITY, SESSION_EXPIRED
from tests.accounts.factories import PASSWORD, citizen
from tests.accounts.test_accounts import login

HOST = {"HTTP_HOST": "carvin.localhost"}
NEW_PASSWORD = "un tout autre mot de passe"
STAFF_PASSWORD = "a-long-password-1"


def session_exists(key) -> bool:
    return import_module(settings.SESSION_ENGINE).SessionStore().exists(key)


def replay(key, path, **extra):
    """A request carrying an old session cookie, as someone who copied it."""
    other = Client()
    other.cookies[settings.SESSION_COOKIE_NAME] = key
    return other.get(path, **extra)


def expired_message(minutes) -> str:
    with translation.override("fr"):
        return str(SESSION_EXPIRED) % {"minutes": minutes}


@pytest.fixture
def amelie(carvin):
    return citizen(carvin, validated=True)


@pytest.fixture
def agent(carvin, staff_of):
    user = staff_of(carvin, role="Agents")
    user.first_name, user.last_name, user.email = "Agnès", "Gent", "agnes@example.org"
    user.save()
    return user


def staff_sign_in(client, user, *, later=0):
    """Wagtail's login page, then the app's code (set up first if needed)."""
    client.post("/admin/login/", {"username": user.username, "password": STAFF_PASSWORD})
    device = app_device(user)
    if device is None:
        client.get("/admin/second-factor/setup/")
        device = app_device(user, confirmed=False)
        client.post("/admin/second-factor/setup/", {"code": f"{totp(device.bin_key):06d}"})
        client.post("/admin/second-factor/recovery-codes/")
    else:
        code = f"{totp(device.bin_key, drift=later):06d}"
        client.post("/admin/second-factor/", {"code": code})
    assert client.get("/admin/").status_code == 200


# --- A new key at login --------------------------------------------------------


def test_citizen_login_gives_a_new_session_key(client, amelie):
    session = client.session
    session["visited"] = True
    session.save()
    before = client.cookies[settings.SESSION_COOKIE_NAME].value

    assert login(client, "amélie.lire").status_code == 302

    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not session_exists(before)
    assert replay(before, "/compte/profil/", **HOST).status_code == 302
    assert replay(after, "/compte/profil/", **HOST).status_code == 200


def test_staff_login_gives_a_new_session_key_at_each_step(client, agent):
    session = client.session
    session["visited"] = True
    session.save()
    before = client.cookies[settings.SESSION_COOKIE_NAME].value

    client.post("/admin/login/", {"username": agent.username, "password": STAFF_PASSWORD})
    after_password = client.cookies[settings.SESSION_COOKIE_NAME].value
    staff_sign_in(client, agent)
    after_code = client.cookies[settings.SESSION_COOKIE_NAME].value

    assert len({before, after_password, after_code}) == 3
    assert not session_exists(before) and not session_exists(after_password)
    assert replay(after_password, "/admin/account/")["Location"].startswith("/admin/login/")
    assert replay(after_code, "/admin/account/").status_code == 200


# --- Logout ----------------------------------------------------------------------


def test_citizen_logout_ends_the_session_on_the_server(client, amelie):
    login(client, "amélie.lire")
    key = client.cookies[settings.SESSION_COOKIE_NAME].value

    client.post("/compte/deconnexion/", **HOST)

    assert not session_exists(key)
    assert not UserSession.objects.filter(session_key=key).exists()
    assert replay(key, "/compte/profil/", **HOST)["Location"].startswith("/compte/connexion/")


def test_staff_logout_ends_the_session_on_the_server(client, agent):
    staff_sign_in(client, agent)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value

    client.post("/admin/logout/")

    assert not session_exists(key)
    assert replay(key, "/admin/account/")["Location"].startswith("/admin/login/")


# --- Idle timeout ----------------------------------------------------------------


def test_a_citizen_session_ends_after_30_idle_minutes(client, amelie):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        login(client, "amélie.lire")
        key = client.cookies[settings.SESSION_COOKIE_NAME].value
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert client.get("/compte/profil/", **HOST).status_code == 200
    with time_machine.travel(start + timedelta(minutes=58), tick=False):
        assert client.get("/compte/", **HOST).status_code == 200, "activity renews it"
    with time_machine.travel(start + timedelta(minutes=89), tick=False):
        expired = client.get("/compte/profil/?onglet=1", **HOST)

    assert expired.status_code == 302
    assert expired["Location"] == "/compte/connexion/?next=%2Fcompte%2Fprofil%2F%3Fonglet%3D1"
    assert not session_exists(key)
    login_page = client.get(expired["Location"], **HOST)
    assert expired_message(30) in [str(m) for m in login_page.context["messages"]]
    assert 'name="next" value="/compte/profil/?onglet=1"' in login_page.content.decode()


def test_a_staff_session_ends_after_15_idle_minutes(client, agent):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        staff_sign_in(client, agent)
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        assert client.get("/admin/account/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=30), tick=False):
        expired = client.get("/admin/account/")
        assert expired["Location"] == "/admin/login/?next=%2Fadmin%2Faccount%2F"
        messages = [str(m) for m in get_messages(expired.wsgi_request)]
        assert expired_message(15) in messages
        assert client.get("/admin/account/")["Location"].startswith("/admin/login/")


def recorded_activity(key) -> int:
    return import_module(settings.SESSION_ENGINE).SessionStore(key).load()[LAST_ACTIVITY]


def test_the_session_is_written_once_a_minute_and_the_timeout_stays_exact_to_the_minute(
    client, amelie
):
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False):
        login(client, "amélie.lire")
        key = client.cookies[settings.SESSION_COOKIE_NAME].value
    logged_in_at = recorded_activity(key)
    with time_machine.travel(start + timedelta(seconds=50), tick=False):
        assert client.get("/compte/", **HOST).status_code == 200
    assert recorded_activity(key) == logged_in_at, "less than a minute later: not written"
    with time_machine.travel(start + timedelta(seconds=70), tick=False):
        assert client.get("/compte/", **HOST).status_code == 200
    assert recorded_activity(key) == logged_in_at + 70
    with time_machine.travel(start + timedelta(seconds=110), tick=False):
        assert client.get("/compte/", **HOST).status_code == 200
    with time_machine.travel(start + timedelta(seconds=70 + 30 * 60), tick=False):
        assert client.get("/compte/", **HOST).status_code == 200, "30 minutes after the 70th s"
    with time_machine.travel(start + timedelta(seconds=70 + 60 * 60 + 1), tick=False):
        assert client.get("/compte/", **HOST).status_code == 302


def test_the_timeouts_come_from_the_settings(client, amelie, settings):
    settings.SESSION_IDLE_TIMEOUT_CITIZEN = 5 * 60
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        login(client, "amélie.lire")
    with time_machine.travel(start + timedelta(minutes=6), tick=False):
        assert client.get("/compte/", **HOST).status_code == 302


def test_asking_the_time_left_is_not_activity_but_staying_logged_in_is(client, amelie):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        login(client, "amélie.lire")
    with time_machine.travel(start + timedelta(minutes=20), tick=False):
        status = client.get("/session/", **HOST).json()
        assert status == {"expired": False, "remaining": 600, "timeout": 1800, "warning": 120}
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert client.get("/session/", **HOST).json()["remaining"] == 60
        stayed = client.post("/session/", **HOST).json()
        assert stayed["remaining"] == 1800
    with time_machine.travel(start + timedelta(minutes=58), tick=False):
        assert client.get("/session/", **HOST).json()["remaining"] == 60
    with time_machine.travel(start + timedelta(minutes=60), tick=False):
        gone = client.get("/session/?next=/compte/profil/", **HOST)
        assert gone.status_code == 401
        assert gone.json() == {
            "expired": True,
            "login_url": "/compte/connexion/?next=%2Fcompte%2Fprofil%2F",
        }
        assert client.get("/session/", **HOST).json() == {"expired": True}


def test_the_pings_of_wagtail_s_editor_are_not_activity(client, agent):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        staff_sign_in(client, agent)
    ping = "/admin/editing-sessions/ping/wagtailcore/page/2/0/"
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        client.post(ping)
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_the_time_left_refuses_a_foreign_next(client, amelie):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        login(client, "amélie.lire")
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        gone = client.get("/session/?next=https://evil.example/", **HOST)

    assert gone.json()["login_url"] == "/compte/connexion/"


def test_staying_logged_in_needs_the_csrf_token(amelie):
    client = Client(enforce_csrf_checks=True)
    login(client, "amélie.lire")

    assert client.post("/session/", **HOST).status_code == 403
    token = client.get("/compte/", **HOST).context["csrf_token"]
    ok = client.post("/session/", HTTP_X_CSRFTOKEN=str(token), **HOST)
    assert ok.status_code == 200


def test_pages_carry_the_warning_dialog_without_inline_script(client, amelie, agent):
    login(client, "amélie.lire")
    page = client.get("/compte/", **HOST).content.decode()
    staff = Client()
    staff_sign_in(staff, agent)
    admin = staff.get("/admin/").content.decode()
    anonymous = Client().get("/compte/connexion/", **HOST).content.decode()

    for html, login_url, logout_url in (
        (page, "/compte/connexion/", "/compte/deconnexion/"),
        (admin, "/admin/login/", "/admin/logout/"),
    ):
        dialog = re.search(r"<dialog[^>]*data-session-timeout[^>]*>.*?</dialog>", html, re.S)[0]
        assert 'role="alertdialog"' in dialog
        assert 'aria-labelledby="session-timeout-title"' in dialog
        assert 'data-status-url="/session/"' in dialog
        assert f'data-login-url="{login_url}"' in dialog
        assert f'action="{logout_url}"' in dialog
        assert "data-session-stay" in dialog
        assert 'src="/static/js/session-timeout.js"' in html
        assert not re.search(r"\son[a-z]+=", dialog)
    assert "data-session-timeout" not in anonymous
    inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert all("json" in tag for tag in inline), inline


# --- A new password ends the other sessions -----------------------------------------


@pytest.fixture(params=["db", "cache"])
def session_engine(request, settings):
    settings.SESSION_ENGINE = f"django.contrib.sessions.backends.{request.param}"
    return request.param


def test_a_new_password_ends_the_citizen_s_other_sessions(client, amelie, session_engine):
    phone = Client()
    login(phone, "amélie.lire")
    phone_key = phone.cookies[settings.SESSION_COOKIE_NAME].value
    login(client, "amélie.lire")

    changed = client.post(
        "/compte/mot-de-passe/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        **HOST,
    )

    assert changed.status_code == 302
    assert not session_exists(phone_key), "deleted on the server, not only refused"
    assert phone.get("/compte/profil/", **HOST).status_code == 302
    assert client.get("/compte/profil/", **HOST).status_code == 200
    assert UserSession.objects.filter(user=amelie).count() == 1


def test_a_password_reset_ends_every_session(
    client, amelie, session_engine, django_capture_on_commit_callbacks
):
    from django.core import mail

    phone = Client()
    login(phone, "amélie.lire")
    phone_key = phone.cookies[settings.SESSION_COOKIE_NAME].value
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/compte/mot-de-passe-oublie/", {"login": "amélie.lire"}, **HOST)
    link = re.search(
        r"http://carvin\.localhost(/compte/nouveau-mot-de-passe/\S+/)", mail.outbox[-1].body
    )[1]
    form = client.get(link, **HOST, follow=True)
    client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        **HOST,
    )

    assert not session_exists(phone_key)
    assert phone.get("/compte/profil/", **HOST).status_code == 302


def _account_form_data(response) -> dict:
    """What Wagtail's account page would post back unchanged."""
    data = {}
    for panels in response.context["panels_by_tab"].values():
        for panel in panels:
            for field in panel.get_form():
                value = field.value()
                if value is None or field.widget_type == "clearablefile":
                    continue
                if isinstance(value, list | tuple):
                    data[field.html_name] = [str(v) for v in value]
                elif isinstance(value, bool):
                    if value:
                        data[field.html_name] = "on"
                else:
                    data[field.html_name] = str(value)
    return data


def test_a_new_staff_password_ends_the_other_sessions(client, agent, session_engine):
    start = timezone.now()
    laptop = Client()
    with time_machine.travel(start, tick=False):
        staff_sign_in(laptop, agent)
        laptop_key = laptop.cookies[settings.SESSION_COOKIE_NAME].value
    with time_machine.travel(start + timedelta(seconds=40), tick=False):
        staff_sign_in(client, agent, later=0)
        page = client.get("/admin/account/")
        data = _account_form_data(page)
        data.update(
            {
                "password-old_password": STAFF_PASSWORD,
                "password-new_password1": NEW_PASSWORD,
                "password-new_password2": NEW_PASSWORD,
            }
        )
        changed = client.post("/admin/account/", data)
        assert changed.status_code == 302, changed.context and [
            p.get_form().errors for ps in changed.context["panels_by_tab"].values() for p in ps
        ]
        agent.refresh_from_db()
        assert agent.check_password(NEW_PASSWORD)

        assert not session_exists(laptop_key)
        assert laptop.get("/admin/account/")["Location"].startswith("/admin/login/")
        assert client.get("/admin/account/").status_code == 200


PERSONAL_PAGES = [
    "/compte/",
    "/compte/profil/",
    "/compte/demandes/",
    "/compte/donnees/",
    "/paiement/",
    "/paiement/releve/",
    "/paiement/panier/",
    "/",
]


@pytest.mark.django_db
def test_no_cache_keeps_what_a_logged_in_citizen_is_answered(client, carvin):
    client.force_login(citizen(carvin, validated=True))

    for path in PERSONAL_PAGES:
        response = client.get(path, **HOST)
        assert response.status_code == 200, path
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives, path


@pytest.mark.django_db
def test_a_view_s_own_cache_policy_is_kept_for_a_logged_in_citizen(client, carvin):
    client.force_login(citizen(carvin, validated=True))

    status = client.get(reverse("session_status"), **HOST)

    assert status.status_code == 200
    assert "no-cache" in status["Cache-Control"]


@pytest.mark.django_db
def test_an_anonymous_visitor_s_page_stays_public(client, carvin):
    response = client.get("/", **HOST)

    assert "private" not in response.get("Cache-Control", "")
