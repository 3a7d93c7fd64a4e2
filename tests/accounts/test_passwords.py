import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from tests.accounts.factories import PASSWORD, citizen
from tests.accounts.test_accounts import login

HOST = {"HTTP_HOST": "carvin.localhost"}
NEW_PASSWORD = "un tout autre mot de passe"


def ask_reset(client, login_value, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/compte/mot-de-passe-oublie/", {"login": login_value}, **HOST)


def reset_link():
    return re.search(
        r"http://carvin\.localhost(/compte/nouveau-mot-de-passe/\S+/)", mail.outbox[-1].body
    )[1]


def choose(client, link, password=NEW_PASSWORD):
    page = client.get(link, **HOST, follow=True)
    return client.post(
        page.redirect_chain[-1][0] if page.redirect_chain else link,
        {"new_password1": password, "new_password2": password},
        **HOST,
    )


def test_the_answer_is_the_same_whether_the_account_exists_or_not(
    client, carvin, django_capture_on_commit_callbacks
):
    citizen(carvin)

    known = ask_reset(client, "amélie.lire", django_capture_on_commit_callbacks)
    unknown = ask_reset(client, "personne.inconnue", django_capture_on_commit_callbacks)

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len(mail.outbox) == 1
    assert "nouveau-mot-de-passe" in mail.outbox[0].body


def test_the_link_changes_the_password_once(client, carvin, django_capture_on_commit_callbacks):
    citizen(carvin)
    ask_reset(client, "amélie.lire@example.org", django_capture_on_commit_callbacks)
    link = reset_link()

    first = choose(client, link)
    second = client.get(link, **HOST, follow=True)

    assert first.status_code == 302
    assert "ne fonctionne plus" in second.content.decode()
    assert login(client, "amélie.lire", NEW_PASSWORD).status_code == 302


def test_no_password_is_ever_sent_by_email(client, carvin, django_capture_on_commit_callbacks):
    citizen(carvin)
    ask_reset(client, "amélie.lire", django_capture_on_commit_callbacks)
    choose(client, reset_link())

    assert all(PASSWORD not in m.body and NEW_PASSWORD not in m.body for m in mail.outbox)


def test_the_link_expires_after_one_hour(client, carvin, django_capture_on_commit_callbacks):
    citizen(carvin)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        ask_reset(client, "amélie.lire", django_capture_on_commit_callbacks)
    link = reset_link()

    with time_machine.travel(start + timedelta(minutes=59), tick=False):
        still_valid = client.get(link, **HOST, follow=True)
    with time_machine.travel(start + timedelta(minutes=61), tick=False):
        expired = client.get(link, **HOST, follow=True)

    assert still_valid.context["validlink"]
    assert "ne fonctionne plus" in expired.content.decode()


def test_a_link_works_only_on_its_own_commune(
    client, carvin, saint_andre, django_capture_on_commit_callbacks
):
    citizen(carvin)
    ask_reset(client, "amélie.lire", django_capture_on_commit_callbacks)

    page = client.get(reset_link(), HTTP_HOST="saint-andre-des-eaux.localhost", follow=True)

    assert "ne fonctionne plus" in page.content.decode()


def test_changing_the_password_ends_the_other_sessions(client, carvin):
    from django.test import Client

    user = citizen(carvin, validated=True)
    other_device = Client()
    other_device.force_login(user)
    client.force_login(user)

    client.post(
        "/compte/mot-de-passe/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        **HOST,
    )

    assert client.get("/compte/profil/", **HOST).status_code == 200
    assert other_device.get("/compte/profil/", **HOST).status_code == 302


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("court", "trop court"),
        ("qwerty123456", "trop courant"),
    ],
)
def test_weak_passwords_are_refused(client, carvin, password, message):
    client.force_login(citizen(carvin, validated=True))

    response = client.post(
        "/compte/mot-de-passe/",
        {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
        **HOST,
    )

    assert message in response.content.decode()


def test_passwords_are_hashed_with_argon2(carvin, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]

    assert citizen(carvin).password.startswith("argon2")


def test_reset_requests_are_limited_per_address(
    client, carvin, settings, django_capture_on_commit_callbacks
):
    settings.PASSWORD_RESET_ADDRESS_LIMIT = 3
    citizen(carvin)
    for _ in range(3):
        assert (
            ask_reset(client, "amélie.lire", django_capture_on_commit_callbacks).status_code == 302
        )

    refused = ask_reset(client, "personne.inconnue", django_capture_on_commit_callbacks)
    other = client.post(
        "/compte/mot-de-passe-oublie/", {"login": "amélie.lire"}, REMOTE_ADDR="203.0.113.9", **HOST
    )

    assert refused.status_code == 429
    assert "Trop de demandes de nouveau mot de passe" in refused.content.decode()
    assert other.status_code == 302, "another address may still ask"


def test_an_account_receives_a_few_links_whoever_asks(
    client, carvin, settings, django_capture_on_commit_callbacks
):
    settings.PASSWORD_RESET_ACCOUNT_LIMIT = 3
    citizen(carvin)
    for n in range(6):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/compte/mot-de-passe-oublie/",
                {"login": "amélie.lire@example.org" if n % 2 else "amélie.lire"},
                REMOTE_ADDR=f"203.0.113.{n}",
                **HOST,
            )
        assert response.status_code == 302

    assert len(mail.outbox) == 3


def test_the_request_does_the_same_work_whether_the_account_exists_or_not(
    client, carvin, django_capture_on_commit_callbacks
):
    """No account is looked up while the citizen waits: the same queries
    either way, then one task that finds out."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    citizen(carvin)
    # The page is shown first, as a citizen sees it before sending: what the
    # first request of a process reads once (the Sites) is read by then.
    client.get("/compte/mot-de-passe-oublie/", **HOST)
    work = {}
    for login_value in ["amélie.lire", "personne.inconnue"]:
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks() as callbacks,
        ):
            response = client.post("/compte/mot-de-passe-oublie/", {"login": login_value}, **HOST)
        assert response.status_code == 302
        work[login_value] = ([q["sql"] for q in queries], len(callbacks))

    assert work["amélie.lire"] == work["personne.inconnue"]
    assert work["amélie.lire"][1] == 1
    assert not [sql for sql in work["amélie.lire"][0] if "accounts_user" in sql]
    assert not mail.outbox
