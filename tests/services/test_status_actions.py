"""What a status does when a request enters it: tell the citizen, e-mail an
address, issue a document, set a deadline; each once per change, in order,
and deadlines counted in calendar or working days (French public holidays)."""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.users.models import UserProfile

from accounts.models import User
from services.actions import registry
from services.actions.deadline import due_date, is_working_day
from services.automation import deadlines_fire, run_entry_actions
from services.corrections import correction_form, submission_correct
from services.models import ActionRun, IssuedDocument, RequestDeadline, StatusChange
from services.services import submission_change_status
from services.workflows import standard_workflow
from tests.services.factories import service_page
from tests.services.tracking_factories import (
    content_of,
    detail_url,
    parent,
    pdf_text,
    school_request,
)

PREVIEW = "wagtailsnippets_services_submission:preview"
ISSUED = "wagtailsnippets_services_submission:issued"


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


def agent_of(site):
    user = User.objects.create_user(
        username="marie", password="a-long-password-1", first_name="Marie", last_name="Agent"
    )
    user.groups.add(Group.objects.get(name=f"{site.site_name} — Agents"))
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


def give_actions(site, key, actions):
    """Put ``actions`` (type, value) in the status ``key`` of the commune's
    standard workflow."""
    workflow = standard_workflow(site)
    status = workflow.statuses.get(key=key)
    status.actions = [(name, value) for name, value in actions]
    status.save()
    workflow.save()
    return workflow


ATTESTATION = {
    "title": "Attestation d'inscription",
    "body": "<p>Le maire atteste que {prenom} {nom} a inscrit {champ:prenom} en classe "
    "{champ:classe}. {texte_libre}</p>",
    "signatory_name": "Marie Dupont",
    "signatory_role": "Le Maire",
    "signature": None,
    "condition": {"field": "", "value": ""},
}


@pytest.fixture
def enrolment(carvin):
    return school_request(service_page(carvin), parent(carvin))


# Counting days


def test_working_days_skip_weekends_and_french_public_holidays():
    assert not is_working_day(date(2026, 12, 25))  # Noël, a Friday
    assert not is_working_day(date(2026, 7, 14))
    # Thursday 24 December + 2 working days: Monday 28, Tuesday 29.
    assert due_date(date(2026, 12, 24), 2, "working") == date(2026, 12, 29)
    # Monday 13 July + 1 working day: Wednesday 15 (14 July is a holiday).
    assert due_date(date(2026, 7, 13), 1, "working") == date(2026, 7, 15)
    assert due_date(date(2026, 12, 24), 2, "calendar") == date(2026, 12, 26)


# Deadlines


