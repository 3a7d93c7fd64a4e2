"""Agents process the requests of their own commune in the Wagtail admin."""

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from wagtail.models import GroupSitePermission
from wagtail.users.models import UserProfile

from accounts.models import User
from services.models import StatusChange, Submission, SubmissionStatus
from services.services import (
    ITEMS_OR_MESSAGE_REQUIRED,
    TRANSITION_REFUSED,
    Contact,
    submission_change_status,
    submission_start,
)
from tests.accounts.factories import citizen, member
from tests.services.factories import BIRTH_FORM, PDF, service_page, submission

LIST = "wagtailsnippets_services_submission:list"
INSPECT = "wagtailsnippets_services_submission:inspect"
STATUS = "wagtailsnippets_services_submission:status"
DOWNLOAD = "wagtailsnippets_services_submission:download"


def working_in_english(user):
    """Staff choose the admin's language in their profile; English keeps the
    assertions readable whatever the French catalogue says."""
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


def english(message, **params) -> str:
    with translation.override("en"):
        return escape(str(message) % params if params else str(message))


def sent_on(request, *when):
    Submission.objects.filter(pk=request.pk).update(submitted_at=datetime(*when, tzinfo=UTC))
    return request


def download_url(request, key):
    return reverse(DOWNLOAD, args=[request.pk, request.data[key]["attachment"]])


@pytest.fixture
def agent(carvin, saint_andre, staff_of):
    return working_in_english(staff_of(carvin, "Agents"))


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def other_agent_client(client, saint_andre, staff_of):
    client.force_login(working_in_english(staff_of(saint_andre, "Agents")))
    return client


@pytest.fixture
def school(carvin):
    return service_page(carvin)


@pytest.fixture
def family(carvin):
    return citizen(carvin, "Amélie", "Lire", validated=True, members=[member()])


@pytest.fixture
def enrolment(school, family):
    """A school enrolment for a child, one document attached, one promised by post."""
    child = family.household_members.get()
    return submission(
        school,
        family,
        member=child,
        data={
            "enfant": {"id": child.pk, "first_name": "Léa", "last_name": "Lire"},
            "prenom": "Léa",
            "classe": "CP",
            "allergies": False,
            "livret": {"by_post": True},
            "certifie": True,
        },
        files={"domicile": ("facture-edf.pdf", PDF, "application/pdf")},
    )


@pytest.fixture
def elsewhere(saint_andre):
    page = service_page(saint_andre, "Réservation de salle")
    return submission(page, citizen(saint_andre, "Yann", "Le Goff", validated=True))


def test_commune_agents_hold_the_request_permissions_for_their_own_commune_only(
    carvin, saint_andre
):
    def granted(group_name):
        return set(
            GroupSitePermission.objects.filter(group__name=group_name).values_list(
                "site__site_name", "permission__codename"
            )
        )

    assert {("Carvin", "view_submission"), ("Carvin", "change_submission")} <= granted(
        "Carvin — Agents"
    )
    assert "Saint-André-des-Eaux" not in {site for site, _ in granted("Carvin — Agents")}
    assert not {name for _, name in granted("Carvin — Communication") if "submission" in name}
    assert not Group.objects.get(name="Carvin — Agents").permissions.filter(
        codename__endswith="submission"
    )


def test_agent_lists_the_requests_of_their_commune_only_and_never_drafts(
    agent_client, carvin, school, enrolment, elsewhere, family
):
    draft = submission_start(site=carvin, page=school, account=family)

    response = agent_client.get(reverse(LIST))

    html = response.content.decode()
    assert response.status_code == 200
    assert enrolment.reference in html
    assert "Inscription scolaire" in html
    assert "Amélie Lire" in html
    assert "Léa Lire" in html
    # The standard workflow's names are the commune's, in French.
    assert "En cours" in html
    assert elsewhere.reference not in html
    assert "Le Goff" not in html
    assert reverse(INSPECT, args=[draft.pk]) not in html
    assert reverse(INSPECT, args=[enrolment.pk]) in html


