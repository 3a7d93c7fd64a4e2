"""A first sign-in to the admin in a real browser: password, authenticator
app set up with the QR code, recovery codes, dashboard; axe-core on each page.

Writes to the demo database (the platform admin's app and codes); the module's
database is restored when it ends (``conftest.demo_portal``).
"""

import re
from base64 import b32decode

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from .helpers import CARVIN, admin_sign_in, axe_violations, format_violations, screenshot

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

ADMIN = {"identifier": "admin", "password": "portail-admin-demo"}
AGENT = {"identifier": "agent.carvin", "password": "agent-carvin-demo"}
CITIZEN = {"identifier": "amélie.lire", "password": "amelie-carvin-demo"}


def _check(page, name: str, found: dict) -> None:
    page.wait_for_load_state("load")
    screenshot(page, f"second-factor-{name}")
    violations = axe_violations(page)
    if violations:
        found[name] = format_violations(page.url, violations)


def test_first_admin_sign_in_sets_up_the_app_then_reaches_the_dashboard(portal, page):
    found = {}
    page.goto(portal.url(CARVIN, "/admin/pages/"))
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    page.locator("input[name=username]").fill(ADMIN["identifier"])
    page.locator("input[name=password]").fill(ADMIN["password"])
    page.get_by_role("button", name="S'identifier").click()

    # Setup: the QR code drawn in the page, and the key to type instead.
    expect(page).to_have_url(re.compile(r"/admin/second-factor/setup/\?next=%2Fadmin%2Fpages%2F"))
    qr = page.locator(".second-factor__qr svg")
    expect(qr).to_be_visible()
    assert qr.bounding_box()["width"] >= 150
    secret = page.locator("#second-factor-secret").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    _check(page, "setup", found)

    # The admin stays closed until the code is typed.
    page.goto(portal.url(CARVIN, "/admin/reports/agents-actions/"))
    expect(page).to_have_url(re.compile(r"/admin/second-factor/setup/\?next=%2Fadmin%2Freports"))

    key = b32decode(secret)
    code = page.locator("input[name=code]")
    code.fill(f"{(totp(key) + 500_000) % 1_000_000:06d}")  # not the app's code
    code.press("Enter")
    expect(page.locator(".error-message")).to_be_visible()
    _check(page, "setup-wrong-code", found)

    page.wait_for_timeout(1100)  # a wrong code makes the next one wait a second
    code = page.locator("input[name=code]")
    code.fill(f"{totp(key):06d}")
    code.press("Enter")

    # The recovery codes, shown once, to print or download.
    expect(page).to_have_url(re.compile(r"/admin/second-factor/recovery-codes/"))
    codes = page.locator(".second-factor__codes li")
    expect(codes).to_have_count(10)
    assert all(re.fullmatch(r"[a-z2-7]{8}", c.strip()) for c in codes.all_inner_texts())
    with page.expect_download() as download:
        page.locator("a[download]").click()
    assert download.value.suggested_filename.endswith(".txt")
    _check(page, "recovery-codes", found)
    page.locator("[data-codes-kept]").click()

    # Where the admin was going.
    expect(page).to_have_url(re.compile(r"/admin/reports/agents-actions/$"))
    page.goto(portal.url(CARVIN, "/admin/"))
    expect(page.get_by_role("navigation", name="Menu principal")).to_be_visible()
    screenshot(page, "second-factor-dashboard")

    assert not found, "\n\n".join(found.values())


def test_the_admin_warns_before_the_session_ends_and_can_log_out(portal, page, settings):
    admin_sign_in(page, portal, AGENT["identifier"], AGENT["password"])
    settings.SESSION_IDLE_TIMEOUT_STAFF = 8
    settings.SESSION_IDLE_WARNING = 6
    page.goto(portal.url(CARVIN, "/admin/"))

    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_be_visible(timeout=6000)
    stay = dialog.locator("[data-session-stay]")
    expect(stay).to_be_focused()
    found = {}
    _check(page, "admin-warning", found)
    assert not found, "\n\n".join(found.values())

    dialog.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    page.goto(portal.url(CARVIN, "/admin/"))
    expect(page).to_have_url(re.compile(r"/admin/login/"))


def test_the_portal_warns_then_sends_to_the_login_page(portal, page, settings):
    settings.SESSION_IDLE_TIMEOUT_CITIZEN = 10
    settings.SESSION_IDLE_WARNING = 6
    page.goto(portal.url(CARVIN, "/compte/connexion/"))
    page.get_by_role("textbox", name="Identifiant").fill(CITIZEN["identifier"])
    page.locator("input[name=password]").fill(CITIZEN["password"])
    page.get_by_role("main").get_by_role("button", name="Connexion").click()
    expect(page).to_have_url(portal.url(CARVIN, "/compte/"))
    page.goto(portal.url(CARVIN, "/compte/profil/"))

    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_be_visible(timeout=8000)
    expect(dialog.locator("[data-session-stay]")).to_be_focused()
    expect(dialog.locator("[data-session-remaining]")).to_have_text(re.compile(r"seconde"))
    found = {}
    _check(page, "portal-warning", found)
    assert not found, "\n\n".join(found.values())

    # "Stay logged in" (the keyboard is enough): the warning goes, and comes back.
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(dialog).to_be_visible(timeout=8000)

    # Nobody answers: the login page, which says why and where it goes back to.
    expect(page).to_have_url(
        re.compile(r"/compte/connexion/\?next=%2Fcompte%2Fprofil%2F"), timeout=15000
    )
    expect(page.get_by_role("status")).to_contain_text(re.compile(r"[Ss]ession"))
    page.goto(portal.url(CARVIN, "/compte/profil/"))
    expect(page).to_have_url(re.compile(r"/compte/connexion/"))
