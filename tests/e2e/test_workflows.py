"""Workflows in Chromium: a supervisor builds one with a document action,
sees it drawn and gives it to a démarche, whose requests reach the agent of
the right service only and end with the citizen downloading the document; an
agent confirms a room booking, previewing and completing
the authorisation it issues; the citizen downloads it from the request's
page. axe-core checks the citizen's pages at desktop and phone widths.

This module writes to the database (a workflow, a status change): its demo
database is its own and is put back when it is done (``demo_portal``)."""

import re

import pytest
from playwright.sync_api import expect

from .helpers import (
    CARVIN,
    admin_sign_in,
    axe_violations,
    citizen_log_in,
    form_field,
    format_violations,
    screenshot,
)

pytestmark = [pytest.mark.e2e]

SUPERVISOR = ("regie.carvin", "regie-carvin-demo")
AGENT = ("agent.carvin", "agent-carvin-demo")
ROADS_AGENT = ("services-techniques.carvin", "services-techniques-carvin-demo")
CIVIL_STATUS_AGENT = ("etat-civil.carvin", "etat-civil-carvin-demo")
CITIZEN = ("amélie.lire", "amelie-carvin-demo")
BOOKING = "Réservation d'une salle municipale"
WORKFLOW = "Intervention sur la voirie"
DOCUMENT = "Compte rendu d'intervention"
REPORT = "Signaler un problème sur la voie publique"
FREE_TEXT = "Remise des clés le vendredi à 17 h à l'accueil de la mairie."


def _admin_shot(page, name: str) -> None:
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": 2400})
    screenshot(page, f"workflows-{name}", full_page=False)
    page.set_viewport_size(size)


def _log_in(page, portal) -> None:
    citizen_log_in(page, portal, *CITIZEN)


def _status(admin, index: int, key: str, name: str, group: str, colour: str) -> None:
    admin.locator(f"input[name='statuses-{index}-key']").fill(key)
    admin.locator(f"input[name='statuses-{index}-name']").fill(name)
    admin.locator(f"input[name='statuses-{index}-citizen_name']").fill(name)
    admin.locator(f"select[name='statuses-{index}-group']").select_option(group)
    admin.locator(f"select[name='statuses-{index}-colour']").select_option(colour)


def test_a_supervisors_workflow_leads_a_report_to_the_right_service_and_its_document(
    portal, new_page
):
    """The supervisor builds a workflow issuing a document and gives it to
    the road report; a citizen reports a broken street light, which the
    démarche routes to the Services techniques: their agent closes it (the
    État civil's agent cannot open it) and the citizen downloads the report."""
    admin = new_page()
    admin_sign_in(admin, portal, *SUPERVISOR)
    admin.goto(portal.url(CARVIN, "/admin/snippets/services/workflow/add/"))
    admin.locator("#id_name").fill(WORKFLOW)
    forms = admin.locator("input[name='statuses-TOTAL_FORMS']")
    while int(forms.input_value()) < 2:
        admin.locator("#id_statuses-ADD").click()
    _status(admin, 0, "signale", "Signalé", "to_process", "blue")
    _status(admin, 1, "realise", "Intervention réalisée", "final", "green")

    # The second status issues a document: a block of its actions.
    actions = admin.locator("div:has(> input[name='statuses-1-actions-count'])")
    actions.locator(".c-sf-add-button").first.click()
    admin.get_by_role("option").filter(has=admin.locator(".icon-doc-full")).click()
    admin.locator("#statuses-1-actions-0-value-title").fill(DOCUMENT)
    body = admin.locator("#statuses-1-actions-0-value-body").locator("xpath=..")
    body.locator("[contenteditable=true]").fill("Problème signalé : {champ:nature}. {texte_libre}")
    admin.locator("#statuses-1-actions-0-value-signatory_name").fill("Claire Vasseur")
    admin.locator("#statuses-1-actions-0-value-signatory_role").fill("Le Maire")

    # The transition offers the statuses typed above, before any save.
    admin.locator("#id_transitions-ADD").click()
    admin.locator("select[name='transitions-0-source']").focus()
    admin.locator("select[name='transitions-0-source']").select_option("signale")
    admin.locator("select[name='transitions-0-target']").focus()
    admin.locator("select[name='transitions-0-target']").select_option("realise")
    admin.locator("input[name='transitions-0-label']").fill("Clore l'intervention")
    _admin_shot(admin, "01-building")
    admin.locator("footer").get_by_role("button", name="Sauver").click()
    expect(admin).to_have_url(re.compile(r"/admin/snippets/services/workflow/$"))

    admin.get_by_role("link", name=WORKFLOW).click()
    diagram = admin.locator("svg.workflow-diagram")
    expect(diagram).to_be_visible()
    expect(diagram.locator("text", has_text="Intervention réalisée")).to_have_count(1)
    expect(admin.locator(".workflow-diagram__text")).to_contain_text(
        "Depuis « Signalé », « Clore l'intervention » mène à « Intervention réalisée »."
    )
    _admin_shot(admin, "02-drawn")

    # A status left without a way out is refused, with the reason.
    admin.locator("#id_statuses-ADD").click()
    _status(admin, 2, "suspendue", "Suspendue", "to_process", "purple")
    admin.locator("footer").get_by_role("button", name="Sauver").click()
    expect(admin.locator("main")).to_contain_text("aucune transition n’en sort")
    _admin_shot(admin, "02b-refused")

    # The supervisor gives the workflow to the road report and publishes it.
    admin.goto(portal.url(CARVIN, "/admin/pages/search/?q=voie+publique"))
    admin.get_by_role("link", name=REPORT).first.click()
    expect(admin).to_have_url(re.compile(r"/admin/pages/\d+/edit/$"))
    admin.locator("#id_workflow").select_option(label=WORKFLOW)
    admin.locator("footer").get_by_role("button", name="Plus d'actions").click()
    admin.locator("footer").get_by_role("button", name="Publier").click()
    expect(admin).to_have_url(re.compile(r"/admin/pages/\d+/$"))

    # A citizen reports a broken street light.
    citizen = new_page()
    _log_in(citizen, portal)
    citizen.goto(portal.url(CARVIN, "/services/signalement-voirie/etape/1/"))
    citizen.get_by_role("radio", name="Éclairage public en panne").check()
    form_field(citizen, "Décrivez le problème").fill("Le lampadaire ne s'allume plus.")
    citizen.locator("fieldset", has_text="danger").get_by_role("radio", name="Non").check()
    citizen.locator("#step-form button[name=action][value=next]").click()
    form_field(citizen, "Adresse ou lieu précis").fill("Devant le 14 rue Jean-Jaurès")
    citizen.locator("#step-form button[name=action][value=next]").click()
    citizen.locator("fieldset", has_text="rappelé").get_by_role("radio", name="Non").check()
    citizen.locator("input[name=consentement]").check()
    citizen.locator("#step-form button[name=action][value=next]").click()
    citizen.locator("main form button[type=submit]").last.click()
    reference = citizen.locator("main .reference").inner_text().strip()

    # The État civil's agent does not see it; the Services techniques' agent does.
    other = new_page()
    admin_sign_in(other, portal, *CIVIL_STATUS_AGENT)
    other.goto(portal.url(CARVIN, f"/admin/snippets/services/submission/?q={reference}"))
    expect(other.get_by_role("row").filter(has_text=reference)).to_have_count(0)
    agent = new_page()
    admin_sign_in(agent, portal, *ROADS_AGENT)
    agent.goto(portal.url(CARVIN, f"/admin/snippets/services/submission/?q={reference}"))
    agent.get_by_role("row").filter(has_text=reference).get_by_role("link").first.click()
    request_url = agent.url
    other.goto(request_url)
    expect(other.locator("body")).to_contain_text("404")

    status_form = agent.locator("section[aria-labelledby=status-heading] form")
    status_form.get_by_role("radio", name="Clore l'intervention → Intervention réalisée").check()
    status_form.locator("textarea[name=document_text]").fill("Ampoule remplacée le jour même.")
    status_form.locator("button[type=submit]").click()
    expect(agent.locator(".messages")).to_contain_text(reference)

    citizen.goto(portal.url(CARVIN, f"/compte/demandes/{reference}/"))
    expect(citizen.locator("dl.submission-summary .status-badge")).to_have_text(
        "Intervention réalisée"
    )
    issued = citizen.get_by_role("region", name="Documents délivrés par la mairie")
    with citizen.expect_download() as download_info:
        issued.get_by_role("link", name=re.compile(DOCUMENT)).click()
    with open(download_info.value.path(), "rb") as file:
        assert file.read().startswith(b"%PDF-")


