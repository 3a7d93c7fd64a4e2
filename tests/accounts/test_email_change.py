"""A citizen changes their e-mail address from the profile form: the new
address receives a link, valid once and for one hour, and the account keeps
its address until the link is followed. The form answers the same whether
another account of the commune uses the new address or not; that address
is told so by the message sent to it."""

import re
from datetime import timedelta

import time_machine
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client
from django.utils import timezone, translation
from django.utils.html import escape

from accounts.models import User
from accounts.services import (
    EMAIL_CHANGE_LINK_INVALID,
    EMAIL_CHANGE_SENT,
    EMAIL_CHANGE_TOO_OFTEN,
    EMAIL_CHANGED,
    EMAIL_TAKEN,
)
from tests.accounts.factories import citizen

HOST = {"HTTP_HOST": "carvin.localhost"}
PROFILE = {
    "first_name": "Amélie",
    "last_name": "Lire",
    "birth_date": "1984-05-12",
    "phone": "",
    "address_line": "12 rue des Écoles",
    "postcode": "62220",
    "city": "Carvin",
    "contact_preference": "email",
}
LINK = re.compile(r"http://carvin\.localhost(/compte/adresse-electronique/[^/\s]+/)")


def change_address(client, email, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/compte/profil/modifier/", {**PROFILE, "email": email}, **HOST)


def sent_to(address):
    return [message for message in mail.outbox if message.to == [address]]


def link_in(message) -> str:
    return LINK.search(message.body)[1]


def shown_messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_form_answers_the_same_whether_the_address_is_taken_or_not(
    client, carvin, django_capture_on_commit_callbacks
):
    amelie = citizen(carvin, validated=True)
    citizen(carvin, "Jean", "Autre", email="jean.autre@example.org")
    client.force_login(amelie)
    other_device = Client()
    other_device.force_login(amelie)

    taken = change_address(client, "jean.autre@example.org", django_capture_on_commit_callbacks)
    taken_messages = shown_messages(taken)
    free = change_address(
        other_device, "amelie.new@example.org", django_capture_on_commit_callbacks
    )
    free_messages = shown_messages(free)

    assert taken.status_code == free.status_code == 302
    assert taken["Location"] == free["Location"] == "/compte/profil/"
    assert [m.replace("jean.autre@example.org", "ADDRESS") for m in taken_messages] == [
        m.replace("amelie.new@example.org", "ADDRESS") for m in free_messages
    ]
    with translation.override("fr"):
        assert str(EMAIL_TAKEN) not in " ".join(taken_messages)
    assert User.objects.get(pk=amelie.pk).email == amelie.email


def test_the_profile_page_says_a_link_was_sent(client, carvin, django_capture_on_commit_callbacks):
    client.force_login(citizen(carvin, validated=True))

    response = change_address(client, "amelie.new@example.org", django_capture_on_commit_callbacks)
    page = client.get(response["Location"], **HOST).content.decode()

    with translation.override("fr"):
        expected = str(EMAIL_CHANGE_SENT) % {"email": "amelie.new@example.org"}
    assert escape(expected) in page


def test_a_new_address_is_the_accounts_once_its_link_is_followed(
    client, carvin, django_capture_on_commit_callbacks
):
    amelie = citizen(carvin, validated=True)
    client.force_login(amelie)

    change_address(client, "Amelie.New@example.org ", django_capture_on_commit_callbacks)
    amelie.refresh_from_db()
    assert amelie.email == "amélie.lire@example.org"
    (message,) = sent_to("amelie.new@example.org")
    link = link_in(message)

    page = client.get(link, **HOST)
    assert page.status_code == 200
    assert "amelie.new@example.org" in page.content.decode()
    amelie.refresh_from_db()
    assert amelie.email == "amélie.lire@example.org"  # opening the link changes nothing

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(link, **HOST)

    assert confirmed.status_code == 302
    amelie.refresh_from_db()
    assert amelie.email == "amelie.new@example.org"
    with translation.override("fr"):
        assert shown_messages(confirmed)[-1] == (
            str(EMAIL_CHANGED) % {"email": "amelie.new@example.org"}
        )


def test_the_link_works_once(client, carvin, django_capture_on_commit_callbacks):
    amelie = citizen(carvin, validated=True)
    client.force_login(amelie)
    change_address(client, "amelie.new@example.org", django_capture_on_commit_callbacks)
    link = link_in(sent_to("amelie.new@example.org")[0])
    client.post(link, **HOST)

    again = client.post(link, **HOST)

    with translation.override("fr"):
        assert escape(str(EMAIL_CHANGE_LINK_INVALID)) in again.content.decode()


def test_an_earlier_link_stops_working_once_another_address_is_confirmed(
    client, carvin, django_capture_on_commit_callbacks
):
    """Even when the account comes back to the address the earlier link was made for."""
    amelie = citizen(carvin, validated=True, email="amelie.lire@example.org")
    client.force_login(amelie)
    change_address(client, "first@example.org", django_capture_on_commit_callbacks)
    first = link_in(sent_to("first@example.org")[0])
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        change_address(client, "second@example.org", django_capture_on_commit_callbacks)
        client.post(link_in(sent_to("second@example.org")[0]), **HOST)
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        change_address(client, "amelie.lire@example.org", django_capture_on_commit_callbacks)
        client.post(link_in(sent_to("amelie.lire@example.org")[0]), **HOST)
    amelie.refresh_from_db()
    assert amelie.email == "amelie.lire@example.org"

    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        response = client.post(first, **HOST)

    amelie.refresh_from_db()
    assert amelie.email == "amelie.lire@example.org"
    with translation.override("fr"):
        assert escape(str(EMAIL_CHANGE_LINK_INVALID)) in response.content.decode()


def test_the_link_expires_after_one_hour(client, carvin, django_capture_on_commit_callbacks):
    amelie = citizen(carvin, validated=True)
    client.force_login(amelie)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        change_address(client, "amelie.new@example.org", django_capture_on_commit_callbacks)
    link = link_in(sent_to("amelie.new@example.org")[0])

    mail_reader = Client()  # the session above has ended since, for inactivity
    with time_machine.travel(start + timedelta(minutes=59), tick=False):
        still_valid = mail_reader.get(link, **HOST)
    with time_machine.travel(start + timedelta(minutes=61), tick=False):
        expired = mail_reader.post(link, **HOST)

    assert "amelie.new@example.org" in still_valid.content.decode()
    amelie.refresh_from_db()
    assert amelie.email == "amélie.lire@example.org"
    with translation.override("fr"):
        assert escape(str(EMAIL_CHANGE_LINK_INVALID)) in expired.content.decode()


def test_a_link_works_only_on_its_own_commune(
    client, carvin, saint_andre, django_capture_on_commit_callbacks
):
    amelie = citizen(carvin, validated=True)
    client.force_login(amelie)
    change_address(client, "amelie.new@example.org", django_capture_on_commit_callbacks)
    link = link_in(sent_to("amelie.new@example.org")[0])

    response = client.post(link, HTTP_HOST="saint-andre-des-eaux.localhost")

    amelie.refresh_from_db()
    assert amelie.email == "amélie.lire@example.org"
    with translation.override("fr"):
        assert escape(str(EMAIL_CHANGE_LINK_INVALID)) in response.content.decode()


def test_a_taken_address_is_told_so_and_gets_no_link(
    client, carvin, django_capture_on_commit_callbacks
):
    citizen(carvin, "Jean", "Autre", email="jean.autre@example.org")
    client.force_login(citizen(carvin, validated=True))

    change_address(client, "jean.autre@example.org", django_capture_on_commit_callbacks)

    (message,) = sent_to("jean.autre@example.org")
    assert "déjà" in message.body
    assert not LINK.search(message.body)
    assert "/compte/mot-de-passe-oublie/" in message.body


def test_an_address_taken_before_the_link_is_followed_is_refused(
    client, carvin, django_capture_on_commit_callbacks
):
    amelie = citizen(carvin, validated=True)
    client.force_login(amelie)
    change_address(client, "amelie.new@example.org", django_capture_on_commit_callbacks)
    link = link_in(sent_to("amelie.new@example.org")[0])
    citizen(carvin, "Jean", "Autre", email="amelie.new@example.org")

    response = client.post(link, **HOST)

    amelie.refresh_from_db()
    assert amelie.email == "amélie.lire@example.org"
    with translation.override("fr"):
        assert escape(str(EMAIL_TAKEN)) in response.content.decode()


def test_the_other_details_are_saved_at_once(client, carvin, django_capture_on_commit_callbacks):
    amelie = citizen(carvin, validated=True)
    client.force_login(amelie)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/compte/profil/modifier/",
            {**PROFILE, "city": "Libercourt", "email": "amelie.new@example.org"},
            **HOST,
        )

    amelie.refresh_from_db()
    assert (amelie.city, amelie.email) == ("Libercourt", "amélie.lire@example.org")
    assert User.objects.filter(email="amelie.new@example.org").count() == 0


