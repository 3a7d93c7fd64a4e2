"""FranceConnect in Chromium, against the local provider of the tests
(``tests.identity_provider``): a newcomer presses the button, consents at
the provider, completes the new account and sends a démarche that asks for a
certified identity, with that identity prefilled; the demo's Amélie Lire
links her existing account with its password. axe-core finds nothing on the
new pages, at desktop and phone widths.

This module writes to the database: the account of the newcomer (an identity
no other test uses), Amélie Lire's link and the démarche made for it; the
module's demo database is put back when it is done (``demo_portal``).
"""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import AccountSettings
from tests.identity_provider import AMELIE, MARIE, offer_franceconnect
from tests.services.factories import field, service_page, step

from .helpers import CARVIN, axe_violations, form_field, format_violations, screenshot

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

DEMARCHE = "/services/attestation-d-accueil/"


@pytest.fixture(scope="module")
def franceconnect_portal(demo_portal, django_db_blocker, identity_provider):
    """Carvin signs citizens in at the local provider of the tests, and has a
    démarche asking for a certified identity. Made before the browser starts
    (Django refuses database calls beside Playwright's loop)."""
    from wagtail.models import Site

    with django_db_blocker.unblock():
        carvin = Site.objects.get(hostname=CARVIN)
        settings = AccountSettings.for_site(carvin)
        offer_franceconnect(carvin, identity_provider, client_id=settings.franceconnect_client_id)
        service_page(
            carvin,
            "Attestation d'accueil",
            slug="attestation-d-accueil",
            category="Citoyenneté",
            form=[
                step(
                    "Vous",
                    field("short_text", "Prénoms", "prenoms", prefill="first_name"),
                    field("short_text", "Nom", "nom", prefill="last_name"),
                    field("date", "Date de naissance", "naissance", prefill="birth_date"),
                    field("short_text", "Personne accueillie", "accueilli"),
                )
            ],
            requires_franceconnect=True,
        )


def _no_cdn(page):
    """The provider's pages ask a CDN for their style sheet: offline here."""
    page.route(re.compile(r"^https://cdn\.jsdelivr\.net/"), lambda route: route.abort())


def _accessible(page, name: str) -> None:
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"franceconnect-{name}-{width}")
        violations = axe_violations(page)
        assert not violations, format_violations(page.url, violations)
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, f"{name} scrolls sideways at {width} px"
    page.set_viewport_size({"width": 1280, "height": 900})


def _sign_in_at_the_provider(page, portal, sub: str) -> None:
    _no_cdn(page)
    page.goto(portal.url(CARVIN, "/compte/connexion/"))
    _accessible(page, "login")
    page.get_by_role("button", name=re.compile("FranceConnect$")).first.click()
    page.get_by_role("button", name=sub, exact=True).click()


def test_newcomer_signs_in_completes_the_account_and_sends_a_certified_demarche(
    franceconnect_portal, portal, page
):
    _sign_in_at_the_provider(page, portal, MARIE)

    expect(page).to_have_url(portal.url(CARVIN, "/compte/franceconnect/bienvenue/"))
    expect(page.get_by_role("heading", name="Identité certifiée par FranceConnect")).to_be_visible()
    expect(page.get_by_text("Marie Claire", exact=True)).to_be_visible()
    _accessible(page, "welcome")
    expect(form_field(page, "Adresse de courriel")).to_have_value("marie.dupont@example.org")
    page.get_by_role("textbox", name="Téléphone").fill("06 12 34 56 78")
    form_field(page, "Numéro et voie").fill("3 rue Jean Jaurès")
    form_field(page, "Code postal").fill("62220")
    form_field(page, "Ville").fill("Carvin")
    page.get_by_label(re.compile("J'accepte")).check()
    page.get_by_role("button", name="Créer mon compte").click()

    expect(page).to_have_url(portal.url(CARVIN, "/compte/"))
    expect(page.get_by_text("Votre identifiant est marie.dupont")).to_be_visible()
    page.goto(portal.url(CARVIN, "/compte/profil/"))
    expect(page.get_by_text("Identité certifiée par FranceConnect").first).to_be_visible()
    _accessible(page, "profile")

    page.goto(portal.url(CARVIN, DEMARCHE))
    page.get_by_role("link", name="Commencer").click()
    expect(form_field(page, "Prénoms")).to_have_value("Marie Claire")
    expect(form_field(page, "Nom")).to_have_value("Dupont")
    expect(form_field(page, "Date de naissance")).to_have_value("1985-03-14")
    expect(page.get_by_text("Certifié par FranceConnect.").first).to_be_visible()
    _accessible(page, "demarche-step")
    form_field(page, "Personne accueillie").fill("Jeanne Dupont")
    page.locator("#step-form button[name=action][value=next]").click()
    page.get_by_role("button", name=re.compile("^Envoyer")).click()
    expect(
        page.get_by_role("heading", name=re.compile("envoyée|reçue", re.I)).first
    ).to_be_visible()


def test_an_existing_account_is_linked_with_its_password(franceconnect_portal, portal, page):
    _sign_in_at_the_provider(page, portal, AMELIE.sub)

    expect(page).to_have_url(portal.url(CARVIN, "/compte/franceconnect/bienvenue/"))
    expect(page.get_by_text("utilise déjà l'adresse électronique")).to_be_visible()
    page.get_by_role("link", name="Relier mon compte existant").click()
    expect(page).to_have_url(portal.url(CARVIN, "/compte/franceconnect/relier/"))
    _accessible(page, "link")
    with_password = page.get_by_role("region", name="Avec le mot de passe du compte")
    form_field(with_password, "Identifiant").fill("amélie.lire")
    form_field(with_password, "Mot de passe").fill("amelie-carvin-demo")
    with_password.get_by_role("button", name="Relier mon compte").click()

    expect(page).to_have_url(portal.url(CARVIN, "/compte/"))
    expect(page.get_by_text("Votre compte est maintenant relié à FranceConnect.")).to_be_visible()
    page.goto(portal.url(CARVIN, "/compte/profil/"))
    expect(page.get_by_text("amélie.lire", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Supprimer le lien avec FranceConnect")).to_be_visible()