def test_queue_shows_what_needs_action_the_longest_waiting_at_the_top(
    agent, agent_client, school, family
):
    recent = sent_on(submission(school, family), 2026, 3, 1)
    oldest = sent_on(submission(school, family), 2026, 1, 5)
    reviewed = sent_on(submission(school, family), 2026, 2, 1)
    submission_change_status(submission=reviewed, status="in_review", author=agent)
    decided = sent_on(submission(school, family), 2025, 12, 1)
    submission_change_status(submission=decided, status=SubmissionStatus.ACCEPTED, author=agent)
    waiting_for_citizen = submission(school, family)
    submission_change_status(
        submission=waiting_for_citizen, status="incomplete", author=agent, message="Illisible"
    )

    html = agent_client.get(reverse(LIST)).content.decode()
    everything = agent_client.get(reverse(LIST), {"status": "all"}).content.decode()

    positions = [html.index(request.reference) for request in (oldest, reviewed, recent)]
    assert positions == sorted(positions)
    assert decided.reference not in html
    assert waiting_for_citizen.reference not in html
    assert decided.reference in everything
    assert waiting_for_citizen.reference in everything
    assert everything.index(decided.reference) < everything.index(oldest.reference)


def test_listing_filters_by_status(agent, agent_client, school, family):
    waiting = submission(school, family)
    accepted = submission(school, family)
    submission_change_status(submission=accepted, status=SubmissionStatus.ACCEPTED, author=agent)

    html = agent_client.get(reverse(LIST), {"status": "accepted"}).content.decode()

    assert accepted.reference in html
    assert waiting.reference not in html


def test_status_filter_offers_no_draft(agent_client):
    html = agent_client.get(reverse(LIST)).content.decode()

    assert 'value="in_review"' in html
    assert 'value="draft"' not in html


def test_listing_filters_by_demarche_among_those_of_the_commune(
    agent_client, carvin, school, family, elsewhere
):
    room = service_page(carvin, "Réservation de salle", category="Vie associative")
    enrolment = submission(school, family)
    booking = submission(room, family)

    listing = agent_client.get(reverse(LIST)).content.decode()
    html = agent_client.get(reverse(LIST), {"page": room.pk}).content.decode()

    assert f'value="{room.pk}"' in listing
    assert f'value="{elsewhere.page_id}"' not in listing
    assert booking.reference in html
    assert enrolment.reference not in html


def test_listing_filters_by_date_sent(agent_client, school, family):
    january = sent_on(submission(school, family), 2026, 1, 15, 10)
    march = sent_on(submission(school, family), 2026, 3, 15, 10)

    html = agent_client.get(
        reverse(LIST), {"submitted_at_from": "2026-03-01", "submitted_at_to": "2026-03-31"}
    ).content.decode()

    assert march.reference in html
    assert january.reference not in html


@pytest.mark.parametrize("query", ["lire", "lire@example.org", "{reference}"])
def test_agent_finds_a_request_by_number_name_or_email(agent_client, carvin, school, family, query):
    found = submission(school, family)
    other = submission(school, citizen(carvin, "Bertrand", "Noir", validated=True))

    html = agent_client.get(
        reverse(LIST), {"q": query.format(reference=found.reference)}
    ).content.decode()

    assert found.reference in html
    assert other.reference not in html


def test_agent_finds_a_request_made_without_an_account_by_its_contact(agent_client, carvin):
    birth = service_page(carvin, "Acte de naissance", BIRTH_FORM, requires_account=False)
    request = submission(
        birth,
        data={"nom": "Durand"},
        contact=Contact(first_name="Paul", last_name="Durand", email="paul@example.org"),
    )

    html = agent_client.get(reverse(LIST), {"q": "paul@example"}).content.decode()

    assert request.reference in html


def test_nobody_adds_edits_or_deletes_a_request(agent_client, enrolment):
    base = reverse(LIST)

    assert agent_client.get(f"{base}add/").status_code == 404
    assert agent_client.get(f"{base}edit/{enrolment.pk}/").status_code == 404
    assert agent_client.get(f"{base}delete/{enrolment.pk}/").status_code == 404
    assert Submission.objects.filter(pk=enrolment.pk).exists()


