"""Municipal services: démarches routed to a service by their answers, agents
who see only their services' requests, transfers between services, and the
supervisors' screen of the services."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield
from wagtail.users.models import UserProfile

from accounts.models import User
from cms.models import AuditLogEntry
from services.corrections import correction_form, submission_correct
from services.models import MunicipalService, RoutingRule, ServicePage, ServiceTransfer
from services.routing import ROUTING_FIELD_UNKNOWN, routing_rule_errors
from services.selectors import procedure_submissions, submissions_matching, submissions_visible_to
from services.services import (
    TRANSFER_NOTE_REQUIRED,
    SubmissionError,
    submission_assign,
    submission_change_status,
    submission_transfer,
)
from tests.accounts.factories import citizen
from tests.services.factories import field, service_page, step, submission

LIST = "wagtailsnippets_services_submission:list"
INSPECT = "wagtailsnippets_services_submission:inspect"
NOTE = "wagtailsnippets_services_submission:note"
ASSIGN = "wagtailsnippets_services_submission:assign"
TRANSFER = "wagtailsnippets_services_submission:transfer"
SERVICES = "wagtailsnippets_services_municipalservice"
CARVIN = {"HTTP_HOST": "carvin.localhost"}

ROAD_FORM = [
    step(
        "Le problème",
        field(
            "choice",
            "Type de problème",
            "nature",
            choices="Éclairage public en panne\nChaussée abîmée\nAutre",
        ),
        field("yes_no", "Danger ?", "danger"),
        field("long_text", "Description", "description"),
    )
]


def staff(site, role, username, first_name="", last_name=""):
    user = User.objects.create_user(
        username=username,
        password="a-long-password-1",
        email=f"{username}@mairie.test",
        first_name=first_name,
        last_name=last_name,
    )
    user.groups.add(Group.objects.get(name=f"{site.site_name} — {role}"))
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


@pytest.fixture
def technical(carvin):
    return MunicipalService.objects.create(site=carvin, name="Services techniques")


@pytest.fixture
def civil(carvin):
    return MunicipalService.objects.create(site=carvin, name="État civil")


@pytest.fixture
def technician(carvin, technical):
    user = staff(carvin, "Agents", "julien", "Julien", "Delattre")
    technical.agents.add(user)
    return user


@pytest.fixture
def registrar(carvin, civil):
    user = staff(carvin, "Agents", "sophie", "Sophie", "Lefebvre")
    civil.agents.add(user)
    return user


@pytest.fixture
def agent(carvin):
    """An agent of no service: the whole commune, as before services."""
    return staff(carvin, "Agents", "marie", "Marie", "Agent")


@pytest.fixture
def supervisor(carvin, technical):
    user = staff(carvin, "Supervisors", "chef", "Claire", "Chef")
    technical.agents.add(user)
    return user


@pytest.fixture
def road(carvin, technical, civil):
    """Lighting goes to the technical services, any danger then to the civil
    status office (a rule that only the order keeps from lighting), the rest
    to nobody in particular."""
    page = service_page(carvin, "Signalement", form=ROAD_FORM)
    page.routing_rules = [
        RoutingRule(field="nature", value="Éclairage public en panne", service=technical),
        RoutingRule(field="danger", value="Oui", service=civil),
    ]
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@pytest.fixture
def resident(carvin):
    return citizen(carvin, "Amélie", validated=True)


def report(page, account, nature, danger=False, description="Rue sombre"):
    return submission(
        page, account, data={"nature": nature, "danger": danger, "description": description}
    )


# --- Routing -----------------------------------------------------------------------


def test_the_first_matching_rule_wins(road, resident, technical):
    request = report(road, resident, "Éclairage public en panne", danger=True)

    assert request.municipal_service == technical


def test_a_later_rule_routes_what_earlier_rules_do_not_match(road, resident, civil):
    request = report(road, resident, "Autre", danger=True)

    assert request.municipal_service == civil


def test_without_a_matching_rule_the_demarche_s_own_service_takes_the_request(
    road, resident, civil, technical
):
    assert report(road, resident, "Autre").municipal_service is None
    road.municipal_service = technical
    road.save_revision().publish()

    assert report(road, resident, "Chaussée abîmée").municipal_service == technical


def test_a_corrected_request_stays_with_its_service(road, resident, technical):
    request = report(road, resident, "Éclairage public en panne")
    submission_change_status(
        submission=request, status="incomplete", author=None, requested=["description"]
    )
    request.refresh_from_db()
    form = correction_form(request, {"description": "Trois lampadaires éteints"})
    assert form.is_valid(), form.errors

    submission_correct(submission=request, form=form)

    request.refresh_from_db()
    assert request.municipal_service == technical
    assert request.data["description"] == "Trois lampadaires éteints"


def test_a_rule_must_name_a_field_of_the_form_and_an_answer_it_offers(road):
    blocks = {block.key: block for s in road.steps for block in s.blocks}

    assert (
        routing_rule_errors(blocks=blocks, field="nature", value="éclairage PUBLIC en panne") == {}
    )
    assert routing_rule_errors(blocks=blocks, field="danger", value="non") == {}
    assert routing_rule_errors(blocks=blocks, field="description", value="noir") == {}
    assert routing_rule_errors(blocks=blocks, field="lieu", value="Gare") == {
        "field": ROUTING_FIELD_UNKNOWN % {"key": "lieu"}
    }
    with translation.override("fr"):
        (message,) = routing_rule_errors(blocks=blocks, field="nature", value="Arbre").values()
        assert message == (
            "Le champ « Type de problème » ne propose pas la réponse « Arbre ». Ses réponses : "
            "« Éclairage public en panne », « Chaussée abîmée », « Autre »."
        )


def page_edit_data(page, rules):
    """What the démarche's edit form posts, with these routing rules."""
    fields = []
    for block in page.steps[0].blocks:
        value = {
            "label": block.value["label"],
            "help_text": "",
            "required": "on",
            "key": block.key,
            "condition": {"field": "", "value": ""},
        }
        if block.type == "choice":
            value.update(choices=block.value["choices"], widget="radio")
        fields.append((block.type, value))
    return nested_form_data(
        {
            "title": page.title,
            "slug": page.slug,
            "category": page.category,
            "summary": page.summary,
            "requires_account": "on",
            "intro": rich_text(""),
            "documents": rich_text(""),
            "confirmation": rich_text(""),
            "form": streamfield(
                [("step", {"title": "Le problème", "fields": streamfield(fields)})]
            ),
            "municipal_service": "",
            "routing_rules": inline_formset(rules),
            "processing_purpose": "",
            "legal_basis": "public_task",
            "data_subjects": "",
            "retention_months": "",
            "comments": inline_formset([]),
        }
    )