def test_an_incomplete_request_closes_after_its_deadline_once(
    carvin, enrolment, django_capture_on_commit_callbacks
):
    give_actions(
        carvin,
        "incomplete",
        [
            (
                "deadline",
                {
                    "days": 30,
                    "kind": "calendar",
                    "remind": "",
                    "move_to": "closed",
                    "message": "Sans réponse de votre part, la demande est classée.",
                },
            )
        ],
    )
    agent = agent_of(carvin)
    with django_capture_on_commit_callbacks(execute=True):
        submission_change_status(
            submission=enrolment, status="incomplete", author=agent, message="Il manque le livret."
        )
    deadline = RequestDeadline.objects.get(submission=enrolment)
    assert deadline.due_on == timezone.localdate() + timedelta(days=30)
    enrolment.refresh_from_db()
    from services.automation import citizen_deadlines

    notice = citizen_deadlines(enrolment)
    assert len(notice) == 1 and "Without an answer from you by" in notice[0]
    assert "Closed without action" in notice[0] or "Classé sans suite" in notice[0]

    mail.outbox.clear()
    assert deadlines_fire(today=deadline.due_on - timedelta(days=1)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert deadlines_fire(today=deadline.due_on) == 1
    enrolment.refresh_from_db()
    assert enrolment.status == "closed"
    last = enrolment.history.last()
    assert (last.automatic, last.author, last.previous_status) == (True, None, "incomplete")
    assert [m.to for m in mail.outbox] == [[enrolment.requester_email]]
    # Fired twice: nothing more.
    assert deadlines_fire(today=deadline.due_on) == 0
    assert enrolment.history.count() == 3


def test_a_deadline_no_longer_applies_once_the_request_left_the_status(
    carvin, enrolment, django_capture_on_commit_callbacks
):
    give_actions(
        carvin,
        "incomplete",
        [("deadline", {"days": 30, "kind": "working", "remind": "", "move_to": "closed"})],
    )
    agent = agent_of(carvin)
    with django_capture_on_commit_callbacks(execute=True):
        submission_change_status(
            submission=enrolment, status="incomplete", author=agent, message="Il manque."
        )
        submission_change_status(submission=enrolment, status="in_review", author=agent)
    deadline = RequestDeadline.objects.get(submission=enrolment)
    deadlines_fire(today=deadline.due_on)
    deadline.refresh_from_db()
    enrolment.refresh_from_db()
    assert enrolment.status == "in_review"
    assert deadline.fired_at is not None
    assert "No longer applies" in deadline.outcome


# E-mail an address, on a condition


def test_a_status_emails_an_address_only_for_the_requests_meeting_its_condition(
    carvin, django_capture_on_commit_callbacks
):
    give_actions(
        carvin,
        "submitted",
        [
            (
                "email",
                {
                    "to": "police@carvin.test",
                    "subject": "Allergie signalée",
                    "message": "Demande de {prenom} {nom}.",
                    "condition": {"field": "allergies", "value": "oui"},
                },
            )
        ],
    )
    page = service_page(carvin)
    with django_capture_on_commit_callbacks(execute=True):
        flagged = school_request(page, parent(carvin))
    police = [m for m in mail.outbox if m.to == ["police@carvin.test"]]
    assert len(police) == 1
    assert flagged.reference in police[0].subject
    assert "Demande de Amélie" in police[0].body
    assert "/admin/snippets/services/submission/inspect/" in police[0].body

    mail.outbox.clear()
    calm = school_request(page, parent(carvin, first_name="Paul"))
    calm.data["allergies"] = False
    calm.save()
    change = calm.history.get()
    ActionRun.objects.filter(status_change=change).delete()
    run_entry_actions(change)
    assert not [m for m in mail.outbox if m.to == ["police@carvin.test"]]


def test_an_action_runs_once_per_change(carvin, enrolment):
    give_actions(
        carvin,
        "submitted",
        [
            (
                "email",
                {
                    "to": "service@carvin.test",
                    "subject": "Nouvelle",
                    "message": "{reference}",
                    "condition": {"field": "", "value": ""},
                },
            )
        ],
    )
    change = StatusChange.objects.get(submission=enrolment)
    mail.outbox.clear()
    run_entry_actions(change)
    run_entry_actions(change)
    assert len([m for m in mail.outbox if m.to == ["service@carvin.test"]]) == 1
    assert ActionRun.objects.filter(status_change=change).count() == 1


# Tell the citizen


def test_the_status_message_replaces_nothing_and_a_hidden_status_tells_nobody(
    carvin, enrolment, django_capture_on_commit_callbacks
):
    give_actions(
        carvin,
        "in_review",
        [
            (
                "tell_citizen",
                {
                    "message": "Bonjour {prenom}, votre dossier {reference} est étudié.",
                    "condition": {"field": "", "value": ""},
                },
            )
        ],
    )
    agent = agent_of(carvin)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        submission_change_status(submission=enrolment, status="in_review", author=agent)
    assert len(mail.outbox) == 1
    assert f"votre dossier {enrolment.reference} est étudié" in mail.outbox[0].body

    workflow = standard_workflow(carvin)
    workflow.statuses.filter(key="complete").update(citizen_name="")
    workflow.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        submission_change_status(submission=enrolment, status="complete", author=agent)
    assert mail.outbox == []


# Ask for corrections


def test_corrections_send_the_request_back_to_the_status_the_workflow_names(
    carvin, enrolment, django_capture_on_commit_callbacks
):
    give_actions(carvin, "incomplete", [("ask_corrections", {"back_to": "complete"})])
    agent = agent_of(carvin)
    with django_capture_on_commit_callbacks(execute=True):
        change = submission_change_status(
            submission=enrolment, status="incomplete", author=agent, requested=["classe"]
        )
    assert change.runs.get().summary == "The citizen was asked to correct: Classe."
    enrolment.refresh_from_db()
    form = correction_form(enrolment, data={"classe": "Moyenne section"})
    assert form.is_valid(), form.errors

    submission_correct(submission=enrolment, form=form)

    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.data["classe"]) == ("complete", "Moyenne section")


