"""The Content-Security-Policy in Chromium: the key pages of the public site
and of the Wagtail admin, used as a citizen and an agent would, break none of
its rules (no inline script blocked, nothing from another origin).

The accessibility of these pages is checked by the other e2e modules. This
module writes to the database: Amélie Lire pays an invoice of Carvin, the
platform admin uploads an image and publishes Carvin's school enrolment; the
module's demo database is put back as it was when the module is done
(``demo_portal`` in conftest.py).
"""

import base64
import re
from urllib.parse import urljoin

import pytest
from playwright.sync_api import expect

from .helpers import CARVIN, SAINT_ANDRE, admin_sign_in, form_field, watch_csp_violations

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

PIXEL = {
    "name": "pixel.png",
    "mimeType": "image/png",
    "buffer": base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
    ),
}
INLINE_SCRIPT = """() => {
    const script = document.createElement("script");
    script.textContent = "window.injected = true";
    document.head.append(script);
}"""


def _settle(page) -> None:
    page.wait_for_load_state("networkidle")


def test_the_public_pages_break_no_rule_of_the_policy(portal, page):
    violations = watch_csp_violations(page)
    # The watch sees what the policy blocks: an inline script added by hand.
    page.goto(portal.url(CARVIN, "/"))
    with page.expect_console_message(lambda message: "CSP violation" in message.text):
        page.evaluate(INLINE_SCRIPT)
    assert any("script-src-elem blocked inline" in violation for violation in violations)
    violations.clear()

    for host in (CARVIN, SAINT_ANDRE):
        for path in ("/", "/services/", "/compte/connexion/", "/compte/creer/"):
            page.goto(portal.url(host, path))
            _settle(page)
        page.goto(portal.url(host, "/faq/"))
        page.get_by_role("searchbox").fill("paiement")
        page.get_by_role("button", name="Rechercher").click()
        _settle(page)

    # The self-hosted captcha solves its challenge in a worker.
    page.goto(portal.url(CARVIN, "/paiement/payer-une-facture/"))
    form_field(page, "Numéro de facture").fill("CAR-V-00900")
    verified = page.get_by_role("checkbox", name="Vérifié : vous n'êtes pas un robot")
    expect(verified).to_be_checked(timeout=30_000)

    page.goto(portal.url(CARVIN, "/compte/connexion/"))
    page.get_by_role("textbox", name="Identifiant").fill("amélie.lire")
    form_field(page, "Mot de passe").fill("amelie-carvin-demo")
    page.get_by_role("main").get_by_role("button", name="Connexion").click()
    expect(page).to_have_url(portal.url(CARVIN, "/compte/"))
    for path in ("/compte/profil/", "/compte/mot-de-passe/", "/compte/donnees/", "/paiement/"):
        page.goto(portal.url(CARVIN, path))
        _settle(page)

    # A démarche's conditional field, shown and hidden by static/js/forms.js.
    page.goto(portal.url(CARVIN, "/services/inscription-scolaire/etape/1/"))
    question = page.get_by_role("group", name=re.compile("actuellement scolarisé"))
    current_school = form_field(page, "Nom et commune de l'école actuelle")
    question.get_by_role("radio", name="Oui", exact=True).check()
    expect(current_school).to_be_visible()
    question.get_by_role("radio", name="Non", exact=True).check()
    expect(current_school).to_be_hidden()

    # Paying through the local test bank and back.
    page.goto(portal.url(CARVIN, "/paiement/"))
    page.get_by_role("button", name="Ajouter la facture CAR-V-00103 au panier").click()
    page.goto(portal.url(CARVIN, "/paiement/panier/"))
    page.get_by_role("button", name=re.compile("^Payer .* par carte bancaire$")).click()
    expect(page.get_by_role("heading", name="Banque de test")).to_be_visible()
    page.get_by_role("button", name="Payer", exact=True).click()
    expect(page.get_by_role("heading", name="Paiement accepté")).to_be_visible()

    assert violations == []


def test_the_admin_breaks_no_rule_of_the_policy(portal, page):
    violations = watch_csp_violations(page)
    admin_sign_in(page, portal, "admin", "portail-admin-demo")
    _settle(page)

    for path in (
        "/admin/pages/",
        "/admin/snippets/services/submission/",
        "/admin/snippets/services/messagetemplate/",
        "/admin/images/",
        "/admin/documents/",
        "/admin/reports/site-history/",
        "/admin/reports/agents-actions/",
        "/admin/users/",
        "/admin/second-factor/manage/",
    ):
        page.goto(portal.url(CARVIN, path))
        _settle(page)

    # A request's inspect view, and the status form (admin-status-form.js).
    page.goto(portal.url(CARVIN, "/admin/snippets/services/submission/"))
    page.locator("main table a[href*='/inspect/']").first.click()
    _settle(page)

    # Uploading an image shows its preview (a blob: URL) before it is saved.
    page.goto(portal.url(CARVIN, "/admin/images/multiple/add/"))
    page.set_input_files("#fileupload", files=[PIXEL])
    expect(page.locator(".upload-list li").first).to_be_visible()
    _settle(page)

    # The commune's settings: the logo's image chooser, a modal.
    page.goto(portal.url(CARVIN, "/admin/settings/cms/communesettings/"))
    _settle(page)
    page.locator("button[data-chooser-action-choose]").first.dispatch_event("click")
    expect(page.locator(".modal-content")).to_be_visible()
    _settle(page)

    # A démarche: its form is a StreamField, with rich text; edit, preview and
    # publish. Reached from the public page, through Wagtail's user bar.
    page.goto(portal.url(CARVIN, "/services/inscription-scolaire/"))
    _settle(page)
    edit = page.locator("wagtail-userbar a[href$='/edit/']").first.get_attribute("href")
    page.goto(urljoin(page.url, edit))
    _settle(page)
    editor = page.locator(".public-DraftEditor-content").filter(visible=True).first
    editor.click()
    page.keyboard.type(" Mise à jour.")
    page.locator("button[data-side-panel-toggle=preview]").click()
    page.wait_for_timeout(1500)
    page.locator("footer [data-w-dropdown-target=toggle]").last.click()
    page.locator("button[name=action-publish]").click()
    expect(page.locator(".messages")).to_contain_text("publiée")

    assert violations == []
