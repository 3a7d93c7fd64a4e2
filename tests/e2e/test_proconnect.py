"""ProConnect in Chromium, against the local provider of the tests
(``tests.identity_provider``), at 1280 px: Carvin's agent of the demo presses
"Se connecter avec ProConnect" on the admin's login page, signs in at the
provider, sets up the authenticator app the admin still asks for, reaches the
dashboard, then logs out of the admin and of ProConnect; a professional whose
address is of no staff account gets the refusal page. axe-core finds nothing
on the new pages (login, refusal, logging out of ProConnect, logged out).

Writes to the demo database (the agent's app and recovery codes); the
module's database is put back when it is done (``conftest.demo_portal``).
"""

import re
from base64 import b32decode

import pytest
from playwright.sync_api import expect

from tests.identity_provider import AGENT, PRO, offer_proconnect

from . import helpers
from .helpers import CARVIN, axe_violations, format_violations, screenshot

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


@pytest.fixture
def proconnect(settings, identity_provider):
    """The platform's ProConnect client, at the local provider (the live
    server reads the same settings)."""
    offer_proconnect(settings, identity_provider)
    return identity_provider


def _no_cdn(page):
    """The provider's pages ask a CDN for their style sheet: offline here."""
    page.route(re.compile(r"^https://cdn\.jsdelivr\.net/"), lambda route: route.abort())


def _accessible(page, name: str) -> None:
    page.wait_for_load_state("load")
    # Wagtail's messages fade in: their colours are checked once shown.
    page.evaluate("Promise.all(document.getAnimations().map((a) => a.finished))")
    screenshot(page, f"proconnect-{name}")
    violations = axe_violations(page)
    assert not violations, format_violations(page.url, violations)
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow, f"{name} scrolls sideways"


def _sign_in_at_proconnect(page, portal, sub: str) -> None:
    _no_cdn(page)
    page.goto(portal.url(CARVIN, "/admin/"))
    expect(page).to_have_url(re.compile(r"/admin/login/\?next=/admin/$"))
    button = page.get_by_role("link", name="Se connecter avec ProConnect")
    expect(button).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Qu’est-ce que ProConnect"))).to_be_visible()
    _accessible(page, "login")
    button.click()
    page.get_by_role("button", name=sub, exact=True).click()


def test_an_agent_signs_in_with_proconnect_then_the_app_and_logs_out_of_both(
    proconnect, portal, page
):
    assert page.viewport_size["width"] == 1280

    # A professional whose address no staff account has: refused, and told why.
    _sign_in_at_proconnect(page, portal, PRO.sub)
    expect(page.get_by_role("heading", name="Connexion avec ProConnect impossible")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Pro.Agent@Mairie.example")
    _accessible(page, "refused")
    page.get_by_role("link", name="Retour à la page de connexion").click()
    expect(page).to_have_url(re.compile(r"/admin/login/$"))

    # Carvin's agent: ProConnect, then the admin's own second factor.
    _sign_in_at_proconnect(page, portal, AGENT.sub)
    expect(page).to_have_url(re.compile(r"/admin/second-factor/setup/\?next=%2Fadmin%2F$"))
    secret = page.locator("#second-factor-secret").inner_text().replace(" ", "")
    helpers._APP_KEYS["agent.carvin"] = b32decode(secret + "=" * (-len(secret) % 8))
    helpers.type_app_code(page, "agent.carvin")
    expect(page).to_have_url(re.compile(r"/admin/second-factor/recovery-codes/"))
    page.locator("[data-codes-kept]").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    # Logging out of the admin ends the ProConnect session too: the page that
    # sends the browser there is held back once, to be checked.
    end_session = re.compile(re.escape(proconnect) + r"/oauth2/end_session\?")
    page.route(end_session, lambda route: route.abort("aborted"), times=1)
    page.locator(".sidebar-footer__account").click()
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("heading", name="Déconnexion de ProConnect")).to_be_visible()
    _accessible(page, "logging-out")
    page.get_by_role("link", name="Fermer ma session ProConnect").click()
    expect(page).to_have_url(end_session)
    page.get_by_role("button", name="End session").click()
    expect(page).to_have_url(re.compile(r"/admin/login/$"))
    expect(page.get_by_text("Vous êtes aussi déconnecté de ProConnect.")).to_be_visible()
    _accessible(page, "logged-out")