def test_the_demarche_s_editor_refuses_a_rule_naming_an_unknown_field_in_french(
    client, road, technical
):
    editor = staff(road.get_site(), "Communication", "com")
    UserProfile.objects.filter(user=editor).update(preferred_language="fr")
    client.force_login(editor)
    data = page_edit_data(
        road,
        [
            {"field": "nature", "value": "Éclairage public en panne", "service": technical.pk},
            {"field": "lieu", "value": "Gare", "service": technical.pk},
            {"field": "nature", "value": "Arbre tombé", "service": technical.pk},
        ],
    )

    response = client.post(reverse("wagtailadmin_pages:edit", args=[road.pk]), data, **CARVIN)

    assert response.status_code == 200
    html = response.content.decode()
    assert "pas de champ « lieu »" in html
    assert "ne propose pas la réponse « Arbre tombé »" in html
    assert list(road.routing_rules.values_list("field", flat=True)) == ["nature", "danger"]


def test_the_demarche_s_editor_saves_valid_rules_in_order(client, carvin, technical, civil):
    page = service_page(carvin, "Signalement", form=ROAD_FORM)
    client.force_login(staff(carvin, "Communication", "com"))
    data = page_edit_data(
        page,
        [
            {"field": "danger", "value": "oui", "service": civil.pk},
            {"field": "nature", "value": "Chaussée abîmée", "service": technical.pk},
        ],
    )

    response = client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), data, **CARVIN)

    assert response.status_code == 302
    latest = ServicePage.objects.get(pk=page.pk).get_latest_revision_as_object()
    assert [(rule.field, rule.service) for rule in latest.routing_rules.all()] == [
        ("danger", civil),
        ("nature", technical),
    ]


