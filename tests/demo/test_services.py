import io

import magic
import pytest
from django.core.management import call_command
from wagtail.models import Page, Revision, Site

from accounts.models import User
from demo.services import demo_pdf
from services.models import (
    Attachment,
    ServiceIndexPage,
    ServicePage,
    ServiceSettings,
    StatusChange,
    Submission,
)

pytestmark = pytest.mark.django_db

HOSTNAMES = ["carvin.localhost", "saint-andre-des-eaux.localhost"]
CIVIL_STATUS = {"acte-de-naissance", "acte-de-mariage", "acte-de-deces"}
AGENT = {"carvin.localhost": "agent.carvin", "saint-andre-des-eaux.localhost": "agent.saint-andre"}
VALIDATED_CITIZEN = {
    "carvin.localhost": "amelie.lire@example.org",
    "saint-andre-des-eaux.localhost": "elodie.martin@example.org",
}


def demarches_of(site):
    index = ServiceIndexPage.objects.child_of(site.root_page).get()
    return ServicePage.objects.child_of(index).live().specific()


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Page, Revision, Submission, StatusChange, Attachment)
    }


def test_each_commune_offers_the_demo_demarches(demo):
    for hostname in HOSTNAMES:
        pages = {page.slug: page for page in demarches_of(Site.objects.get(hostname=hostname))}

        assert len(pages) >= 6
        assert CIVIL_STATUS | {"inscription-scolaire", "restauration-et-periscolaire"} <= set(pages)
        for slug, page in pages.items():
            assert page.requires_account is (slug not in CIVIL_STATUS), slug
            assert page.summary and page.intro and page.confirmation
            assert "<ul>" in page.documents
            assert page.live_revision_id is not None


def test_load_demo_twice_changes_nothing(demo):
    before = counts()
    output = io.StringIO()

    call_command("load_demo", stdout=output)

    assert counts() == before
    assert "demo requests created" not in output.getvalue()


def test_every_demo_form_is_valid_and_guides_the_citizen(demo):
    pages = ServicePage.objects.live().specific()
    assert pages.count() >= 12
    for page in pages:
        page.full_clean()
        steps = page.steps
        assert 2 <= len(steps) <= 4, page.slug
        blocks = [block for step in steps for block in step.blocks]
        assert any(block.value.get("condition", {}).get("field") for block in blocks), page.slug
        assert any(block.type == "help" for block in blocks), page.slug
        assert any(block.type == "consent" for block in steps[-1].blocks), page.slug
        assert all(block.key for block in blocks if block.is_input), page.slug


def test_civil_status_forms_ask_what_the_registrar_needs(demo):
    for page in ServicePage.objects.filter(slug__in=CIVIL_STATUS).specific():
        blocks = {block.key: block for step in page.steps for block in step.blocks}
        assert blocks["exemplaires"].value["min_value"] == 1
        assert blocks["exemplaires"].value["max_value"] == 5
        assert blocks["adresse_envoi"].type == "address"
        assert blocks["adresse_envoi"].value["postcodes"] == "france"
        assert blocks["adresse_envoi"].value["condition"] == {"field": "etranger", "value": "Non"}
        assert blocks["adresse_etranger"].value["postcodes"] == "any"
        assert blocks["qualite_autre"].value["condition"] == {"field": "qualite", "value": "Autre"}
        dates = [block for block in blocks.values() if block.type == "date"]
        assert dates and all(
            block.value["bounds"] == ("birth" if "naissance" in block.key else "past")
            for block in dates
        )
        if page.slug != "acte-de-deces":
            assert "Extrait sans filiation" in blocks["type_acte"].value["choices"]
            proof = blocks["justificatif_lien"]
            assert proof.value["condition"] == {"field": "type_acte", "value": "Copie intégrale"}
        if page.slug == "acte-de-naissance":
            assert blocks["parent_1"].value["required_when"] == {
                "field": "type_acte",
                "value": "Copie intégrale|Extrait avec filiation",
            }


def test_school_demarches_are_made_for_a_child(demo):
    for page in ServicePage.objects.filter(
        slug__in=["inscription-scolaire", "restauration-et-periscolaire"]
    ).specific():
        first = page.steps[0].blocks[0]
        assert (first.type, first.value["who"]) == ("member", "children")


def test_demo_requests_are_in_several_statuses(demo):
    for hostname in HOSTNAMES:
        site = Site.objects.get(hostname=hostname)
        agent = User.objects.get(site__isnull=True, username=AGENT[hostname])
        prefix = ServiceSettings.for_site(site).submission_prefix
        submissions = Submission.objects.filter(site=site)

        assert {"to_process", "with_citizen", "final"} <= set(
            submissions.values_list("stage", flat=True)
        )
        # Each demo workflow has requests.
        assert {
            "Circuit standard",
            "Réservation de salle",
            "Signalement sur la voie publique",
            "Acte d'état civil",
        } == set(submissions.values_list("workflow__name", flat=True))
        anonymous = submissions.get(account__isnull=True)
        assert anonymous.page.slug == "acte-de-naissance"
        assert anonymous.contact_email and anonymous.access_nonce
        for submission in submissions:
            assert submission.page.get_site() == site
            assert submission.reference.startswith(f"{prefix}-")
            assert submission.account is None or submission.account.site == site
            assert submission.submitted_at <= submission.status_changed_at
            history = list(submission.history.all())
            # Sent, or held until its price is paid (a démarche paid at sending).
            assert history[0].status in (submission.definition.initial.value, "awaiting_payment")
            assert history[-1].status == submission.status
            assert all(change.author == agent for change in history[1:])
            if submission.status_info.needs_message or submission.status_info.needs_items:
                assert history[-1].message


