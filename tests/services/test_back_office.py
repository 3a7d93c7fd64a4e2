"""The agents' daily work on requests: the correction loop, assignment,
private notes, message templates, documents received by post, bulk actions,
notification channels and the log of their actions."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from wagtail.users.models import UserProfile

from accounts.models import User
from cms.models import AuditLogEntry
from services.corrections import NOTHING_CHANGED
from services.models import InternalNote, MessageTemplate, StatusChange, SubmissionStatus
from services.services import (
    NOT_AN_AGENT,
    REOPEN_NOT_FINAL,
    REOPEN_REASON_REQUIRED,
    UNKNOWN_ITEM,
    SubmissionError,
    submission_assign,
    submission_change_status,
    submission_reopen,
)
from tests.accounts.factories import citizen, member
from tests.services.factories import PNG, service_page
from tests.services.tracking_factories import CARVIN, detail_url, parent, school_request

LIST = "wagtailsnippets_services_submission:list"
INSPECT = "wagtailsnippets_services_submission:inspect"
STATUS = "wagtailsnippets_services_submission:status"
ASSIGN = "wagtailsnippets_services_submission:assign"
NOTE = "wagtailsnippets_services_submission:note"
BY_POST = "wagtailsnippets_services_submission:by_post"
REOPEN = "wagtailsnippets_services_submission:reopen"
DOWNLOAD = "wagtailsnippets_services_submission:download"
TEMPLATES = "wagtailsnippets_services_messagetemplate"


def in_english(user):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


def staff(site, role, username, **names):
    user = User.objects.create_user(
        username=username, password="a-long-password-1", email=f"{username}@mairie.test", **names
    )
    user.groups.add(Group.objects.get(name=f"{site.site_name} — {role}"))
    return in_english(user)


@pytest.fixture
def agent(carvin):
    return staff(carvin, "Agents", "marie", first_name="Marie", last_name="Agent")


@pytest.fixture
def colleague(carvin):
    return staff(carvin, "Agents", "paul", first_name="Paul", last_name="Collègue")


@pytest.fixture
def supervisor(carvin):
    return staff(carvin, "Supervisors", "chef", first_name="Claire", last_name="Chef")


@pytest.fixture
def outsider(saint_andre):
    return staff(saint_andre, "Supervisors", "yvon", first_name="Yvon", last_name="Ailleurs")


@pytest.fixture
def owner(carvin):
    return parent(carvin)


@pytest.fixture
def school(carvin):
    return service_page(carvin)


@pytest.fixture
def request_sent(school, owner):
    return school_request(school, owner)


@pytest.fixture
def as_agent(client, agent):
    client.force_login(agent)
    return client


def page_of(response) -> str:
    return response.content.decode()


# The correction loop.


def ask_corrections(request, agent, keys, message=""):
    change = submission_change_status(
        submission=request, status="incomplete", author=agent, message=message, requested=keys
    )
    request.refresh_from_db()
    return change


def test_agent_names_the_items_to_correct_from_the_request_itself(as_agent, request_sent):
    page = page_of(as_agent.get(reverse(INSPECT, args=[request_sent.pk])))

    for key, label in (
        ("prenom", "Prénom de l&#x27;enfant"),
        ("classe", "Classe"),
        ("domicile", "Justificatif de domicile"),
        ("livret", "Livret de famille"),
    ):
        assert f'value="{key}"' in page
        assert label in page


def test_incomplete_with_named_items_records_them_in_form_order(agent, request_sent):
    change = ask_corrections(request_sent, agent, ["domicile", "prenom"], "Merci.")

    assert change.requested == [
        {"key": "prenom", "label": "Prénom de l'enfant"},
        {"key": "domicile", "label": "Justificatif de domicile"},
    ]


def test_an_item_that_is_not_in_the_request_is_refused_with_the_reason(agent, request_sent):
    with pytest.raises(SubmissionError) as refused:
        ask_corrections(request_sent, agent, ["iban"])

    assert str(refused.value) == str(UNKNOWN_ITEM) % {"key": "iban"}
    request_sent.refresh_from_db()
    assert request_sent.status == SubmissionStatus.SUBMITTED


def test_citizen_sees_and_corrects_exactly_the_items_asked_for(client, owner, agent, request_sent):
    ask_corrections(request_sent, agent, ["prenom", "domicile"], "Le justificatif est flou.")
    client.force_login(owner)

    page = page_of(client.get(detail_url(request_sent), **CARVIN))

    assert 'name="prenom"' in page
    assert 'value="Léa"' in page or 'value="' + request_sent.data["prenom"] + '"' in page
    assert 'name="domicile"' in page
    assert 'name="classe"' not in page
    assert 'name="livret"' not in page
    assert "Le justificatif est flou." in page


def test_corrections_go_back_to_the_town_hall_with_what_changed(
    client, owner, agent, request_sent, django_capture_on_commit_callbacks
):
    ask_corrections(request_sent, agent, ["prenom", "domicile"])
    client.force_login(owner)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            detail_url(request_sent),
            {"prenom": "Léane", "domicile": SimpleUploadedFile("nette.png", PNG, "image/png")},
            **CARVIN,
        )

    assert response.status_code == 302
    request_sent.refresh_from_db()
    assert request_sent.status == SubmissionStatus.SUBMITTED
    assert request_sent.data["prenom"] == "Léane"
    assert request_sent.data["domicile"]["name"] == "nette.png"
    assert request_sent.data["classe"] == "CP"
    last = request_sent.history.last()
    assert [(c["key"], c["after"]) for c in last.changes] == [
        ("prenom", "Léane"),
        ("domicile", "nette.png"),
    ]
    assert last.changes[1]["before"] == "facture électricité.pdf"
    (to_agent,) = mail.outbox
    assert to_agent.to == ["marie@mairie.test"]
    assert request_sent.reference in to_agent.subject
    assert "Léane" in to_agent.body


def test_agent_sees_what_the_citizen_changed(client, owner, agent, as_agent, request_sent):
    ask_corrections(request_sent, agent, ["prenom"])
    client.force_login(owner)
    client.post(detail_url(request_sent), {"prenom": "Léane"}, **CARVIN)
    client.force_login(agent)

    page = page_of(client.get(reverse(INSPECT, args=[request_sent.pk])))

    assert "Corrected by the citizen" in page
    assert "<del>" in page and "<ins>Léane</ins>" in page


def test_a_named_document_must_be_sent_again(client, owner, agent, request_sent):
    ask_corrections(request_sent, agent, ["domicile"])
    client.force_login(owner)

    response = client.post(detail_url(request_sent), {}, **CARVIN)

    assert response.status_code == 200
    assert "data-error-summary" in page_of(response)
    request_sent.refresh_from_db()
    assert request_sent.status == SubmissionStatus.INCOMPLETE


def test_sending_the_same_answers_back_changes_nothing(client, owner, agent, request_sent):
    ask_corrections(request_sent, agent, ["classe"])
    client.force_login(owner)

    response = client.post(detail_url(request_sent), {"classe": "CP"}, **CARVIN)

    assert escape(str(NOTHING_CHANGED)) in page_of(response)
    request_sent.refresh_from_db()
    assert request_sent.status == SubmissionStatus.INCOMPLETE


def test_what_was_typed_stays_when_a_correction_is_refused(client, owner, agent, request_sent):
    ask_corrections(request_sent, agent, ["prenom", "domicile"])
    client.force_login(owner)
    disguised = SimpleUploadedFile("facture.pdf", b"Rien de lisible.", "application/pdf")

    response = client.post(
        detail_url(request_sent), {"prenom": "Léane", "domicile": disguised}, **CARVIN
    )

    assert response.status_code == 200
    assert 'value="Léane"' in page_of(response)


def test_the_citizen_is_told_which_items_to_correct(
    agent, request_sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ask_corrections(request_sent, agent, ["livret"], "Il manque le livret.")

    (message,) = mail.outbox
    assert "Livret de famille" in message.body
    assert "Il manque le livret." in message.body


# Notification channels.


class RecordingChannel:
    sent = []

    def deliver(self, notification):
        RecordingChannel.sent.append(notification)


@override_settings(
    NOTIFICATION_CHANNELS={
        "email": "cms.notifications.EmailChannel",
        "phone": "tests.services.test_back_office.RecordingChannel",
    }
)
def test_a_citizen_who_prefers_the_phone_is_told_by_that_channel(
    agent, owner, request_sent, django_capture_on_commit_callbacks
):
    RecordingChannel.sent = []
    owner.contact_preference = "phone"
    owner.sms_phone = "+33612345678"
    owner.sms_phone_verified_at = timezone.now()
    owner.save()

    with django_capture_on_commit_callbacks(execute=True):
        submission_change_status(submission=request_sent, status="in_review", author=agent)

    assert not mail.outbox
    (notification,) = RecordingChannel.sent
    assert notification.recipient.phone == "+33612345678"
    assert request_sent.reference in notification.short


def test_without_a_channel_for_the_phone_the_citizen_gets_an_e_mail(
    agent, owner, request_sent, django_capture_on_commit_callbacks
):
    owner.contact_preference = "phone"
    owner.save()

    with django_capture_on_commit_callbacks(execute=True):
        submission_change_status(submission=request_sent, status="in_review", author=agent)

    assert mail.outbox[0].to == [owner.email]


# Assignment.


def test_agent_assigns_a_request_to_a_colleague(as_agent, colleague, request_sent):
    response = as_agent.post(reverse(ASSIGN, args=[request_sent.pk]), {"agent": colleague.pk})

    assert response.status_code == 302
    request_sent.refresh_from_db()
    assert request_sent.assigned_to == colleague
    page = page_of(as_agent.get(reverse(LIST)))
    assert "Paul Collègue" in page


def test_a_request_cannot_be_given_to_someone_of_another_commune(agent, outsider, request_sent):
    with pytest.raises(SubmissionError) as refused:
        submission_assign(submission=request_sent, agent=outsider, author=agent)

    assert str(refused.value) == str(NOT_AN_AGENT) % {"name": "Yvon Ailleurs"}
    request_sent.refresh_from_db()
    assert request_sent.assigned_to is None


def test_queue_filters_mine_and_unassigned_and_counts_each_agents_open_requests(
    as_agent, agent, colleague, school, owner
):
    mine = school_request(school, owner)
    theirs = school_request(school, owner)
    nobodys = school_request(school, owner)
    submission_assign(submission=mine, agent=agent, author=agent)
    submission_assign(submission=theirs, agent=colleague, author=agent)

    only_mine = page_of(as_agent.get(reverse(LIST), {"assigned": "me"}))
    unassigned = page_of(as_agent.get(reverse(LIST), {"assigned": "nobody"}))

    assert mine.reference in only_mine
    assert theirs.reference not in only_mine and nobodys.reference not in only_mine
    assert nobodys.reference in unassigned
    assert mine.reference not in unassigned
    assert "Marie Agent (1 open)" in only_mine
    assert "Paul Collègue (1 open)" in only_mine


def test_bulk_assignment_assigns_every_selected_request(as_agent, colleague, school, owner):
    first, second = school_request(school, owner), school_request(school, owner)
    url = reverse("wagtail_bulk_action", args=["services", "submission", "assign"])

    response = as_agent.post(f"{url}?id={first.pk}&id={second.pk}", {"agent": colleague.pk})

    assert response.status_code == 302
    assert {r.assigned_to_id for r in (first, second) if r.refresh_from_db() is None} == {
        colleague.pk
    }


def test_bulk_status_change_names_the_requests_it_could_not_change(
    as_agent, agent, school, owner, django_capture_on_commit_callbacks
):
    waiting, accepted = school_request(school, owner), school_request(school, owner)
    submission_change_status(submission=accepted, status="accepted", author=agent)
    url = reverse("wagtail_bulk_action", args=["services", "submission", "change_status"])

    response = as_agent.post(
        f"{url}?id={waiting.pk}&id={accepted.pk}",
        {"status": "in_review", "message": ""},
        follow=True,
    )

    waiting.refresh_from_db()
    accepted.refresh_from_db()
    assert waiting.status == SubmissionStatus.IN_REVIEW
    assert accepted.status == SubmissionStatus.ACCEPTED
    assert f"Not changed: {accepted.reference}." in page_of(response)


def test_bulk_action_on_a_request_of_another_commune_changes_nothing(
    client, outsider, colleague, request_sent
):
    client.force_login(outsider)
    url = reverse("wagtail_bulk_action", args=["services", "submission", "assign"])

    response = client.post(f"{url}?id={request_sent.pk}", {"agent": ""})

    assert response.status_code == 404


# Private notes and documents received by post.


def test_notes_stay_between_agents(client, as_agent, owner, request_sent):
    as_agent.post(reverse(NOTE, args=[request_sent.pk]), {"text": "Appeler la famille lundi."})

    admin_page = page_of(as_agent.get(reverse(INSPECT, args=[request_sent.pk])))
    client.force_login(owner)
    citizen_page = page_of(client.get(detail_url(request_sent), **CARVIN))

    assert InternalNote.objects.get().text == "Appeler la famille lundi."
    assert "Appeler la famille lundi." in admin_page
    assert "Appeler la famille lundi." not in citizen_page


def test_an_empty_note_is_refused(as_agent, request_sent):
    response = as_agent.post(reverse(NOTE, args=[request_sent.pk]), {"text": "  "}, follow=True)

    assert not InternalNote.objects.exists()
    assert "This field is required." in page_of(response)


def test_agent_ticks_a_document_received_by_post(as_agent, request_sent):
    as_agent.post(reverse(BY_POST, args=[request_sent.pk]), {"key": "livret", "received": "on"})

    request_sent.refresh_from_db()
    assert request_sent.received_by_post["livret"]["by"] == "Marie Agent"
    page = page_of(as_agent.get(reverse(INSPECT, args=[request_sent.pk])))
    assert "Received by post on" in page


def test_only_a_document_promised_by_post_can_be_ticked(as_agent, request_sent):
    response = as_agent.post(
        reverse(BY_POST, args=[request_sent.pk]), {"key": "domicile", "received": "on"}, follow=True
    )

    request_sent.refresh_from_db()
    assert request_sent.received_by_post == {}
    assert "This document was not promised by post." in page_of(response)


# Message templates.


def test_supervisor_writes_a_template_that_agents_use_filled_for_the_request(
    client, carvin, supervisor, agent, request_sent
):
    client.force_login(supervisor)
    client.post(
        reverse(f"{TEMPLATES}:add"),
        {
            "site": carvin.pk,
            "status": "accepted",
            "title": "Inscription validée",
            "body": "Bonjour {prenom} {nom}, votre demande {reference} ({demarche}) est validée.",
        },
    )
    client.force_login(agent)

    page = page_of(client.get(reverse(STATUS, args=[request_sent.pk])))

    assert MessageTemplate.objects.filter(site=carvin, title="Inscription validée").exists()
    expected = f"Bonjour Amélie Lire, votre demande {request_sent.reference} (Inscription scolaire)"
    assert escape(expected) in page


def test_a_template_with_an_unknown_placeholder_is_refused(client, carvin, supervisor):
    client.force_login(supervisor)

    response = client.post(
        reverse(f"{TEMPLATES}:add"),
        {"site": carvin.pk, "status": "rejected", "title": "Refus", "body": "Cher {civilite},"},
    )

    assert response.status_code == 200
    assert "Unknown placeholder: {civilite}" in page_of(response)
    assert not MessageTemplate.objects.exists()


def test_a_template_link_fills_the_status_form_without_javascript(
    client, carvin, agent, request_sent
):
    template = MessageTemplate.objects.create(
        site=carvin, status="incomplete", title="Pièce manquante", body="Il manque {demarche}."
    )
    client.force_login(agent)

    page = page_of(client.get(reverse(STATUS, args=[request_sent.pk]), {"template": template.pk}))

    assert "Il manque Inscription scolaire.</textarea>" in page
    assert re.search(r'value="incomplete"[^>]*checked', page)


def test_agents_use_templates_but_do_not_edit_them(client, carvin, agent):
    template = MessageTemplate.objects.create(
        site=carvin, status="accepted", title="Validée", body="C'est fait."
    )
    client.force_login(agent)

    response = client.get(reverse(f"{TEMPLATES}:edit", args=[template.pk]))
    client.post(
        reverse(f"{TEMPLATES}:edit", args=[template.pk]),
        {"site": carvin.pk, "status": "accepted", "title": "Validée", "body": "Changé"},
    )

    assert response.status_code in (302, 403, 404)
    template.refresh_from_db()
    assert template.body == "C'est fait."


def test_templates_of_another_commune_are_out_of_reach(client, carvin, outsider):
    template = MessageTemplate.objects.create(
        site=carvin, status="accepted", title="Validée à Carvin", body="C'est fait."
    )
    client.force_login(outsider)

    listing = page_of(client.get(reverse(f"{TEMPLATES}:list")))
    edit = client.get(reverse(f"{TEMPLATES}:edit", args=[template.pk]))

    assert "Validée à Carvin" not in listing
    assert edit.status_code == 404


# The request's page: the answers, and beside them what agents do to it.


def side_column_of(page: str) -> str:
    return page.split('class="request-page__side"', 1)[1]


def main_column_of(page: str) -> str:
    return page.split('class="request-page__main"', 1)[1].split('class="request-page__side"', 1)[0]


def test_the_status_form_assignment_and_notes_are_in_the_side_column(as_agent, request_sent):
    page = page_of(as_agent.get(reverse(INSPECT, args=[request_sent.pk])))

    side, main = side_column_of(page), main_column_of(page)
    assert "data-status-form" in side
    assert reverse(ASSIGN, args=[request_sent.pk]) in side
    assert reverse(NOTE, args=[request_sent.pk]) in side
    assert 'id="answers-heading"' in main
    assert 'id="history-heading"' in main


def test_staff_are_named_by_their_names_or_else_their_login(
    client, carvin, agent, supervisor, request_sent
):
    nameless = staff(carvin, "Agents", "agent.sans.nom")
    submission_assign(submission=request_sent, agent=agent, author=agent)
    submission_change_status(submission=request_sent, status="in_review", author=agent)
    InternalNote.objects.create(submission=request_sent, author=nameless, text="Vu.")
    client.force_login(supervisor)

    page = page_of(client.get(reverse(INSPECT, args=[request_sent.pk])))
    side, main = side_column_of(page), main_column_of(page)

    assert f'<option value="{agent.pk}" selected>Marie Agent</option>' in side
    assert "<strong>agent.sans.nom</strong>" in side
    assert "Marie Agent" in main.split('id="history-heading"', 1)[1]
    assert ">marie<" not in page


def decided(request, agent):
    submission_change_status(submission=request, status="accepted", author=agent)
    request.refresh_from_db()
    return request


def test_supervisor_reopens_a_decision_with_a_reason_kept_for_the_agents(
    client, owner, agent, supervisor, request_sent
):
    decided(request_sent, agent)
    client.force_login(supervisor)

    response = client.post(
        reverse(REOPEN, args=[request_sent.pk]), {"reason": "Validée par erreur."}
    )

    assert response.status_code == 302
    request_sent.refresh_from_db()
    assert request_sent.status == SubmissionStatus.IN_REVIEW
    last = request_sent.history.last()
    assert (last.previous_status, last.author, last.reason) == (
        "accepted",
        supervisor,
        "Validée par erreur.",
    )
    client.force_login(agent)
    page = page_of(client.get(reverse(INSPECT, args=[request_sent.pk])))
    assert "Validée par erreur." in page
    assert "data-status-form" in side_column_of(page)
    client.force_login(owner)
    citizen_page = page_of(client.get(detail_url(request_sent), **CARVIN))
    summary = citizen_page.split('class="history"', 1)[0]
    assert re.search(r'class="status-badge status-badge--\w+">En instruction</span>', summary)
    assert "Validée par erreur." not in citizen_page


def test_agents_cannot_reopen_a_decision(as_agent, agent, request_sent):
    decided(request_sent, agent)

    page = page_of(as_agent.get(reverse(INSPECT, args=[request_sent.pk])))
    response = as_agent.post(reverse(REOPEN, args=[request_sent.pk]), {"reason": "Erreur."})

    assert "data-reopen-form" not in page
    assert "only a supervisor may reopen it" in page
    assert (response.status_code, response.get("Location")) in ((302, "/admin/"), (403, None))
    request_sent.refresh_from_db()
    assert request_sent.status == SubmissionStatus.ACCEPTED


def test_supervisor_is_offered_the_reopening_of_a_decision_only(
    client, agent, supervisor, request_sent
):
    client.force_login(supervisor)
    open_page = page_of(client.get(reverse(INSPECT, args=[request_sent.pk])))
    decided(request_sent, agent)
    decided_page = page_of(client.get(reverse(INSPECT, args=[request_sent.pk])))

    assert "data-reopen-form" not in open_page
    assert "data-reopen-form" in side_column_of(decided_page)


def test_a_supervisor_of_another_commune_cannot_reopen(client, agent, outsider, request_sent):
    decided(request_sent, agent)
    client.force_login(outsider)

    response = client.post(reverse(REOPEN, args=[request_sent.pk]), {"reason": "Erreur."})

    assert response.status_code == 404
    request_sent.refresh_from_db()
    assert request_sent.status == SubmissionStatus.ACCEPTED


def test_reopening_needs_a_reason_and_a_decided_request(agent, supervisor, request_sent):
    with pytest.raises(SubmissionError) as open_request:
        submission_reopen(submission=request_sent, author=supervisor, reason="Erreur.")
    decided(request_sent, agent)
    with pytest.raises(SubmissionError) as no_reason:
        submission_reopen(submission=request_sent, author=supervisor, reason="  ")

    assert str(open_request.value) == str(REOPEN_NOT_FINAL)
    assert str(no_reason.value) == str(REOPEN_REASON_REQUIRED)


def test_reopening_without_a_reason_says_so_on_the_request_page(
    client, agent, supervisor, request_sent
):
    decided(request_sent, agent)
    client.force_login(supervisor)

    response = client.post(reverse(REOPEN, args=[request_sent.pk]), {"reason": ""}, follow=True)

    assert "This field is required." in page_of(response)
    request_sent.refresh_from_db()
    assert request_sent.status == SubmissionStatus.ACCEPTED


# The log of agents' actions.


def test_every_agent_action_on_a_request_is_logged(as_agent, agent, colleague, request_sent):
    attachment = request_sent.data["domicile"]["attachment"]
    as_agent.get(reverse(INSPECT, args=[request_sent.pk]))
    as_agent.get(reverse(DOWNLOAD, args=[request_sent.pk, attachment]))
    as_agent.post(reverse(ASSIGN, args=[request_sent.pk]), {"agent": colleague.pk})
    as_agent.post(reverse(NOTE, args=[request_sent.pk]), {"text": "Vu."})
    as_agent.post(reverse(STATUS, args=[request_sent.pk]), {"status": "in_review"})

    entries = AuditLogEntry.objects.filter(object_id=str(request_sent.pk)).order_by("pk")
    assert [e.action for e in entries] == [
        "services.view",
        "services.download",
        "services.assign",
        "services.note",
        "services.status",
    ]
    assert {e.user_id for e in entries} == {agent.pk}
    assert {e.site_id for e in entries} == {request_sent.site_id}
    assert entries.get(action="services.status").data == {
        "from": "submitted",
        "to": "in_review",
        "items": [],
        "names": ["En cours", "En instruction"],
        "reopened": False,
    }


def test_supervisors_read_the_log_of_their_commune_only(
    client, as_agent, supervisor, outsider, request_sent
):
    as_agent.get(reverse(INSPECT, args=[request_sent.pk]))
    client.force_login(supervisor)

    own = client.get(reverse("cms_audit"))
    client.force_login(outsider)
    other = page_of(client.get(reverse("cms_audit")))

    assert own.status_code == 200
    assert request_sent.reference in page_of(own)
    assert "Marie Agent" in page_of(own)
    assert request_sent.reference not in other


def test_the_log_names_the_status_set_and_links_to_the_request(
    client, agent, supervisor, request_sent
):
    submission_change_status(submission=request_sent, status="in_review", author=agent)
    decided(request_sent, agent)
    submission_reopen(submission=request_sent, author=supervisor, reason="Erreur.")
    client.force_login(supervisor)

    page = page_of(client.get(reverse("cms_audit")))

    assert escape("Changed the status: “En cours” → “En instruction”") in page
    assert escape("Changed the status: “En instruction” → “Validé”") in page
    assert escape("Reopened the request: “Validé” → “En instruction”") in page
    assert f'<a href="{reverse(INSPECT, args=[request_sent.pk])}">{request_sent.reference}' in page
    export = client.get(reverse("cms_audit"), {"export": "csv"})
    rows = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "Reopened the request: “Validé” → “En instruction”" in rows


def test_agents_do_not_read_the_log(as_agent, request_sent):
    response = as_agent.get(reverse("cms_audit"))

    assert response.status_code in (302, 403)


# Accounts awaiting validation, with the requests they already made.


def test_pending_account_shows_the_requests_it_already_made(client, carvin, agent, school):
    pending = citizen(carvin, "Jean", "Attente", validated=False, members=[member()])
    sent = school_request(school, pending)
    client.force_login(agent)

    listing = page_of(client.get(reverse("wagtailsnippets_accounts_citizenaccount:list")))
    page = page_of(
        client.get(reverse("wagtailsnippets_accounts_citizenaccount:inspect", args=[pending.pk]))
    )

    assert "Requests already made" in page
    assert sent.reference in page
    assert reverse(INSPECT, args=[sent.pk]) in page
    assert "Requests" in listing


def test_validating_an_account_is_logged(client, carvin, agent):
    pending = citizen(carvin, "Jean", "Attente", validated=False)
    client.force_login(agent)

    client.post(reverse("wagtailsnippets_accounts_citizenaccount:validate", args=[pending.pk]))

    entry = AuditLogEntry.objects.get(action="accounts.validated")
    assert entry.object_id == str(pending.pk)
    assert entry.site_id == carvin.pk
    assert entry.user_id == agent.pk


def test_a_status_change_message_reaches_the_citizen_page(client, owner, agent, request_sent):
    submission_change_status(
        submission=request_sent, status="accepted", author=agent, message="Bienvenue à l'école."
    )
    client.force_login(owner)

    page = page_of(client.get(detail_url(request_sent), **CARVIN))

    assert "Bienvenue à l&#x27;école." in page
    assert StatusChange.objects.filter(submission=request_sent, status="accepted").exists()


def test_supervisor_reads_the_history_of_a_template(client, carvin, supervisor):
    client.force_login(supervisor)
    client.post(
        reverse(f"{TEMPLATES}:add"),
        {"site": carvin.pk, "status": "accepted", "title": "Validée", "body": "C'est fait."},
    )
    template = MessageTemplate.objects.get()

    response = client.get(reverse(f"{TEMPLATES}:history", args=[template.pk]))

    assert response.status_code == 200
    assert "Claire Chef" in page_of(response)