def test_the_demarche_s_editor_offers_the_services_of_its_commune_only(
    client, road, technical, saint_andre
):
    MunicipalService.objects.create(site=saint_andre, name="Voirie de Saint-André")
    client.force_login(staff(road.get_site(), "Communication", "com"))

    html = client.get(reverse("wagtailadmin_pages:edit", args=[road.pk]), **CARVIN).content.decode()

    assert "Services techniques" in html
    assert "Voirie de Saint-André" not in html


# --- Who sees what ------------------------------------------------------------------


@pytest.fixture
def requests(road, resident):
    """One request of each: technical services, civil status, no service."""
    return {
        "technical": report(road, resident, "Éclairage public en panne", description="Lampadaire"),
        "civil": report(road, resident, "Autre", danger=True, description="Câble"),
        "none": report(road, resident, "Autre", description="Banc"),
    }


def test_an_agent_of_a_service_sees_its_requests_and_those_of_no_service(
    technician, registrar, requests
):
    seen = set(submissions_visible_to(user=technician))

    assert seen == {requests["technical"], requests["none"]}
    assert set(submissions_visible_to(user=registrar)) == {requests["civil"], requests["none"]}
    assert submissions_visible_to(user=technician).count() == 2
    assert list(submissions_matching(submissions_visible_to(user=technician), "Câble")) == []


def test_an_agent_of_no_service_and_a_supervisor_see_the_whole_commune(agent, supervisor, requests):
    assert submissions_visible_to(user=agent).count() == 3
    assert submissions_visible_to(user=supervisor).count() == 3


def test_the_queue_lists_and_searches_the_agent_s_services_only(client, technician, requests):
    client.force_login(technician)

    html = client.get(reverse(LIST), {"status": "all"}, **CARVIN).content.decode()
    searched = client.get(reverse(LIST), {"status": "all", "q": "Câble"}, **CARVIN)

    assert requests["technical"].reference in html
    assert requests["none"].reference in html
    assert requests["civil"].reference not in html
    assert "Services techniques" in html  # the service column and filter
    assert requests["civil"].reference not in searched.content.decode()


def test_the_queue_filters_by_service(client, supervisor, requests, civil):
    client.force_login(supervisor)

    html = client.get(
        reverse(LIST), {"status": "all", "service": civil.pk}, **CARVIN
    ).content.decode()
    nobody = client.get(reverse(LIST), {"status": "all", "service": "none"}, **CARVIN)

    assert requests["civil"].reference in html
    assert requests["technical"].reference not in html
    assert requests["none"].reference in nobody.content.decode()
    assert requests["civil"].reference not in nobody.content.decode()


def test_the_queue_export_has_a_service_column(client, supervisor, requests):
    client.force_login(supervisor)

    response = client.get(reverse(LIST), {"status": "all", "export": "csv"}, **CARVIN)

    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert "Service" in lines[0].split(";")
    row = next(line for line in lines if requests["civil"].reference in line)
    assert "État civil" in row


def test_exports_leave_out_the_requests_of_other_services(road, technician, requests):
    site = road.get_site()

    exported = procedure_submissions(site=site, page=road, user=technician)

    assert requests["civil"] not in set(
        submissions_visible_to(user=technician, actions=("change",))
    )
    assert requests["civil"] not in set(exported)


def test_another_service_s_request_is_a_404_for_the_agent(client, technician, requests):
    civil = requests["civil"]
    client.force_login(technician)

    assert client.get(reverse(INSPECT, args=[civil.pk]), **CARVIN).status_code == 404
    note = client.post(reverse(NOTE, args=[civil.pk]), {"text": "Vu"}, **CARVIN)
    assert note.status_code == 404
    assert not civil.notes.exists()
    transfer = client.post(
        reverse(TRANSFER, args=[civil.pk]), {"service": "", "note": "À moi"}, **CARVIN
    )
    assert transfer.status_code == 404
    assign = client.post(reverse(ASSIGN, args=[civil.pk]), {"agent": technician.pk}, **CARVIN)
    assert assign.status_code == 404
    assert client.get(reverse(INSPECT, args=[requests["none"].pk]), **CARVIN).status_code == 200


