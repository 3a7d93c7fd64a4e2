"""A démarche that costs money, in Chromium: Amélie books the salle des
fêtes and reads its price on the recap, the agent confirms the booking and
asks for the payment, Amélie pays at the test bank from her request's page,
sees the receipt, then her request "Confirmée", "Payée le …" and the
authorisation the confirmation issues. axe-core checks the recap and the
request's page, to pay and paid, at desktop and phone widths.

This module writes to the database (a request, a payment): its demo database
is its own and is put back when it is done (``demo_portal``)."""

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

AGENT = ("agent.carvin", "agent-carvin-demo")
CITIZEN = ("amélie.lire", "amelie-carvin-demo")
ROOM = "Salle des fêtes (300 personnes)"
LINE = "Salle des fêtes (300 personnes), 2 jour(s), tarif habitant"


def _choose(page, legend: str, choice: str) -> None:
    group = page.get_by_role("group", name=re.compile(rf"^\s*{re.escape(legend)}(\s*\*)?\s*$"))
    group.get_by_role("radio", name=choice, exact=True).check()


def _next(page) -> None:
    page.locator("#step-form button[name=action][value=next]").click()


def _check(page, name: str) -> None:
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"fees-{name}-{width}")
        violations = axe_violations(page)
        assert not violations, format_violations(page.url, violations)
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, f"{name} scrolls sideways at {width} px"
    page.set_viewport_size({"width": 1280, "height": 900})


def test_book_the_room_get_confirmed_pay_and_see_the_receipt_and_the_new_status(
    portal, new_page, mailoutbox
):
    citizen = new_page()
    citizen_log_in(citizen, portal, *CITIZEN)
    citizen.goto(portal.url(CARVIN, "/services/reservation-de-salle/etape/1/"))
    form_field(citizen, "Salle souhaitée").select_option(ROOM)
    form_field(citizen, "Date de l'événement").fill("2027-06-19")
    _choose(citizen, "Créneau", "Week-end (du samedi 9 h au dimanche 18 h)")
    form_field(citizen, "Nombre de participants attendus").fill("120")
    form_field(citizen, "Nombre de jours d'occupation").fill("2")
    _choose(citizen, "Habitez-vous Carvin ?", "Oui")
    _next(citizen)
    _choose(citizen, "Vous faites cette demande", "À titre personnel")
    form_field(citizen, "Nature de l'événement").select_option("Fête familiale")
    _choose(citizen, "Prévoyez-vous une buvette ?", "Non")
    _next(citizen)
    citizen.locator("input[type=checkbox][name='assurance__by_post']").check()
    citizen.locator("input[type=checkbox][name=reglement]").check()
    _next(citizen)

    price = citizen.get_by_role("region", name=re.compile("Montant à payer"))
    expect(price.get_by_role("heading")).to_have_text("Montant à payer : 370,00 €")
    expect(price).to_contain_text(LINE)
    expect(price).to_contain_text("2 × 185,00 € = 370,00 €")
    _check(citizen, "01-recap")
    citizen.get_by_role("button", name="Envoyer ma demande").click()
    reference = re.search(r"[A-Z]{3}-\d{4}-\d{6}", citizen.get_by_role("main").inner_text())[0]

    agent = new_page()
    admin_sign_in(agent, portal, *AGENT)
    agent.goto(portal.url(CARVIN, f"/admin/snippets/services/submission/?q={reference}&status=all"))
    agent.get_by_role("row").filter(has_text=reference).get_by_role("link").first.click()
    status_form = agent.locator("section[aria-labelledby=status-heading] form")
    status_form.get_by_role(
        "radio", name="Confirmer et demander le paiement → Confirmée, à payer"
    ).check()
    status_form.locator("button[type=submit]").click()
    expect(agent.locator(".messages")).to_contain_text(reference)
    panel = agent.locator("section[aria-labelledby=payments-heading]")
    expect(panel).to_contain_text("370,00 €")
    expect(panel).to_contain_text("À payer")
    screenshot(agent, "fees-02-agent-panel")

    [told] = [m for m in mailoutbox if reference in m.subject and "à payer" in m.subject]
    assert "370,00\xa0€ à payer pour votre demande" in told.body

    citizen.goto(portal.url(CARVIN, f"/compte/demandes/{reference}/"))
    expect(citizen.locator("dl.submission-summary .status-badge")).to_have_text(
        "Confirmée : location à payer"
    )
    to_pay = citizen.get_by_role("region", name="Montant à payer : 370,00 €")
    expect(to_pay).to_contain_text(LINE)
    _check(citizen, "03-to-pay")
    to_pay.get_by_role("button", name="Payer 370,00 € en ligne").click()

    expect(citizen.get_by_role("heading", name="Banque de test")).to_be_visible()
    expect(citizen.get_by_role("main")).to_contain_text("370,00 €")
    citizen.get_by_role("button", name="Payer", exact=True).click()
    expect(citizen.get_by_role("heading", name="Paiement accepté")).to_be_visible()
    citizen.get_by_role("link", name="Voir le reçu").click()
    expect(citizen.get_by_role("main")).to_contain_text(f"{reference}-P1")

    citizen.goto(portal.url(CARVIN, f"/compte/demandes/{reference}/"))
    expect(citizen.locator("dl.submission-summary .status-badge")).to_have_text("Confirmée")
    paid = citizen.get_by_role("region", name="Paiement de 370,00 €")
    expect(paid).to_contain_text("Payée le")
    expect(paid.get_by_role("link", name="Voir le reçu")).to_be_visible()
    expect(citizen.get_by_role("region", name="Documents délivrés par la mairie")).to_contain_text(
        "Autorisation d'occupation de salle"
    )
    _check(citizen, "04-paid")
    citizen.goto(portal.url(CARVIN, "/paiement/releve/"))
    expect(citizen.get_by_role("row").filter(has_text=f"{reference}-P1")).to_contain_text(
        "Payée en ligne"
    )