def test_a_status_without_the_corrections_action_asks_for_nothing(carvin, enrolment):
    give_actions(carvin, "incomplete", [])
    assert not standard_workflow(carvin).statuses.get(key="incomplete").actions
    enrolment.refresh_from_db()
    assert not enrolment.definition.info("incomplete").needs_items
    assert enrolment.definition.info("submitted").transition_to("incomplete")


def test_corrections_going_to_a_status_that_does_not_wait_for_the_town_hall_are_refused():
    action = registry["ask_corrections"]
    statuses = {
        "new": {"name": "Nouvelle", "group": "to_process"},
        "done": {"name": "Terminée", "group": "final"},
    }
    assert action.problems({"back_to": "new"}, statuses) == []
    assert action.problems({"back_to": ""}, statuses) == []
    assert action.problems({"back_to": "missing"}, statuses)
    assert "“Terminée” does not wait for it" in str(
        action.problems({"back_to": "done"}, statuses)[0]
    )


# Issue a document


def test_accepting_issues_the_document_the_citizen_downloads(
    client, carvin, enrolment, django_capture_on_commit_callbacks
):
    give_actions(carvin, "accepted", [("document", ATTESTATION)])
    agent = agent_of(carvin)
    client.force_login(agent)
    preview = client.get(
        reverse(PREVIEW, args=[enrolment.pk]), {"status": "accepted", "text": "Cantine incluse."}
    )
    assert preview["Content-Type"] == "application/pdf"
    assert "Cantine incluse." in pdf_text(preview.content)
    assert not IssuedDocument.objects.exists()

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("wagtailsnippets_services_submission:status", args=[enrolment.pk]),
            {"status": "accepted", "document_text": "Cantine incluse."},
        )
    assert response.status_code == 302
    document = IssuedDocument.objects.get(submission=enrolment)
    assert document.reference == f"{enrolment.reference}-D1"
    text = pdf_text(document.file.open("rb").read())
    assert "Attestation d'inscription" in text
    assert "Amélie Lire a inscrit Léa en classe CP. Cantine incluse." in " ".join(text.split())
    assert "Marie Dupont" in text

    [email] = mail.outbox
    assert [name for name, _content, _type in email.attachments][-1] == (
        f"attestation-dinscription-{document.reference}.pdf"
    )
    assert StatusChange.objects.get(submission=enrolment, status="accepted").document_text == (
        "Cantine incluse."
    )

    client.force_login(enrolment.account)
    page = client.get(detail_url(enrolment), HTTP_HOST="carvin.localhost").content.decode()
    url = reverse(
        "services:submission_issued",
        kwargs={"reference": enrolment.reference, "pk": document.pk},
    )
    assert url in page
    download = client.get(url, HTTP_HOST="carvin.localhost")
    assert content_of(download).startswith(b"%PDF")

    other = parent(carvin, first_name="Paul")
    client.force_login(other)
    assert client.get(url, HTTP_HOST="carvin.localhost").status_code == 404


def test_a_placeholder_unknown_to_documents_is_refused():
    from services.actions import registry

    problems = registry["document"].problems({**ATTESTATION, "body": "<p>{adresse}</p>"}, {})
    assert problems == ["Unknown placeholder in a document: {adresse}."]


def test_a_status_emails_the_municipal_service_handling_the_request(carvin, enrolment):
    from services.models import MunicipalService

    service = MunicipalService.objects.create(
        site=carvin, name="Éducation-Enfance", email="education@carvin.test"
    )
    enrolment.municipal_service = service
    enrolment.save()
    give_actions(
        carvin,
        "submitted",
        [
            (
                "email",
                {
                    "to_service": True,
                    "to": "",
                    "subject": "Nouvelle inscription",
                    "message": "{reference}",
                    "condition": {"field": "", "value": ""},
                },
            )
        ],
    )
    mail.outbox.clear()
    run_entry_actions(StatusChange.objects.get(submission=enrolment))
    assert [m.to for m in mail.outbox] == [["education@carvin.test"]]
    run = ActionRun.objects.get(status_change__submission=enrolment)
    assert run.summary == "E-mailed to education@carvin.test."


def test_an_email_action_without_recipient_is_refused():
    from services.actions import registry

    assert registry["email"].problems({"to": "", "to_service": False}, {}) == [
        "An e-mail action needs an address, or its request's service, or both."
    ]
