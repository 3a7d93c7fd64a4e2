"""The agents' search of requests looks into their answers too, whatever
the case and accents, and never keeps what anonymisation erased."""

from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from services.corrections import correction_form, submission_correct
from services.models import Submission
from services.retention import submission_anonymise
from services.search import search_normalise
from services.selectors import submissions_matching, submissions_visible_to
from services.services import submission_change_status
from tests.services.factories import service_page
from tests.services.test_back_office import staff
from tests.services.tracking_factories import parent, school_request

LIST = "wagtailsnippets_services_submission:list"


@pytest.fixture
def agent(carvin):
    return staff(carvin, "Agents", "marie", first_name="Marie", last_name="Agent")


@pytest.fixture
def school(carvin):
    return service_page(carvin)


@pytest.fixture
def owner(carvin):
    return parent(carvin)


def found(user, query):
    return set(submissions_matching(submissions_visible_to(user=user), query))


def test_the_queue_finds_a_word_typed_in_an_answer(client, agent, school, owner):
    request = school_request(school, owner, allergies="Badge AB-123-CD perdu")
    other = school_request(school, parent(school.get_site(), "Bruno"), allergies="Gluten")
    client.force_login(agent)

    page = client.get(reverse(LIST), {"q": "ab-123-cd", "status": "all"}).content.decode()

    assert request.reference in page
    assert other.reference not in page


def test_search_ignores_case_and_accents_and_reads_choice_labels(agent, school, owner):
    request = school_request(school, owner, allergies="Crème brûlée, ŒUFS")

    assert found(agent, "CREME Brulee") == {request}
    assert found(agent, "oeufs") == {request}
    assert found(agent, "cp") == {request}  # the label of the class chosen
    assert found(agent, "amélie creme") == {request}  # the requester and an answer
    assert found(agent, "creme gluten") == set()
    assert search_normalise("  Élodie\tLEFÈVRE ") == "elodie lefevre"


def test_search_never_finds_requests_of_another_commune(agent, saint_andre):
    page = service_page(saint_andre)
    elsewhere = school_request(page, parent(saint_andre), allergies="Plaque GZ-481-QX")

    assert found(agent, "gz-481-qx") == set()
    outsider = staff(saint_andre, "Agents", "yvon")
    assert found(outsider, "gz-481-qx") == {elsewhere}


def test_a_correction_updates_what_the_search_finds(client, agent, school, owner):
    request = school_request(school, owner)
    submission_change_status(
        submission=request, status="incomplete", author=agent, requested=["prenom"]
    )
    request.refresh_from_db()
    form = correction_form(request, data={"prenom": "Zéphyrine"})
    assert form.is_valid(), form.errors

    submission_correct(submission=request, form=form)

    assert found(agent, "zephyrine") == {request}


def test_a_renamed_account_is_found_by_its_new_name(agent, school, owner):
    request = school_request(school, owner)
    owner.last_name = "Dufrêne"
    owner.save()

    assert found(agent, "dufrene") == {request}


def test_anonymisation_leaves_only_the_number_to_search(agent, school, owner):
    request = school_request(school, owner, allergies="Badge AB-123-CD")
    for status in ("in_review", "accepted"):
        submission_change_status(submission=request, status=status, author=agent, message="Ok")

    submission_anonymise(submission=request)

    request.refresh_from_db()
    assert request.search_text == request.reference.lower()
    assert found(agent, "ab-123-cd") == set()
    assert found(agent, "amelie") == set()
    assert found(agent, request.reference) == {request}


def test_the_migration_writes_the_search_texts_of_requests_already_sent(agent, school, owner):
    request = school_request(school, owner, allergies="Badge AB-123-CD")
    Submission.objects.filter(pk=request.pk).update(search_text="")
    migration = import_module("services.migrations.0010_search_saved_filters_alerts")

    migration.fill_search_texts(django_apps, None)

    assert found(agent, "ab-123-cd") == {request}
