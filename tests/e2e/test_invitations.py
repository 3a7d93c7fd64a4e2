"""A supervisor invites a new agent from the staff screen; the agent opens
the e-mailed link in another browser, chooses a password, sets up their
authenticator app and lands in the admin. axe-core on each page of the
invitation's flow. The e-mails are in ``django.core.mail.outbox`` (the
``mailoutbox`` fixture).
"""

import re
from base64 import b32decode

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from .helpers import (
    CARVIN,
    admin_sign_in,
    axe_violations,
    form_field,
    format_violations,
    screenshot,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

PASSWORD = "une phrase de passe solide"


def _check(page, name: str, found: dict) -> None:
    page.wait_for_load_state("load")
    screenshot(page, f"invitation-{name}")
    violations = axe_violations(page)
    if violations:
        found[name] = format_violations(page.url, violations)


def test_an_invited_agent_sets_up_their_account_in_one_flow(portal, new_page, mailoutbox):
    found = {}
    supervisor = new_page()
    admin_sign_in(supervisor, portal, "regie.carvin", "regie-carvin-demo")
    supervisor.goto(portal.url(CARVIN, "/admin/staff/"))
    supervisor.get_by_role("link", name="Inviter une personne").first.click()
    form_field(supervisor, "Prénom").fill("Inès")
    form_field(supervisor, "Nom").fill("Haddad")
    form_field(supervisor, "Adresse de courriel").fill("ines.haddad@example.org")
    supervisor.get_by_label("Carvin — Agents").check()
    supervisor.get_by_role("button", name="Envoyer l’invitation").click()
    expect(supervisor.get_by_text("Invitation envoyée à Inès Haddad")).to_be_visible()

    link = re.search(r"http://\S+/admin/invitation/\S+/", mailoutbox[-1].body)[0]
    person = new_page()
    person.goto(link)
    expect(person.get_by_text("inès.haddad")).to_be_visible()
    _check(person, "password", found)
    form_field(person, "Nouveau mot de passe").fill(PASSWORD)
    form_field(person, "Confirmation du nouveau mot de passe").fill(PASSWORD)
    person.get_by_role("button", name="Continuer").click()

    secret = person.locator("#second-factor-secret").inner_text().replace(" ", "")
    _check(person, "second-factor", found)
    person.locator("input[name=code]").fill(
        f"{totp(b32decode(secret + '=' * (-len(secret) % 8))):06d}"
    )
    person.get_by_role("button", name="Confirmer").click()
    expect(person.locator(".second-factor__codes li")).to_have_count(10)
    person.locator("[data-codes-kept]").click()
    expect(person).to_have_url(re.compile(r"/admin/$"))

    person.goto(link)
    expect(person.get_by_role("heading", level=1)).to_have_text(
        "Ce lien d’invitation ne fonctionne plus"
    )
    _check(person, "closed", found)
    assert not found, "\n\n".join(found.values())
