from datetime import timedelta

import time_machine
from django.utils import timezone

from tests.accounts.factories import PASSWORD, citizen
from tests.accounts.test_accounts import login


def test_five_failures_cool_off_the_identifier_then_it_works_again(client, carvin):
    citizen(carvin)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            login(client, "amélie.lire", "mauvais mot de passe")
        locked = login(client, "amélie.lire")

    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        later = login(client, "amélie.lire")

    assert locked.status_code == 429
    assert "réessayer dans 15 minutes" in locked.content.decode()
    assert 'value="amélie.lire"' in locked.content.decode()
    assert later.status_code == 302


def test_the_cool_off_is_per_identifier(client, carvin):
    citizen(carvin)
    citizen(carvin, "Paul", "Lire")
    for _ in range(5):
        login(client, "amélie.lire", "mauvais mot de passe")

    assert login(client, "paul.lire").status_code == 302


def test_one_address_trying_many_identifiers_is_slowed_down(client, carvin, settings):
    settings.ADDRESS_FAILURE_LIMIT = 8
    citizen(carvin, "Paul", "Lire")
    for n in range(8):
        login(client, f"inconnu{n}", "mauvais mot de passe")

    response = login(client, "paul.lire")

    assert response.status_code == 429
    assert "réessayer dans" in response.content.decode()


def login_from(client, address, username, password=PASSWORD):
    """A login through the proxy (127.0.0.1) for the client ``address``."""
    return client.post(
        "/compte/connexion/",
        {"username": username, "password": password},
        HTTP_HOST="carvin.localhost",
        HTTP_ORIGIN="http://carvin.localhost",
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR=address,
    )


def test_behind_the_proxy_one_clients_failures_do_not_block_another(client, carvin, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    settings.ADDRESS_FAILURE_LIMIT = 8
    citizen(carvin)
    for n in range(8):
        login_from(client, "203.0.113.1", f"inconnu{n}", "mauvais mot de passe")

    assert login_from(client, "203.0.113.1", "amélie.lire").status_code == 429
    assert login_from(client, "203.0.113.2", "amélie.lire").status_code == 302


def test_a_stranger_cannot_lock_a_citizen_out(client, carvin, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    citizen(carvin)
    for _ in range(5):
        login_from(client, "203.0.113.1", "amélie.lire", "mauvais mot de passe")

    assert login_from(client, "203.0.113.1", "amélie.lire").status_code == 429
    assert login_from(client, "203.0.113.2", "amélie.lire").status_code == 302


def test_a_spoofed_header_does_not_escape_the_limit(client, carvin, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    citizen(carvin)
    for n in range(5):
        client.post(
            "/compte/connexion/",
            {"username": "amélie.lire", "password": "mauvais mot de passe"},
            HTTP_HOST="carvin.localhost",
            HTTP_ORIGIN="http://carvin.localhost",
            REMOTE_ADDR="203.0.113.1",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )

    assert login(client, "amélie.lire").status_code == 302
    locked = client.post(
        "/compte/connexion/",
        {"username": "amélie.lire", "password": PASSWORD},
        HTTP_HOST="carvin.localhost",
        HTTP_ORIGIN="http://carvin.localhost",
        REMOTE_ADDR="203.0.113.1",
        HTTP_X_FORWARDED_FOR="198.51.100.99",
    )
    assert locked.status_code == 429


def test_staff_failures_count_once_whatever_the_commune_host(client, carvin, saint_andre, staff_of):
    agent = staff_of(carvin, "Agents")
    hosts = ["carvin.localhost", "saint-andre-des-eaux.localhost", "localhost"]
    for n in range(5):
        client.post(
            "/admin/login/",
            {"username": agent.username, "password": "mauvais mot de passe"},
            HTTP_HOST=hosts[n % len(hosts)],
        )

    for host in hosts:
        refused = client.post(
            "/admin/login/",
            {"username": agent.username, "password": "a-long-password-1"},
            HTTP_HOST=host,
        )
        assert refused.status_code == 429, host


def test_a_foreign_form_is_refused_as_such_before_the_limits(client, carvin, settings):
    settings.ADDRESS_FAILURE_LIMIT = 1
    login(client, "inconnu", "mauvais mot de passe")

    foreign = client.post(
        "/compte/connexion/",
        {"username": "amélie.lire", "password": PASSWORD},
        HTTP_HOST="carvin.localhost",
        HTTP_ORIGIN="https://evil.example",
    )

    assert foreign.status_code == 403
    assert login(client, "amélie.lire").status_code == 429
