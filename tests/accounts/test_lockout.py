from datetime import timedelta

import time_machine
from django.utils import timezone

from tests.accounts.factories import citizen
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
