"""Paying invoices in Chromium, as a citizen of the demo would: "Mes comptes",
the cart and its refusal, the local test bank, the return page, the receipt
(page, PDF, e-mail) and the statement; axe-core on each of these pages.

Like ``test_accounts.py``, this module writes to the database: each test pays
invoices of its own demo household (Amélie Lire in Carvin for the journey,
Élodie Martin in Saint-André-des-Eaux for the accessibility checks, the
family without an account for paying with a key), which no other test of
the module touches; the module's demo database is put back as it was when
the module is done (``demo_portal`` in conftest.py).

The test bank notifies the portal from the live server's thread, through the
immediate task backend, as a bank's server would; e-mails land in
``django.core.mail.outbox`` (the ``mailoutbox`` fixture).
"""

import re

import pytest
from playwright.sync_api import expect

from .helpers import (
    CARVIN,
    SAINT_ANDRE,
    axe_violations,
    broken_aria_references,
    form_field,
    format_violations,
    screenshot,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

SEED_REFUSAL = (
    "Impossible d'ajouter cet article, vous devez d'abord payer ceux en attente dans votre panier"
)


def _log_in(page, portal, host: str, login: str, password: str) -> None:
    page.goto(portal.url(host, "/compte/connexion/"))
    page.get_by_role("textbox", name="Identifiant").fill(login)
    form_field(page, "Mot de passe").fill(password)
    page.get_by_role("main").get_by_role("button", name="Connexion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon compte")


def _add_to_cart(page, number: str) -> None:
    page.get_by_role("button", name=f"Ajouter la facture {number} au panier").click()


def _check_accessibility(page, name: str) -> None:
    page.wait_for_load_state("load")
    screenshot(page, name)
    violations = axe_violations(page)
    assert not violations, format_violations(page.url, violations)
    assert broken_aria_references(page) == []


def test_a_household_pays_its_invoices_of_one_regie_then_finds_them_in_its_statement(
    portal, page, mailoutbox
):
    _log_in(page, portal, CARVIN, "amélie.lire", "amelie-carvin-demo")
    page.get_by_role("link", name="Mes comptes").click()
    expect(page.get_by_role("heading", name="Factures à payer")).to_be_visible()
    rows = page.get_by_role("row")
    expect(rows.filter(has_text="CAR-V-00103")).to_contain_text("38,35")

    _add_to_cart(page, "CAR-V-00103")
    expect(page.get_by_role("status")).to_contain_text(
        "La facture CAR-V-00103 est dans votre panier."
    )
    _add_to_cart(page, "CAR-C-00202")
    refusal = page.get_by_role("status")
    expect(refusal).to_contain_text(SEED_REFUSAL)
    refusal.get_by_role("link", name="Accéder à votre panier").click()

    expect(page.get_by_role("heading", name="Mon panier")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Factures de la régie « Ville ».")
    expect(page.get_by_role("main")).not_to_contain_text("CAR-C-00202")
    page.get_by_role("button", name="Payer 38,35 € par carte bancaire").click()

    expect(page.get_by_role("heading", name="Banque de test")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("38,35 €")
    page.get_by_role("button", name="Payer", exact=True).click()

    expect(page.get_by_role("heading", name="Paiement accepté")).to_be_visible()
    order = re.search(r"sous le numéro (P\w+)", page.get_by_role("main").inner_text()).group(1)
    page.get_by_role("link", name="Voir le reçu").click()
    expect(page.get_by_role("heading", name="Reçu de paiement")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("CAR-V-00103")
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le reçu (PDF)").click()
    assert download.value.suggested_filename == f"recu-{order}.pdf"

    page.get_by_role("link", name="Consulter votre relevé").click()
    expect(page.get_by_role("row").filter(has_text="CAR-V-00103")).to_contain_text("Payée en ligne")
    page.get_by_role("link", name="Factures à payer").click()
    expect(page.get_by_role("main")).not_to_contain_text("CAR-V-00103")
    receipts = [m for m in mailoutbox if "Reçu de votre paiement" in m.subject]
    assert len(receipts) == 1
    assert receipts[0].attachments[0][0] == f"recu-{order}.pdf"

    page.get_by_role("button", name="Se déconnecter").click()
    _log_in(page, portal, CARVIN, "amélie.lire", "amelie-carvin-demo")
    page.goto(portal.url(CARVIN, "/paiement/panier/"))
    expect(page.get_by_role("main")).to_contain_text("Votre panier est vide.")


def test_statement_cart_return_and_receipt_pages_have_no_axe_violation(portal, page):
    _log_in(page, portal, SAINT_ANDRE, "élodie.martin", "elodie-saint-andre-demo")
    page.goto(portal.url(SAINT_ANDRE, "/paiement/"))
    _check_accessibility(page, "saint-andre-factures-a-payer")
    page.goto(portal.url(SAINT_ANDRE, "/paiement/releve/"))
    _check_accessibility(page, "saint-andre-releve")

    page.goto(portal.url(SAINT_ANDRE, "/paiement/"))
    _add_to_cart(page, "SAE-C-00202")
    _add_to_cart(page, "SAE-V-00103")
    _check_accessibility(page, "saint-andre-panier-refus")
    page.goto(portal.url(SAINT_ANDRE, "/paiement/panier/"))
    _check_accessibility(page, "saint-andre-panier")

    page.get_by_role("button", name=re.compile("^Payer .* par carte bancaire$")).click()
    page.get_by_role("button", name="Refuser le paiement").click()
    expect(page.get_by_role("heading", name="Paiement refusé")).to_be_visible()
    _check_accessibility(page, "saint-andre-retour-refuse")

    page.get_by_role("link", name="Accéder à votre panier").last.click()
    page.get_by_role("button", name=re.compile("^Payer .* par carte bancaire$")).click()
    page.get_by_role("button", name=re.compile("^Payer sans prévenir")).click()
    expect(page.get_by_role("heading", name="Paiement en cours de vérification")).to_be_visible()
    _check_accessibility(page, "saint-andre-retour-en-cours")

    page.get_by_role("link", name="Vérifier à nouveau").click()
    expect(page.get_by_role("heading", name="Paiement accepté")).to_be_visible()
    _check_accessibility(page, "saint-andre-retour-paye")
    page.get_by_role("link", name="Voir le reçu").click()
    _check_accessibility(page, "saint-andre-recu")


def test_paying_an_invoice_with_its_number_and_key_without_an_account(portal, page, mailoutbox):
    page.goto(portal.url(CARVIN, "/paiement/payer-une-facture/"))
    form_field(page, "Numéro de facture").fill("CAR-V-00900")
    form_field(page, "Clé de paiement").fill("K7QX2M9R")
    # The check starts by itself as soon as the form is used (auto="onfocus").
    verified = page.get_by_role("checkbox", name="Vérifié : vous n'êtes pas un robot")
    expect(verified).to_be_checked(timeout=30_000)
    _check_accessibility(page, "carvin-payer-une-facture")
    page.get_by_role("button", name="Trouver la facture").click()

    expect(page.get_by_role("main")).to_contain_text("Famille Durand")
    form_field(page, "Adresse de courriel").fill("durand@example.org")
    page.get_by_role("button", name="Payer 27,90 € par carte bancaire").click()
    page.get_by_role("button", name="Payer", exact=True).click()

    expect(page.get_by_role("heading", name="Paiement accepté")).to_be_visible()
    _check_accessibility(page, "carvin-retour-sans-compte")
    assert [m.to for m in mailoutbox if "Reçu" in m.subject] == [["durand@example.org"]]