def test_the_old_address_is_told_of_the_change(client, carvin, django_capture_on_commit_callbacks):
    amelie = citizen(carvin, validated=True)
    client.force_login(amelie)
    change_address(client, "amelie.new@example.org", django_capture_on_commit_callbacks)
    link = link_in(sent_to("amelie.new@example.org")[0])

    with django_capture_on_commit_callbacks(execute=True):
        client.post(link, **HOST)

    (notice,) = sent_to("amélie.lire@example.org")
    assert "amelie.new@example.org" in notice.body
    assert "/compte/mot-de-passe-oublie/" in notice.body


def test_a_citizen_cannot_send_links_to_any_number_of_addresses(
    client, carvin, django_capture_on_commit_callbacks
):
    amelie = citizen(carvin, validated=True)
    citizen(carvin, "Jean", "Autre", email="jean.autre@example.org")
    client.force_login(amelie)
    for address in ("one@example.org", "jean.autre@example.org", "two@example.org"):
        change_address(client, address, django_capture_on_commit_callbacks)
    sent = len(mail.outbox)

    refused = change_address(client, "three@example.org", django_capture_on_commit_callbacks)

    assert sent == 3
    assert len(mail.outbox) == 3
    assert sent_to("three@example.org") == []
    with translation.override("fr"):
        assert shown_messages(refused)[-1] == str(EMAIL_CHANGE_TOO_OFTEN) % {"minutes": 60}
    assert User.objects.get(pk=amelie.pk).email == amelie.email
