"""The citizen's notification preferences and the verification of their
mobile number by a code sent by text message."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.phone import (
    CODE_EXPIRED,
    CODE_WRONG,
    RESEND_TOO_SOON,
    TOO_MANY_ATTEMPTS,
    PhoneError,
    phone_verification_confirm,
    phone_verification_start,
)
from cms.models import SentSms
from tests.accounts.factories import citizen
from tests.cms.sms.helpers import sms_commune

PAGE = "accounts:notifications"
VERIFY = "accounts:phone_verify"


@pytest.fixture
def sms_server():
    from tests.cms.sms.fake_provider import FakeSmsProvider

    fake = FakeSmsProvider().start()
    yield fake
    fake.stop()


@pytest.fixture
def amelie(carvin):
    return citizen(carvin, validated=True)


@pytest.fixture
def amelie_client(client, amelie):
    client.force_login(amelie)
    client.defaults["HTTP_HOST"] = "carvin.localhost"
    return client


def sent_code(server) -> str:
    return server.messages[-1]["content"][:6]


def test_without_a_provider_the_page_says_sms_is_not_offered(amelie_client):
    page = amelie_client.get(reverse(PAGE)).content.decode()

    assert "La mairie n’envoie pas de SMS" in page or "n'envoie pas de SMS" in page
    assert 'value="phone"' not in page
    assert "Envoyer un code" not in page


def test_the_citizen_turns_off_reminders(amelie_client, amelie):
    response = amelie_client.post(
        reverse(PAGE), {"channel": "email", "notify_status": "on", "notify_messages": "on"}
    )

    assert response.status_code == 302
    amelie.refresh_from_db()
    assert (amelie.notify_status, amelie.notify_messages, amelie.notify_reminders) == (
        True,
        True,
        False,
    )


def test_sms_cannot_be_chosen_before_the_number_is_verified(
    amelie_client, amelie, carvin, sms_server
):
    sms_commune(carvin, sms_server)

    response = amelie_client.post(reverse(PAGE), {"channel": "phone", "notify_status": "on"})

    assert response.status_code == 400
    amelie.refresh_from_db()
    assert amelie.contact_preference == "email"


def test_the_right_code_verifies_the_number_and_sms_can_be_chosen(
    amelie_client, amelie, carvin, sms_server, django_capture_on_commit_callbacks
):
    sms_commune(carvin, sms_server)

    with django_capture_on_commit_callbacks(execute=True):
        response = amelie_client.post(
            reverse(VERIFY), {"action": "send", "phone": "06 12 34 56 78"}
        )
    assert response.status_code == 302
    assert sms_server.messages[0]["recipient"] == "33612345678"
    amelie.refresh_from_db()
    assert amelie.sms_phone == ""

    response = amelie_client.post(
        reverse(VERIFY), {"action": "confirm", "code": sent_code(sms_server)}
    )
    assert response.status_code == 302
    amelie.refresh_from_db()
    assert amelie.sms_phone == "+33612345678" and amelie.sms_phone_verified_at

    amelie_client.post(reverse(PAGE), {"channel": "phone", "notify_status": "on"})
    amelie.refresh_from_db()
    assert amelie.contact_preference == "phone"
    assert SentSms.objects.get().kind == "verification"


def test_a_wrong_code_is_refused_and_counted(
    amelie_client, amelie, carvin, sms_server, django_capture_on_commit_callbacks
):
    sms_commune(carvin, sms_server)
    with django_capture_on_commit_callbacks(execute=True):
        phone_verification_start(user=amelie, number="0612345678")
    wrong = "000000" if sent_code(sms_server) != "000000" else "111111"

    response = amelie_client.post(reverse(VERIFY), {"action": "confirm", "code": wrong})

    assert response.status_code == 400
    assert (
        "Ce code n’est pas celui envoyé" in response.content.decode()
        or str(CODE_WRONG) in response.content.decode()
    )
    amelie.refresh_from_db()
    assert amelie.phone_verification.attempts == 1
    assert User.objects.get(pk=amelie.pk).sms_phone == ""


def test_too_many_wrong_codes_void_the_code(
    amelie, carvin, sms_server, django_capture_on_commit_callbacks
):
    sms_commune(carvin, sms_server)
    with django_capture_on_commit_callbacks(execute=True):
        phone_verification_start(user=amelie, number="0612345678")
    right = sent_code(sms_server)
    wrong = "000000" if right != "000000" else "111111"

    for _ in range(5):
        with pytest.raises(PhoneError):
            phone_verification_confirm(user=amelie, code=wrong)
    with pytest.raises(PhoneError) as refused:
        phone_verification_confirm(user=amelie, code=right)

    assert str(refused.value) == str(TOO_MANY_ATTEMPTS)
    assert User.objects.get(pk=amelie.pk).sms_phone == ""


def test_a_code_expires_after_ten_minutes(
    amelie, carvin, sms_server, django_capture_on_commit_callbacks
):
    sms_commune(carvin, sms_server)
    with django_capture_on_commit_callbacks(execute=True):
        phone_verification_start(user=amelie, number="0612345678")

    later = timezone.now() + timedelta(minutes=11)
    with time_machine.travel(later), pytest.raises(PhoneError) as refused:
        phone_verification_confirm(user=amelie, code=sent_code(sms_server))

    assert str(refused.value) == str(CODE_EXPIRED)


def test_a_new_code_waits_a_minute_and_a_changed_number_needs_verifying(
    amelie, carvin, sms_server, django_capture_on_commit_callbacks
):
    sms_commune(carvin, sms_server)
    amelie.sms_phone = "+33699999999"
    amelie.sms_phone_verified_at = timezone.now()
    amelie.save()
    with django_capture_on_commit_callbacks(execute=True):
        phone_verification_start(user=amelie, number="0612345678")

    with pytest.raises(PhoneError) as refused:
        phone_verification_start(user=amelie, number="0612345678")

    assert str(refused.value) == str(RESEND_TOO_SOON)
    assert User.objects.get(pk=amelie.pk).sms_phone == "+33699999999"


def test_a_landline_number_is_refused(amelie_client, carvin, sms_server):
    sms_commune(carvin, sms_server)

    response = amelie_client.post(reverse(VERIFY), {"action": "send", "phone": "03 21 00 00 00"})

    assert response.status_code == 400
    assert not sms_server.messages


def test_a_citizen_who_chose_the_phone_is_asked_on_the_home_page_to_check_the_number(
    amelie_client, amelie, carvin, sms_server
):
    home = reverse("accounts:home")
    amelie.contact_preference = "phone"
    amelie.save()
    without_sms = amelie_client.get(home).content.decode()
    sms_commune(carvin, sms_server)

    asked = amelie_client.get(home).content.decode()
    amelie.sms_phone = "+33612345678"
    amelie.sms_phone_verified_at = timezone.now()
    amelie.save()
    verified = amelie_client.get(home).content.decode()

    assert "vérifiez votre numéro de mobile" not in without_sms
    assert "vérifiez votre numéro de mobile" in asked
    assert f'href="{reverse(PAGE)}#mobile"' in asked
    assert "vérifiez votre numéro de mobile" not in verified
