"""Staff hear of new requests as they chose: at once, once a day, or never."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cms.scheduling import daily_jobs
from services.alerts import daily_digests_send
from services.models import AgentAlertSettings, NewRequestAlerts
from services.tasks import notify_agents_of_new_request
from tests.services.factories import service_page
from tests.services.test_back_office import staff
from tests.services.tracking_factories import parent, school_request


def choose(user, choice):
    AgentAlertSettings.objects.update_or_create(user=user, defaults={"new_requests": choice})
    return user


@pytest.fixture
def school(carvin):
    return service_page(carvin)


@pytest.fixture
def owner(carvin):
    return parent(carvin)


@pytest.fixture
def eager(carvin):
    return choose(staff(carvin, "Agents", "marie", first_name="Marie"), "immediately")


@pytest.fixture
def daily(carvin):
    return choose(staff(carvin, "Supervisors", "claire", first_name="Claire"), "daily")


@pytest.fixture
def silent(carvin):
    return choose(staff(carvin, "Agents", "paul"), "never")


@pytest.fixture
def elsewhere(saint_andre):
    return choose(staff(saint_andre, "Agents", "yvon"), "immediately")


def test_a_new_request_is_e_mailed_once_after_commit_to_the_agents_who_asked(
    school, owner, eager, daily, silent, elsewhere, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        request = school_request(school, owner)
        assert not [m for m in mail.outbox if "marie@mairie.test" in m.to]
    mail.outbox.clear()
    for callback in callbacks:
        callback()

    (alert,) = [m for m in mail.outbox if m.to != [owner.email]]
    assert alert.to == ["marie@mairie.test"]
    assert request.reference in alert.subject and "Carvin" in alert.subject
    path = reverse("wagtailsnippets_services_submission:inspect", args=[request.pk])
    assert f"http://carvin.localhost{path}" in alert.body
    assert "Bonjour Marie" in alert.body

    mail.outbox.clear()
    notify_agents_of_new_request.enqueue(submission_id=request.pk)
    assert mail.outbox == []


def test_the_daily_summary_lists_the_day_s_requests_once(
    school, owner, eager, daily, silent, elsewhere, saint_andre
):
    first = school_request(school, owner)
    second = school_request(school, parent(school.get_site(), "Bruno"))
    school_request(service_page(saint_andre), parent(saint_andre))
    mail.outbox.clear()

    call_command("send_request_digests", stdout=io.StringIO())

    (summary,) = mail.outbox
    assert summary.to == ["claire@mairie.test"]
    assert "2 nouvelles demandes" in summary.subject
    assert first.reference in summary.body and second.reference in summary.body
    assert "http://carvin.localhost/admin/" in summary.body

    mail.outbox.clear()
    assert daily_digests_send() == 0
    assert mail.outbox == []

    later = school_request(school, parent(school.get_site(), "Chloé"))
    mail.outbox.clear()
    assert daily_digests_send(now=timezone.now() + timedelta(hours=1)) == 1
    assert later.reference in mail.outbox[0].body
    assert first.reference not in mail.outbox[0].body


def test_staff_who_never_chose_get_the_daily_summary(carvin, school, owner):
    staff(carvin, "Agents", "nouvelle")
    school_request(school, owner)
    mail.outbox.clear()

    daily_digests_send()

    assert [m.to for m in mail.outbox] == [["nouvelle@mairie.test"]]


def test_staff_choose_in_their_account_settings(client, carvin):
    agent = staff(carvin, "Agents", "marie")
    client.force_login(agent)

    page = client.get(reverse("wagtailadmin_account")).content.decode()
    assert 'name="new_requests-new_requests"' in page

    response = client.post(
        reverse("wagtailadmin_account"),
        {
            "new_requests-new_requests": "immediately",
            "name_email-first_name": "Marie",
            "name_email-last_name": "Agent",
            "name_email-email": "marie@mairie.test",
            "locale-preferred_language": "en",
            "locale-current_time_zone": "",
            "theme-theme": "system",
            "theme-density": "default",
            "theme-contrast": "system",
            "theme-keyboard_shortcuts": "on",
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    assert agent.alert_settings.new_requests == NewRequestAlerts.IMMEDIATELY


def test_the_task_worker_sends_the_summaries_every_morning():
    (job,) = [job for job in daily_jobs() if job.name == "new_requests_digest"]

    assert (job.task_path, job.hour) == ("services.tasks.send_daily_digests", 7)


def test_the_choice_is_offered_to_those_who_may_be_told_only(client, carvin):
    admin = staff(carvin, "Communication", "com")
    client.force_login(admin)

    page = client.get(reverse("wagtailadmin_account")).content.decode()

    assert "new_requests-new_requests" not in page
