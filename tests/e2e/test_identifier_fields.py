"""An association asks for a grant: its SIRET number and the IBAN to pay it
into, typed as printed on its documents, checked with their check digits; the
commune of its seat, offered from its postcode."""

import re

import pytest
from playwright.sync_api import expect

from .helpers import (
    CARVIN,
    axe_violations,
    citizen_log_in,
    form_field,
    format_violations,
    screenshot,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

CITIZEN = ("amélie.lire", "amelie-carvin-demo")


def _next(page) -> None:
    page.locator("#step-form button[name=action][value=next]").click()


def _check(page, name: str) -> None:
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"identifiers-{name}-{width}")
        violations = axe_violations(page)
        assert not violations, format_violations(page.url, violations)
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, f"{name} scrolls sideways at {width} px"
    page.set_viewport_size({"width": 1280, "height": 900})


def _expect_refused(page, label: str, message: str) -> None:
    """The field is marked invalid and the message is read with it."""
    field = form_field(page, label)
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(re.compile(re.escape(message)))


def test_an_association_types_its_siret_and_iban_and_is_told_what_to_check(portal, page):
    citizen_log_in(page, portal, *CITIZEN)
    page.goto(portal.url(CARVIN, "/services/subvention-association/etape/1/"))
    form_field(page, "Nom de l'association").fill("Les Amis du Bois")
    form_field(page, "Numéro RNA").fill("W623001234")
    form_field(page, "Numéro SIRET").fill("732 829 320 00075")
    seat = page.get_by_role("group", name=re.compile("Commune du siège"))
    seat.get_by_label("Code postal").fill("62220")
    expect(seat.get_by_label("Commune")).to_have_value("Carvin")
    form_field(page, "Objet de l'association et activités principales").fill("Randonnées.")
    form_field(page, "Nombre d'adhérents").fill("40")
    form_field(page, "Dont habitants de la commune").fill("31")
    form_field(page, "Votre fonction dans l'association").fill("Trésorière")
    form_field(page, "Adresse électronique de l'association").fill("amis.du.bois@example.org")
    _next(page)

    _expect_refused(page, "Numéro SIRET", "Ce numéro comporte une erreur de saisie")
    expect(form_field(page, "Nom de l'association")).to_have_value("Les Amis du Bois")
    expect(seat.get_by_label("Commune")).to_have_value("Carvin")
    _check(page, "01-siret-mistyped")
    form_field(page, "Numéro SIRET").fill("732 829 320 00074")
    _next(page)

    page.get_by_role("group", name=re.compile("Vous demandez une subvention")).get_by_role(
        "radio"
    ).first.check()
    form_field(page, "Montant demandé (€)").fill("800")
    form_field(page, "Budget total de l'association ou du projet (€)").fill("5000")
    page.get_by_role("group", name=re.compile("a-t-elle reçu une subvention")).get_by_role(
        "radio", name="Non"
    ).check()
    _next(page)

    form_field(page, "IBAN du compte de l'association").fill("DE89 3704 0044 0532 0130 00")
    _next(page)
    _expect_refused(
        page, "IBAN du compte de l'association", "Indiquez l'IBAN d'un compte tenu en France"
    )
    expect(form_field(page, "IBAN du compte de l'association")).to_have_value(
        "DE89 3704 0044 0532 0130 00"
    )
    _check(page, "02-iban-foreign")
