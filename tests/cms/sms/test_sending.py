"""Text messages through the real provider plugins, against a fake provider
server: sent, refused, provider down, monthly cap, night."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core import mail

from accounts.models import User
from accounts.notifications import citizen_recipient
from cms.models import SentSms, SmsStatus
from cms.notifications import STATUS, Notification, notify
from cms.sms.tasks import sms_morning
from tests.cms.sms.helpers import PHONE, sms_commune

PARIS = ZoneInfo("Europe/Paris")
DAY = datetime(2026, 12, 7, 14, 0, tzinfo=PARIS)
SHORT = "Votre demande CAR-2026-000123 a changé de statut : http://carvin.localhost/d/1/"


def status_notification(user, **extra):
    return Notification(
        site=user.site,
        recipient=citizen_recipient(user),
        subject="Votre demande CAR-2026-000123",
        template="account_validated",
        context={"user": user},
        **{"short": SHORT, "kind": STATUS, **extra},
    )


def tell(user, capture, **extra):
    with capture(execute=True):
        notify(status_notification(user, **extra))
    return SentSms.objects.get()


@pytest.fixture(autouse=True)
def _daytime():
    with time_machine.travel(DAY, tick=False):
        yield


@pytest.mark.parametrize("provider", ["brevo", "ovh"])
def test_a_citizen_who_prefers_sms_gets_a_text_and_no_e_mail(
    provider, carvin, sms_server, django_capture_on_commit_callbacks
):
    sms_commune(carvin, sms_server, provider=provider)
    from tests.cms.sms.helpers import sms_user

    user = sms_user(carvin)
    mail.outbox.clear()

    sms = tell(user, django_capture_on_commit_callbacks)

    (message,) = sms_server.messages
    assert message["provider"] == provider
    assert PHONE.lstrip("+") in str(message.get("recipient") or message.get("receivers"))
    assert "CAR-2026-000123" in (message.get("content") or message.get("message"))
    assert not mail.outbox
    assert (sms.status, sms.segments, sms.phone, sms.phone_hint) == (SmsStatus.SENT, 1, "", "…78")
    assert sms.provider_message_id


def test_the_text_is_transliterated_to_the_gsm_alphabet(
    sms_citizen, sms_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(status_notification(sms_citizen, short="Reçu : « Crèche » – ça ôte l’œuf"))

    assert sms_server.messages[0]["content"] == 'Recu : " Crèche " - ca ote l\'oeuf'


@pytest.mark.parametrize("mode", ["refuse", "down"])
def test_a_text_the_provider_does_not_take_goes_by_e_mail(
    mode, sms_citizen, sms_server, django_capture_on_commit_callbacks
):
    sms_server.mode = mode
    mail.outbox.clear()

    sms = tell(sms_citizen, django_capture_on_commit_callbacks)

    assert sms.status == SmsStatus.FAILED
    assert sms.error
    assert [m.to for m in mail.outbox] == [[sms_citizen.email]]


def test_a_provider_that_cannot_be_reached_sends_the_e_mail(
    carvin_sms, sms_citizen, sms_server, django_capture_on_commit_callbacks
):
    carvin_sms.options = {**carvin_sms.options, "base_url": "http://127.0.0.1:9"}
    carvin_sms.save()
    mail.outbox.clear()

    sms = tell(sms_citizen, django_capture_on_commit_callbacks)

    assert sms.status == SmsStatus.FAILED
    assert mail.outbox[0].to == [sms_citizen.email]


def test_beyond_the_monthly_cap_citizens_get_e_mails_and_supervisors_are_warned_once(
    carvin, sms_server, django_capture_on_commit_callbacks
):
    from tests.cms.sms.helpers import sms_user

    sms_commune(carvin, sms_server, cap=5)
    user = sms_user(carvin)
    chef = User.objects.create_user(username="chef", email="chef@mairie.test", password="x-long-1")
    chef.groups.add(Group.objects.get(name="Carvin — Supervisors"))
    mail.outbox.clear()

    for _ in range(6):
        with django_capture_on_commit_callbacks(execute=True):
            notify(status_notification(user))

    statuses = list(SentSms.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == [SmsStatus.SENT] * 5 + [SmsStatus.CAPPED]
    assert len(sms_server.messages) == 5
    warnings = [m for m in mail.outbox if m.to == ["chef@mairie.test"]]
    assert len(warnings) == 1
    assert "80 %" in warnings[0].subject
    assert [m.to for m in mail.outbox if m not in warnings] == [[user.email]]


def test_at_night_a_text_waits_for_the_morning(
    sms_citizen, sms_server, django_capture_on_commit_callbacks
):
    with time_machine.travel(datetime(2026, 12, 7, 23, 30, tzinfo=PARIS), tick=False):
        sms = tell(sms_citizen, django_capture_on_commit_callbacks)
    assert sms.status == SmsStatus.DEFERRED
    assert not sms_server.messages

    # A worker started at night runs the day's missed morning job at once:
    # it sends nothing before the morning.
    with time_machine.travel(datetime(2026, 12, 7, 23, 45, tzinfo=PARIS), tick=False):
        assert sms_morning.call() == 0
    assert not sms_server.messages

    with time_machine.travel(datetime(2026, 12, 8, 8, 0, tzinfo=PARIS), tick=False):
        assert sms_morning.call() == 1

    sms.refresh_from_db()
    assert sms.status == SmsStatus.SENT
    assert len(sms_server.messages) == 1


def test_an_urgent_text_goes_at_night(sms_citizen, sms_server, django_capture_on_commit_callbacks):
    with time_machine.travel(datetime(2026, 12, 7, 2, 0, tzinfo=PARIS), tick=False):
        sms = tell(sms_citizen, django_capture_on_commit_callbacks, urgent=True)

    assert sms.status == SmsStatus.SENT


def test_without_a_provider_the_citizen_who_prefers_sms_gets_an_e_mail(
    carvin, django_capture_on_commit_callbacks
):
    from tests.cms.sms.helpers import sms_user

    user = sms_user(carvin)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        notify(status_notification(user))

    assert not SentSms.objects.exists()
    assert mail.outbox[0].to == [user.email]


def test_a_notification_with_files_also_goes_by_e_mail(
    sms_citizen, sms_server, django_capture_on_commit_callbacks
):
    mail.outbox.clear()

    tell(
        sms_citizen,
        django_capture_on_commit_callbacks,
        attachments=[("recu.pdf", b"%PDF-1.4", "application/pdf")],
    )

    assert len(sms_server.messages) == 1
    assert mail.outbox[0].attachments[0][0] == "recu.pdf"


def test_a_kind_the_citizen_turned_off_is_not_sent(
    sms_citizen, sms_server, django_capture_on_commit_callbacks
):
    sms_citizen.notify_status = False
    sms_citizen.save()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        notify(status_notification(sms_citizen))

    assert not sms_server.messages and not mail.outbox


def test_an_unverified_number_is_never_used(
    sms_citizen, sms_server, django_capture_on_commit_callbacks
):
    sms_citizen.sms_phone_verified_at = None
    sms_citizen.save()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        notify(status_notification(sms_citizen))

    assert not sms_server.messages
    assert mail.outbox[0].to == [sms_citizen.email]


def test_security_e_mails_never_go_by_text(
    sms_citizen, sms_server, django_capture_on_commit_callbacks
):
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        notify(status_notification(sms_citizen, email_only=True))

    assert not sms_server.messages
    assert mail.outbox[0].to == [sms_citizen.email]