def test_a_request_is_assigned_only_to_agents_who_see_it(
    client, supervisor, technician, registrar, agent, requests
):
    civil = requests["civil"]
    client.force_login(supervisor)

    html = client.get(reverse(INSPECT, args=[civil.pk]), **CARVIN).content.decode()

    assert "Sophie Lefebvre" in html
    assert "Marie Agent" in html
    assert "Julien Delattre" not in html
    with pytest.raises(SubmissionError):
        submission_assign(submission=civil, agent=technician, author=supervisor)
    submission_assign(submission=civil, agent=registrar, author=supervisor)


# --- Transfers ----------------------------------------------------------------------


def test_an_agent_transfers_a_request_to_another_service_with_a_note(
    client, technician, registrar, requests, civil
):
    request = requests["technical"]
    client.force_login(technician)

    response = client.post(
        reverse(TRANSFER, args=[request.pk]),
        {"service": civil.pk, "note": "Un câble à terre : voir avec l'état civil."},
        **CARVIN,
    )

    assert response.status_code == 302
    request.refresh_from_db()
    assert request.municipal_service == civil
    assert client.get(reverse(INSPECT, args=[request.pk]), **CARVIN).status_code == 404
    client.force_login(registrar)
    html = client.get(reverse(INSPECT, args=[request.pk]), **CARVIN).content.decode()
    assert "From Services techniques to État civil" in html
    assert "Un câble à terre : voir avec l&#x27;état civil." in html
    assert "Julien Delattre" in html
    entry = AuditLogEntry.objects.get(action="services.transfer")
    assert entry.user_id == technician.pk
    assert entry.data == {
        "from": "Services techniques",
        "to": "État civil",
        "note": "Un câble à terre : voir avec l'état civil.",
    }


def test_a_transfer_needs_a_note(technician, requests, civil):
    with pytest.raises(SubmissionError) as refused:
        submission_transfer(
            submission=requests["technical"], service=civil, author=technician, note="  "
        )

    assert str(refused.value) == str(TRANSFER_NOTE_REQUIRED)
    assert not ServiceTransfer.objects.exists()


def test_only_the_service_s_agents_and_the_supervisors_transfer_a_request(
    client, agent, supervisor, requests, civil, technical
):
    request = requests["technical"]
    client.force_login(agent)

    html = client.get(reverse(INSPECT, args=[request.pk]), **CARVIN).content.decode()
    with pytest.raises(SubmissionError):
        submission_transfer(submission=request, service=civil, author=agent, note="Pour vous")

    assert "Transfer to another service" not in html
    submission_transfer(submission=request, service=civil, author=supervisor, note="Pour vous")
    request.refresh_from_db()
    assert request.municipal_service == civil


def test_a_transfer_drops_an_assignment_the_new_service_cannot_see(
    technician, supervisor, requests, civil
):
    request = requests["technical"]
    submission_assign(submission=request, agent=technician, author=supervisor)

    submission_transfer(submission=request, service=civil, author=technician, note="Pour vous")

    request.refresh_from_db()
    assert request.assigned_to is None


# --- The services' screen -------------------------------------------------------------


def test_a_supervisor_creates_a_service_with_agents_of_the_commune_only(
    client, carvin, saint_andre, supervisor, agent
):
    outsider = staff(saint_andre, "Agents", "yvon", "Yvon", "Ailleurs")
    client.force_login(supervisor)

    form = client.get(reverse(f"{SERVICES}:add"), **CARVIN).content.decode()
    refused = client.post(
        reverse(f"{SERVICES}:add"),
        {"site": carvin.pk, "name": "Éducation-Enfance", "agents": [outsider.pk]},
        **CARVIN,
    )
    created = client.post(
        reverse(f"{SERVICES}:add"),
        {"site": carvin.pk, "name": "Éducation-Enfance", "email": "", "agents": [agent.pk]},
        **CARVIN,
    )

    assert "Marie Agent" in form
    assert "Yvon Ailleurs" not in form
    assert refused.status_code == 200
    assert created.status_code == 302
    service = MunicipalService.objects.get(name="Éducation-Enfance")
    assert list(service.agents.all()) == [agent]


def test_agents_cannot_see_or_edit_the_services(client, technician, technical):
    client.force_login(technician)

    listing = client.get(reverse(f"{SERVICES}:list"), **CARVIN)
    edit = client.get(reverse(f"{SERVICES}:edit", args=[technical.pk]), **CARVIN)

    assert listing.status_code in (302, 403)
    assert edit.status_code in (302, 403, 404)