def test_detail_shows_the_answers_in_form_order_and_the_documents(agent_client, family, enrolment):
    response = agent_client.get(reverse(INSPECT, args=[enrolment.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert enrolment.reference in html
    labels = ["Pour quel enfant ?", "Classe", "Justificatif de domicile", "Livret de famille"]
    positions = [html.index(escape(label)) for label in labels]
    assert positions == sorted(positions)
    assert "CP" in html
    assert download_url(enrolment, "domicile") in html
    assert "facture-edf.pdf" in html
    assert "Will be sent by post" in html
    assert reverse("wagtailsnippets_accounts_citizenaccount:inspect", args=[family.pk]) in html
    assert "The requester" in html


def test_detail_of_a_request_without_account_shows_the_contact(agent_client, carvin):
    birth = service_page(carvin, "Acte de naissance", BIRTH_FORM, requires_account=False)
    request = submission(
        birth,
        data={"nom": "Durand", "exemplaires": 2},
        contact=Contact(
            first_name="Paul", last_name="Durand", email="paul@example.org", phone="0321000000"
        ),
    )

    html = agent_client.get(reverse(INSPECT, args=[request.pk])).content.decode()

    assert "Paul Durand" in html
    assert "paul@example.org" in html
    assert "Without an account" in html


def test_agent_downloads_a_document_as_an_attachment(agent_client, enrolment):
    response = agent_client.get(download_url(enrolment, "domicile"))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert "facture-edf.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF
    assert "no-store" in response["Cache-Control"]


def test_agent_of_another_commune_gets_404_everywhere(other_agent_client, enrolment):
    url = download_url(enrolment, "domicile")

    assert other_agent_client.get(reverse(INSPECT, args=[enrolment.pk])).status_code == 404
    assert other_agent_client.get(reverse(STATUS, args=[enrolment.pk])).status_code == 404
    assert other_agent_client.get(url).status_code == 404
    refused = other_agent_client.post(
        reverse(STATUS, args=[enrolment.pk]), {"status": "accepted", "message": "Oui"}
    )
    assert refused.status_code == 404
    enrolment.refresh_from_db()
    assert enrolment.status == SubmissionStatus.SUBMITTED


def test_download_of_another_requests_document_is_404(agent_client, school, family, enrolment):
    other = submission(school, family)

    url = reverse(DOWNLOAD, args=[other.pk, enrolment.data["domicile"]["attachment"]])

    assert agent_client.get(url).status_code == 404


def test_communication_staff_have_no_access(client, carvin, staff_of, enrolment):
    client.force_login(staff_of(carvin, "Communication"))

    listing = client.get(reverse(LIST))
    inspect = client.get(reverse(INSPECT, args=[enrolment.pk]))
    status = client.post(reverse(STATUS, args=[enrolment.pk]), {"status": "accepted"})
    download = client.get(download_url(enrolment, "domicile"))
    home = client.get(reverse("wagtailadmin_home"))

    assert listing.status_code in (302, 403)
    assert inspect.status_code in (302, 403, 404)
    assert status.status_code in (302, 403, 404)
    assert download.status_code in (302, 403, 404)
    assert enrolment.reference not in listing.content.decode()
    assert reverse(LIST) not in home.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.status == SubmissionStatus.SUBMITTED


def test_agent_sees_the_requests_menu(agent_client):
    home = agent_client.get(reverse("wagtailadmin_home"))

    assert reverse(LIST) in home.content.decode()


def test_superuser_sees_the_requests_of_every_commune(client, enrolment, elsewhere):
    admin = User.objects.create_superuser(username="platform", password="a-long-password-1")
    client.force_login(working_in_english(admin))

    html = client.get(reverse(LIST)).content.decode()

    assert enrolment.reference in html
    assert elsewhere.reference in html
    assert "Saint-André-des-Eaux" in html


def test_detail_offers_only_the_allowed_transitions(agent, agent_client, enrolment):
    submission_change_status(
        submission=enrolment, status=SubmissionStatus.INCOMPLETE, author=agent, message="Manque"
    )

    html = agent_client.get(reverse(INSPECT, args=[enrolment.pk])).content.decode()

    assert reverse(STATUS, args=[enrolment.pk]) in html
    assert 'value="complete"' in html
    assert 'value="accepted"' not in html
    assert 'value="incomplete"' not in html


def test_agent_changes_the_status_and_the_citizen_gets_the_message(
    agent, agent_client, enrolment, django_capture_on_commit_callbacks
):
    message = "Votre dossier est complet, nous l'examinons."

    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post(
            reverse(STATUS, args=[enrolment.pk]), {"status": "in_review", "message": message}
        )

    enrolment.refresh_from_db()
    change = enrolment.history.last()
    assert response.status_code == 302
    assert response["Location"] == reverse(INSPECT, args=[enrolment.pk])
    assert enrolment.status == SubmissionStatus.IN_REVIEW
    assert (change.status, change.previous_status) == ("in_review", "submitted")
    assert change.author == agent
    assert change.message == message
    assert [email.to for email in mail.outbox] == [[enrolment.account.email]]
    assert enrolment.reference in mail.outbox[0].subject
    assert message in mail.outbox[0].body

    detail = agent_client.get(reverse(INSPECT, args=[enrolment.pk])).content.decode()
    assert escape(message) in detail
    assert "En instruction" in detail
    assert agent.username in detail


def test_incomplete_status_requires_items_or_a_message(agent_client, enrolment):
    response = agent_client.post(
        reverse(STATUS, args=[enrolment.pk]), {"status": "incomplete", "message": "  "}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert english(ITEMS_OR_MESSAGE_REQUIRED) in html
    enrolment.refresh_from_db()
    assert enrolment.status == SubmissionStatus.SUBMITTED
    assert not StatusChange.objects.filter(submission=enrolment, status="incomplete").exists()
    assert not mail.outbox


def test_forbidden_transition_is_refused_with_the_reason(agent, agent_client, enrolment):
    submission_change_status(submission=enrolment, status=SubmissionStatus.ACCEPTED, author=agent)

    response = agent_client.post(
        reverse(STATUS, args=[enrolment.pk]), {"status": "rejected", "message": "Non"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert english(TRANSITION_REFUSED, current="Validé", new="Refusé") in html
    enrolment.refresh_from_db()
    assert enrolment.status == SubmissionStatus.ACCEPTED


def test_status_change_messages_are_french_by_default(client, carvin, staff_of, enrolment):
    client.force_login(staff_of(carvin, "Agents"))

    response = client.post(
        reverse(STATUS, args=[enrolment.pk]), {"status": "incomplete", "message": ""}
    )

    with translation.override("fr"):
        expected = escape(str(ITEMS_OR_MESSAGE_REQUIRED))
    assert response.status_code == 200
    assert expected in response.content.decode()


def test_only_supervisors_export_the_queue(agent_client, client, carvin, staff_of, enrolment):
    agent_page = agent_client.get(reverse(LIST)).content.decode()
    agent_export = agent_client.get(reverse(LIST), {"export": "csv"})
    client.force_login(staff_of(carvin, "Supervisors"))

    supervisor_page = client.get(reverse(LIST)).content.decode()

    assert "export=csv" not in agent_page
    assert not agent_export.streaming
    assert "export=csv" in supervisor_page


def test_supervisor_exports_the_requests_of_their_commune(
    client, carvin, staff_of, enrolment, elsewhere
):
    client.force_login(staff_of(carvin, "Supervisors"))

    response = client.get(reverse(LIST), {"export": "csv", "status": "all"})

    content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert response.status_code == 200
    assert enrolment.reference in content
    assert "Amélie Lire" in content
    assert elsewhere.reference not in content


def test_the_generic_bulk_delete_of_snippets_does_not_delete_requests(agent_client, enrolment):
    url = reverse("wagtail_bulk_action", args=["services", "submission", "delete"])

    agent_client.post(f"{url}?id={enrolment.pk}")

    assert Submission.objects.filter(pk=enrolment.pk).exists()


def test_the_queue_offers_its_own_bulk_actions_and_not_the_generic_delete(agent_client, enrolment):
    page = agent_client.get(reverse(LIST)).content.decode()

    for action in ("assign", "change_status"):
        assert reverse("wagtail_bulk_action", args=["services", "submission", action]) in page
    assert reverse("wagtail_bulk_action", args=["services", "submission", "delete"]) not in page
    assert 'data-bulk-action-footer="SNIPPET"' in page