def test_demo_answers_match_their_form(demo):
    for hostname in HOSTNAMES:
        submissions = Submission.objects.filter(site__hostname=hostname)
        assert submissions.filter(member__isnull=False).exists()
        assert Attachment.objects.filter(submission__in=submissions).exists()
        for submission in submissions:
            blocks = {block.key: block for step in submission.steps for block in step.blocks}
            assert submission.data and set(submission.data) <= set(blocks), submission.title
            attachments = {a.pk: a for a in submission.attachments.all()}
            for key, value in submission.data.items():
                if blocks[key].type == "document":
                    assert value == {"by_post": True} or attachments[value["attachment"]].key == key
                if blocks[key].type == "member":
                    assert submission.member_id == value["id"]
                    assert submission.concerns == f"{value['first_name']} {value['last_name']}"


def test_demo_attachments_are_real_pdf_files(demo):
    content = demo_pdf("Justificatif de domicile", ["Facture d'énergie (mars)"])
    assert magic.from_buffer(content, mime=True) == "application/pdf"
    attachment = Attachment.objects.first()
    with attachment.file.open("rb") as file:
        assert file.read(5) == b"%PDF-"


def test_every_demo_demarche_opens_its_first_step(demo, client):
    for hostname in HOSTNAMES:
        site = Site.objects.get(hostname=hostname)
        citizen = User.objects.get(site=site, email=VALIDATED_CITIZEN[hostname])
        for page in demarches_of(site):
            client.logout()
            if page.requires_account:
                client.force_login(citizen)
            _site_id, _root, path = page.get_url_parts()

            response = client.get(f"{path}etape/1/", HTTP_HOST=hostname)

            assert response.status_code == 200, page.slug


def test_demo_workflows_can_be_finished_and_act(demo):
    from services.models import Workflow
    from services.workflows import definition_of, problems

    for hostname in HOSTNAMES:
        site = Site.objects.get(hostname=hostname)
        for workflow in Workflow.objects.filter(site=site):
            definition = definition_of(workflow)
            statuses = [
                {"key": i.value, "name": str(i.label), "group": i.group}
                for i in definition.statuses
            ]
            transitions = [
                {"source": i.value, "target": t.target}
                for i in definition.statuses
                for t in i.transitions
            ]
            assert problems(statuses, transitions) == [], workflow.name
        booking = ServicePage.objects.descendant_of(site.root_page).get(slug="reservation-de-salle")
        assert definition_of(booking.workflow).info("confirmee").issues_document
        standard = Workflow.objects.get(site=site, is_standard=True)
        assert definition_of(standard).info("incomplete").has_action("deadline")


def test_the_demo_staff_have_first_and_last_names(demo):
    staff = User.objects.filter(site__isnull=True)

    assert staff.count() >= 7
    assert [user.username for user in staff if not user.get_full_name()] == []
    assert staff.get(username="agent.carvin").get_full_name() == "Julien Carpentier"


def test_each_demo_commune_has_three_services_each_with_its_agent(demo):
    from services.models import MunicipalService

    for site in Site.objects.filter(hostname__in=HOSTNAMES):
        services = MunicipalService.objects.filter(site=site).prefetch_related("agents")
        assert {service.name for service in services} == {
            "État civil",
            "Éducation-Enfance",
            "Services techniques",
        }
        for service in services:
            (agent,) = service.agents.all()
            assert agent.first_name and agent.last_name
        pages = {page.slug: page for page in demarches_of(site)}
        assert all(pages[slug].municipal_service.name == "État civil" for slug in CIVIL_STATUS)
        rules = pages["signalement-voirie"].routing_rules.all()
        assert ("Éclairage public en panne", "Services techniques") in {
            (rule.value, rule.service.name) for rule in rules
        }


def test_a_service_agent_sees_the_requests_of_their_service_and_the_agent_the_whole_commune(
    demo,
):
    from services.selectors import submissions_visible_to

    site = Site.objects.get(hostname="saint-andre-des-eaux.localhost")
    everything = set(submissions_visible_to(user=User.objects.get(username="agent.saint-andre")))
    technical = submissions_visible_to(
        user=User.objects.get(username="services-techniques.saint-andre")
    )

    assert everything == set(Submission.objects.filter(site=site).exclude(reference=""))
    assert {request.service_name for request in technical} == {"Services techniques", ""}
    reports = {r.data["nature"]: r for r in technical if r.title.startswith("Signaler")}
    assert reports["Éclairage public en panne"].service_name == "Services techniques"
    assert not any(request.service_name == "État civil" for request in technical)


def test_the_demo_citizen_has_an_unread_message_and_agents_a_question_to_answer(demo):
    from demo.communes import CITIZENS
    from services.admin.filters import requests_unanswered
    from services.models import RequestMessage
    from services.selectors import unread_messages_of

    for hostname in HOSTNAMES:
        site = Site.objects.get(hostname=hostname)
        email = next(c["email"] for c in CITIZENS[hostname] if c["validated"])
        citizen = User.objects.get(site=site, email=email)

        assert unread_messages_of(account=citizen) == 1
        assert requests_unanswered(Submission.objects.filter(site=site)).count() == 1
    before = RequestMessage.objects.count()
    call_command("load_demo", stdout=io.StringIO())
    assert RequestMessage.objects.count() == before