def test_the_agent_confirms_a_booking_and_the_citizen_downloads_the_authorisation(
    portal, new_page, mailoutbox
):
    agent = new_page()
    admin_sign_in(agent, portal, *AGENT)
    agent.goto(portal.url(CARVIN, "/admin/snippets/services/submission/"))
    row = agent.get_by_role("row").filter(has_text="Pré-réservée")
    expect(row).to_have_count(1)
    row.get_by_role("link").first.click()
    reference = agent.locator("main dl dd").first.inner_text().strip()
    status_form = agent.locator("section[aria-labelledby=status-heading] form")
    status_form.get_by_role("radio", name="Confirmer la réservation → Confirmée").check()
    free_text = status_form.locator("textarea[name=document_text]")
    expect(free_text).to_be_visible()
    free_text.fill(FREE_TEXT)
    expect(status_form.get_by_role("link", name="Prévisualiser le document")).to_be_visible()
    _admin_shot(agent, "03-confirming")
    agent.set_viewport_size({"width": 390, "height": 900})
    screenshot(agent, "workflows-03-confirming-390", full_page=False)
    agent.set_viewport_size({"width": 1280, "height": 800})
    status_form.locator("button[type=submit]").click()
    expect(agent.locator(".messages")).to_contain_text(reference)
    expect(agent.locator("section[aria-labelledby=issued-heading]")).to_contain_text(
        "Autorisation d'occupation de salle"
    )

    [email] = [m for m in mailoutbox if reference in m.subject]
    assert email.attachments[-1][0].endswith(f"{reference}-D1.pdf")

    page = new_page()
    _log_in(page, portal)
    page.goto(portal.url(CARVIN, f"/compte/demandes/{reference}/"))
    expect(page.locator("dl.submission-summary .status-badge")).to_have_text("Confirmée")
    issued = page.get_by_role("region", name="Documents délivrés par la mairie")
    link = issued.get_by_role("link", name=re.compile("Autorisation d'occupation de salle"))
    with page.expect_download() as download_info:
        link.click()
    with open(download_info.value.path(), "rb") as file:
        assert file.read().startswith(b"%PDF-")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"workflows-04-citizen-{width}")
        violations = axe_violations(page)
        assert not violations, format_violations(page.url, violations)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{overflow}px sideways at {width}px"
