"""Workflows: each démarche's requests go through the statuses and
transitions its commune configured; the standard workflow is the seven
statuses every request had before, and a workflow that cannot be followed to
its end, or that would strand requests, is refused."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from wagtail.users.models import UserProfile

from accounts.models import User
from services.admin.forms import StatusChangeForm
from services.models import Submission, Workflow, WorkflowStatus, WorkflowTransition
from services.services import SubmissionError, submission_change_status
from services.statuses import STANDARD, StatusGroup, SubmissionStatus
from services.workflows import definition_of, problems, standard_workflow
from tests.services.factories import service_page
from tests.services.tracking_factories import detail_url, parent, school_request

WORKFLOWS = "wagtailsnippets_services_workflow"
STATUS = "wagtailsnippets_services_submission:status"
INSPECT = "wagtailsnippets_services_submission:inspect"


def staff(site, role, username):
    user = User.objects.create_user(
        username=username, password="a-long-password-1", first_name=username.title()
    )
    user.groups.add(Group.objects.get(name=f"{site.site_name} — {role}"))
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


def room_booking(site) -> Workflow:
    """Pré-réservée → confirmée or refusée, through a hidden check that only
    supervisors may skip."""
    workflow = Workflow.objects.create(site=site, name="Réservation de salle")
    for order, (key, name, citizen, group, colour) in enumerate(
        [
            ("pre_booked", "Pré-réservée", "Pré-réservée", "to_process", "blue"),
            ("checking", "Vérification du planning", "", "to_process", "purple"),
            ("confirmed", "Confirmée", "Confirmée", "final", "green"),
            ("refused", "Refusée", "Refusée", "final", "red"),
        ]
    ):
        WorkflowStatus.objects.create(
            workflow=workflow,
            sort_order=order,
            key=key,
            name=name,
            citizen_name=citizen,
            group=group,
            colour=colour,
        )
    for order, (source, target, label, who) in enumerate(
        [
            ("pre_booked", "checking", "Vérifier le planning", "agents"),
            ("pre_booked", "confirmed", "Confirmer sans vérifier", "supervisors"),
            ("checking", "confirmed", "Confirmer", "agents"),
            ("checking", "refused", "Refuser", "agents"),
        ]
    ):
        WorkflowTransition.objects.create(
            workflow=workflow, sort_order=order, source=source, target=target, label=label, who=who
        )
    workflow.save()
    return workflow


@pytest.fixture
def booking(carvin):
    page = service_page(carvin, title="Réservation de la salle des fêtes")
    page.workflow = room_booking(carvin)
    page.save_revision().publish()
    return school_request(page, parent(carvin))


# The standard workflow


def test_a_commune_gets_the_standard_workflow_with_the_seven_statuses(carvin):
    definition = definition_of(standard_workflow(carvin))
    assert [info.value for info in definition.statuses] == [info.value for info in STANDARD]
    assert [info.group for info in definition.statuses] == [info.group for info in STANDARD]
    assert [info.next for info in definition.statuses] == [info.next for info in STANDARD]
    assert definition.info("incomplete").needs_items
    assert definition.info("rejected").needs_message
    # In the commune's language, as its agents read them.
    assert definition.info("submitted").label == "En cours"
    assert definition.info("accepted").transitions == ()


def test_the_migration_puts_every_sent_request_in_its_communes_standard_workflow(carvin):
    migration = importlib.import_module("services.migrations.0008_standard_workflows")
    page = service_page(carvin)
    requests = {}
    for status, _label in SubmissionStatus.choices:
        request = school_request(page, parent(carvin, first_name=f"P{status}"))
        requests[status] = request.pk
    # The statuses it creates are those of test_a_commune_gets_the_standard_…
    # (the model has changed since: later migrations turn its flags into actions).
    Submission.objects.update(workflow=None, stage=StatusGroup.DRAFT, citizen_status="draft")
    for status, pk in requests.items():
        Submission.objects.filter(pk=pk).update(status=status)

    migration.create_standard_workflows(apps, None)

    workflow = Workflow.objects.get(site=carvin, is_standard=True)
    for status, pk in requests.items():
        request = Submission.objects.get(pk=pk)
        assert request.status == status
        if status == SubmissionStatus.DRAFT:
            assert (request.workflow, request.stage) == (None, StatusGroup.DRAFT)
            continue
        standard = next(info for info in STANDARD if info.value == status)
        assert request.workflow == workflow
        assert request.stage == standard.group
        assert request.citizen_status == status
        assert request.status_info.next == standard.next


def test_the_migration_turns_asking_for_corrections_into_the_action_doing_it(carvin):
    migration = importlib.import_module("services.migrations.0016_corrections_action")
    workflow = standard_workflow(carvin)
    incomplete = workflow.statuses.get(key="incomplete")
    deadline = {"type": "deadline", "value": {"days": 3, "kind": "calendar", "remind": "citizen"}}

    incomplete.actions = migration.with_corrections_action([deadline])
    incomplete.save()
    workflow.save()

    incomplete.refresh_from_db()
    assert [block.block_type for block in incomplete.actions] == ["ask_corrections", "deadline"]
    info = definition_of(workflow).info("incomplete")
    assert info.needs_items and info.corrected_to == ""


# A configured workflow


def test_a_request_starts_in_the_first_status_of_its_demarches_workflow(booking):
    assert booking.status == "pre_booked"
    assert booking.stage == StatusGroup.TO_PROCESS
    assert booking.get_status_display() == "Pré-réservée"


def test_the_agent_is_offered_the_transitions_of_the_current_status_by_their_labels(
    carvin, booking
):
    agent = staff(carvin, "Agents", "marie")
    supervisor = staff(carvin, "Supervisors", "paul")
    offered = dict(StatusChangeForm(submission=booking, user=agent).fields["status"].widget.choices)
    assert offered == {"checking": "Vérifier le planning → Vérification du planning"}
    offered = dict(
        StatusChangeForm(submission=booking, user=supervisor).fields["status"].widget.choices
    )
    assert list(offered) == ["checking", "confirmed"]


def test_a_transition_kept_for_supervisors_is_refused_to_an_agent(carvin, booking):
    agent = staff(carvin, "Agents", "marie")
    with pytest.raises(SubmissionError, match="Only a supervisor"):
        submission_change_status(submission=booking, status="confirmed", author=agent)
    supervisor = staff(carvin, "Supervisors", "paul")
    submission_change_status(submission=booking, status="confirmed", author=supervisor)
    booking.refresh_from_db()
    assert (booking.status, booking.stage) == ("confirmed", StatusGroup.FINAL)


def test_a_status_that_is_not_a_transition_from_the_current_one_is_refused(carvin, booking):
    agent = staff(carvin, "Agents", "marie")
    with pytest.raises(SubmissionError):
        submission_change_status(submission=booking, status="refused", author=agent)
    with pytest.raises(SubmissionError):
        submission_change_status(submission=booking, status="accepted", author=agent)


def test_the_citizen_keeps_seeing_the_last_status_shown_to_them(client, carvin, booking):
    agent = staff(carvin, "Agents", "marie")
    submission_change_status(submission=booking, status="checking", author=agent)
    booking.refresh_from_db()
    assert booking.citizen_status == "pre_booked"
    client.force_login(booking.account)
    page = client.get(detail_url(booking), HTTP_HOST="carvin.localhost").content.decode()
    assert "status-badge--blue" in page and "Pré-réservée" in page
    assert "Vérification du planning" not in page

    submission_change_status(submission=booking, status="confirmed", author=agent)
    page = client.get(detail_url(booking), HTTP_HOST="carvin.localhost").content.decode()
    assert "status-badge--green" in page and "Confirmée" in page


def test_the_queue_lists_a_request_waiting_for_the_town_hall_in_any_workflow(
    client, carvin, booking
):
    agent = staff(carvin, "Agents", "marie")
    client.force_login(agent)
    html = client.get(reverse("wagtailsnippets_services_submission:list")).content.decode()
    assert booking.reference in html
    assert "Pré-réservée" in html


def test_the_agents_page_offers_the_transition_buttons(client, carvin, booking):
    agent = staff(carvin, "Agents", "marie")
    client.force_login(agent)
    html = client.get(reverse(INSPECT, args=[booking.pk])).content.decode()
    assert "Vérifier le planning" in html
    assert "Confirmer sans vérifier" not in html
    response = client.post(reverse(STATUS, args=[booking.pk]), {"status": "checking"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == "checking"


# Checking a workflow


def rows(*statuses):
    return [{"key": key, "name": key.title(), "group": group} for key, group in statuses]


def moves(*pairs):
    return [{"source": source, "target": target} for source, target in pairs]


def test_a_workflow_that_can_be_finished_has_no_problem():
    statuses = rows(("new", "to_process"), ("done", "final"))
    assert problems(statuses, moves(("new", "done"))) == []


def test_a_status_with_no_way_out_that_is_not_final_is_refused():
    statuses = rows(("new", "to_process"), ("waiting", "with_citizen"), ("done", "final"))
    found = problems(statuses, moves(("new", "waiting"), ("new", "done")))
    assert found == [
        "“Waiting” is not final but no transition leads out of it: "
        "requests would stay there forever."
    ]


def test_an_unreachable_status_and_a_transition_to_a_deleted_status_are_refused():
    statuses = rows(("new", "to_process"), ("done", "final"), ("lost", "final"))
    found = problems(statuses, moves(("new", "done"), ("new", "gone")))
    assert "A transition leads from or to “gone”, not a status of this workflow." in found
    assert "No transition leads to “Lost” from the first status: it can never be reached." in found


def test_a_workflow_without_a_final_status_is_refused():
    statuses = rows(("new", "to_process"), ("again", "to_process"))
    found = problems(statuses, moves(("new", "again"), ("again", "new")))
    assert found == ["No status is final: requests could never be decided or closed."]


# The admin screen


def form_data(name, statuses, transitions, *, site):
    data = {
        "site": site.pk,
        "name": name,
        "description": "",
        "statuses-TOTAL_FORMS": len(statuses),
        "statuses-INITIAL_FORMS": sum(1 for s in statuses if s.get("id")),
        "statuses-MIN_NUM_FORMS": 1,
        "statuses-MAX_NUM_FORMS": 1000,
        "transitions-TOTAL_FORMS": len(transitions),
        "transitions-INITIAL_FORMS": sum(1 for t in transitions if t.get("id")),
        "transitions-MIN_NUM_FORMS": 0,
        "transitions-MAX_NUM_FORMS": 1000,
    }
    for prefix, items in (("statuses", statuses), ("transitions", transitions)):
        for index, item in enumerate(items):
            data[f"{prefix}-{index}-ORDER"] = index + 1
            if prefix == "statuses":
                data[f"{prefix}-{index}-actions-count"] = 0
            for key, value in item.items():
                data[f"{prefix}-{index}-{key}"] = value
    return data


STATUS_ROWS = [
    {
        "key": "new",
        "name": "Nouvelle",
        "citizen_name": "Reçue",
        "group": "to_process",
        "colour": "blue",
    },
    {
        "key": "done",
        "name": "Traitée",
        "citizen_name": "Traitée",
        "group": "final",
        "colour": "green",
    },
]


def test_a_supervisor_builds_a_workflow_and_sees_its_diagram(client, carvin):
    supervisor = staff(carvin, "Supervisors", "paul")
    client.force_login(supervisor)
    transitions = [{"source": "new", "target": "done", "label": "Traiter", "who": "agents"}]
    response = client.post(
        reverse(f"{WORKFLOWS}:add"),
        form_data("Signalement", STATUS_ROWS, transitions, site=carvin),
    )
    assert response.status_code == 302, response.context["form"].errors
    workflow = Workflow.objects.get(site=carvin, name="Signalement")
    assert definition_of(workflow).info("new").next == ("done",)
    html = client.get(reverse(f"{WORKFLOWS}:edit", args=[workflow.pk])).content.decode()
    assert '<svg class="workflow-diagram"' in html
    assert "From “Nouvelle”, “Traiter” leads to “Traitée”." in html


def test_a_workflow_of_thousands_of_statuses_is_refused_without_building_them(client, carvin):
    client.force_login(staff(carvin, "Supervisors", "paul"))
    data = form_data("Démesuré", STATUS_ROWS, [], site=carvin)
    data["statuses-TOTAL_FORMS"] = data["transitions-TOTAL_FORMS"] = 100_000

    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse(f"{WORKFLOWS}:add"), data)

    assert response.status_code == 200
    form = response.context["form"]
    assert "Please submit at most 40 forms." in form.formsets["statuses"].non_form_errors()
    assert "Please submit at most 200 forms." in form.formsets["transitions"].non_form_errors()
    assert len(form.formsets["statuses"].forms) == 41
    assert len(queries) < 100
    assert not Workflow.objects.filter(name="Démesuré").exists()


def test_the_screen_refuses_a_workflow_that_cannot_be_finished(client, carvin):
    supervisor = staff(carvin, "Supervisors", "paul")
    client.force_login(supervisor)
    response = client.post(
        reverse(f"{WORKFLOWS}:add"), form_data("Sans issue", STATUS_ROWS, [], site=carvin)
    )
    assert response.status_code == 200
    assert "no transition leads out of it" in response.content.decode()
    assert not Workflow.objects.filter(name="Sans issue").exists()


def test_a_status_that_requests_are_in_cannot_be_deleted(client, carvin, booking):
    supervisor = staff(carvin, "Supervisors", "paul")
    client.force_login(supervisor)
    workflow = booking.workflow
    statuses = [
        {
            "id": s.pk,
            "key": s.key,
            "name": s.name,
            "citizen_name": s.citizen_name,
            "group": s.group,
            "colour": s.colour,
            "DELETE": "1" if s.key == "pre_booked" else "",
        }
        for s in workflow.statuses.all()
    ]
    transitions = [
        {"id": t.pk, "source": t.source, "target": t.target, "label": t.label, "who": t.who}
        for t in workflow.transitions.all()
    ]
    response = client.post(
        reverse(f"{WORKFLOWS}:edit", args=[workflow.pk]),
        form_data(workflow.name, statuses, transitions, site=carvin),
    )
    assert response.status_code == 200
    assert "1 request is “Pré-réservée”" in response.content.decode()
    assert workflow.statuses.filter(key="pre_booked").exists()


def test_a_workflow_followed_by_a_demarche_is_not_deleted(client, carvin, booking):
    supervisor = staff(carvin, "Supervisors", "paul")
    client.force_login(supervisor)
    response = client.post(reverse(f"{WORKFLOWS}:delete", args=[booking.workflow.pk]))
    assert response.status_code == 302
    assert Workflow.objects.filter(pk=booking.workflow.pk).exists()


def test_an_agent_does_not_edit_workflows_and_another_commune_is_a_404(client, carvin, saint_andre):
    workflow = standard_workflow(carvin)
    client.force_login(staff(carvin, "Agents", "marie"))
    assert client.get(reverse(f"{WORKFLOWS}:edit", args=[workflow.pk])).status_code == 404
    client.force_login(staff(saint_andre, "Supervisors", "yann"))
    assert client.get(reverse(f"{WORKFLOWS}:edit", args=[workflow.pk])).status_code == 404


def test_a_status_posted_without_its_actions_is_saved_without_actions(client, carvin):
    client.force_login(staff(carvin, "Supervisors", "paul"))
    transitions = [{"source": "new", "target": "done", "label": "Traiter", "who": "agents"}]
    data = form_data("Sans actions", STATUS_ROWS, transitions, site=carvin)
    del data["statuses-0-actions-count"]
    response = client.post(reverse(f"{WORKFLOWS}:add"), data)
    assert response.status_code == 302
    assert definition_of(Workflow.objects.get(name="Sans actions")).info("new").actions == ()


def test_the_agent_is_offered_the_templates_of_the_statuses_the_request_may_take(carvin, booking):
    from services.admin.views import message_templates_for
    from services.models import MessageTemplate

    for status, title in (("checking", "Planning vérifié"), ("accepted", "Demande acceptée")):
        MessageTemplate.objects.create(site=carvin, status=status, title=title, body="Bonjour.")
    offered = [(t["title"], t["status_label"]) for t in message_templates_for(booking)]
    assert offered == [("Planning vérifié", "Vérification du planning")]
