"""A commune onboarded from the admin, from nothing to its first request: the
platform admin creates L'Île-d'Yeu ("en préparation", with its legal pages,
its FAQ as a draft, its message templates, a test régie and the catalogue's
démarches as drafts) and invites its communication officer, who sets up
their account and second factor from the e-mailed link, reviews the legal
pages and publishes a démarche; the platform admin opens the portal, and a
citizen with no account requests a death certificate there and gets a
reference of the commune, ``LIL-…``. The setup checklist ticks as they go.
"""

import re
from base64 import b32decode
from concurrent.futures import ThreadPoolExecutor

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from cms.models import CommuneSettings
from home.models import ContentPage
from services.models import ServicePage, Submission

from .helpers import CARVIN, admin_sign_in, form_field, screenshot

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

YEU = "ile-d-yeu.localhost"
PASSWORD = "une phrase de passe solide"
LEGAL_PAGES = ("mentions-legales", "accessibilite", "donnees-personnelles")


def _db(query):
    """The answer of ``query`` (a function reading the database), asked from
    a thread of its own: Django refuses database calls beside Playwright's
    loop."""
    from django.db import connection

    def run():
        try:
            return query()
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()


def _publish_in_editor(page, admin: str, page_id: int) -> None:
    """Open a page in the editor of the admin at ``admin``, as after reading
    it, and publish it."""
    page.goto(f"{admin}/admin/pages/{page_id}/edit/")
    page.locator("footer").get_by_role("button", name="Plus d'actions").click()
    page.locator("footer").get_by_role("button", name="Publier").click()
    expect(page).to_have_url(re.compile(r"/admin/pages/\d+/$"))
    expect(page.get_by_role("status").or_(page.locator(".messages"))).to_contain_text("publiée")


def _group(page, legend: str):
    return page.get_by_role("group", name=re.compile(rf"^\s*{re.escape(legend)}(\s*\*)?\s*$"))


def _next(page) -> None:
    page.locator("#step-form button[name=action][value=next]").click()


def test_a_commune_created_from_the_admin_goes_live_and_takes_its_first_request(
    portal, new_page, mailoutbox
):
    # 1. The platform admin creates the commune.
    operator = new_page()
    admin_sign_in(operator, portal, "admin", "portail-admin-demo")
    operator.goto(portal.url(CARVIN, "/admin/communes/new/"))
    form_field(operator, "Nom officiel").fill("L'Île-d'Yeu")
    form_field(operator, "Nom d’hôte").fill(YEU)
    form_field(operator, "Port").fill(str(portal.port))
    operator.get_by_role("button", name="Créer la commune").click()
    expect(operator.locator(".commune-dns")).to_contain_text(YEU)
    screenshot(operator, "onboarding-01-created")
    commune = _db(lambda: CommuneSettings.objects.select_related("site").get(site__hostname=YEU))
    assert commune.phrase == "la mairie de L'Île-d'Yeu"
    assert not commune.is_open
    site = commune.site
    demarches = _db(
        lambda: list(ServicePage.objects.descendant_of(site.root_page).values_list("slug", "live"))
    )
    assert "acte-de-deces" in dict(demarches) and not any(live for _slug, live in demarches)

    # Nobody but its staff sees the portal yet.
    citizen = new_page()
    citizen.goto(portal.url(YEU, "/"))
    expect(citizen.get_by_role("main")).to_contain_text("en préparation")

    # 2. It invites the communication officer.
    operator.goto(portal.url(CARVIN, "/admin/staff/"))
    operator.get_by_role("link", name="Inviter une personne").first.click()
    form_field(operator, "Prénom").fill("Maëlle")
    form_field(operator, "Nom").fill("Le Goff")
    form_field(operator, "Adresse de courriel").fill("maelle.legoff@example.org")
    operator.get_by_label("L'Île-d'Yeu — Communication").check()
    operator.get_by_role("button", name="Envoyer l’invitation").click()
    expect(operator.get_by_text("Invitation envoyée à Maëlle Le Goff")).to_be_visible()

    # 3. She accepts: a password, her authenticator app, her recovery codes.
    link = re.search(r"(http://[^/\s]+)/admin/invitation/\S+/", mailoutbox[-1].body)
    admin, link = link[1], link[0]
    officer = new_page()
    officer.goto(link)
    form_field(officer, "Nouveau mot de passe").fill(PASSWORD)
    form_field(officer, "Confirmation du nouveau mot de passe").fill(PASSWORD)
    officer.get_by_role("button", name="Continuer").click()
    secret = officer.locator("#second-factor-secret").inner_text().replace(" ", "")
    officer.locator("input[name=code]").fill(
        f"{totp(b32decode(secret + '=' * (-len(secret) % 8))):06d}"
    )
    officer.get_by_role("button", name="Confirmer").click()
    officer.locator("[data-codes-kept]").click()
    expect(officer).to_have_url(re.compile(r"/admin/$"))
    checklist = officer.locator(".commune-setup")
    expect(checklist).to_contain_text("L'Île-d'Yeu")
    screenshot(officer, "onboarding-02-checklist")

    # 4. She reviews the legal pages and publishes the death certificate.
    legal = ContentPage.objects.descendant_of(site.root_page).filter(slug__in=LEGAL_PAGES)
    for page_id in _db(lambda: list(legal.values_list("pk", flat=True))):
        _publish_in_editor(officer, admin, page_id)
    authors = _db(lambda: list(legal.values_list("latest_revision__user__username", flat=True)))
    assert len(authors) == 3 and all(authors), authors
    death = _db(lambda: ServicePage.objects.descendant_of(site.root_page).get(slug="acte-de-deces"))
    _publish_in_editor(officer, admin, death.pk)

    # 5. The platform admin opens the portal.
    operator.goto(portal.url(CARVIN, f"/admin/communes/{site.pk}/open/"))
    operator.get_by_role("button", name="Oui, ouvrir le portail").click()
    assert _db(lambda: CommuneSettings.objects.get(site=site).is_open)

    # 6. A citizen with no account requests a death certificate.
    citizen.goto(portal.url(YEU, "/services/acte-de-deces/"))
    expect(citizen.get_by_role("main")).to_contain_text("L'Île-d'Yeu")
    citizen.locator("main a[href='/services/acte-de-deces/etape/1/']").click()
    citizen.locator("input[name=_contact_first_name]").fill("Louise")
    citizen.locator("input[name=_contact_last_name]").fill("Cadou")
    citizen.locator("input[name=_contact_email]").fill("louise.cadou@example.org")
    _next(citizen)
    _group(citizen, "Type de document").get_by_role("radio", name="Extrait plurilingue").check()
    form_field(citizen, "Nombre d'exemplaires").fill("1")
    _next(citizen)
    form_field(citizen, "Nom de naissance").fill("Cadou")
    form_field(citizen, "Prénoms").fill("René")
    form_field(citizen, "Date du décès").fill("2026-11-02")
    _group(citizen, "Lieu du décès").get_by_role("radio", name="À L'Île-d'Yeu", exact=True).check()
    _next(citizen)
    _group(citizen, "Vous êtes").get_by_role("radio", name="Un membre de la famille").check()
    _group(citizen, "Le document est-il à envoyer à l'étranger ?").get_by_role(
        "radio", name="Non"
    ).check()
    address = _group(citizen, "Adresse d'envoi")
    form_field(address, "Numéro et voie").fill("2 quai de la Mairie")
    form_field(address, "Code postal").fill("85350")
    form_field(address, "Ville").fill("L'Île-d'Yeu")
    citizen.locator("input[type=checkbox][name=certification]").check()
    _next(citizen)
    citizen.get_by_role("checkbox", name="Je ne suis pas un robot").click()
    expect(
        citizen.get_by_role("checkbox", name="Vérifié : vous n'êtes pas un robot")
    ).to_be_checked(timeout=30_000)
    citizen.locator("main form button[type=submit]").last.click()
    expect(citizen).to_have_url(re.compile(r"/services/acte-de-deces/envoyee/$"))
    reference = citizen.locator("main .reference").inner_text()
    assert re.fullmatch(r"LIL-\d{4}-\d{6}", reference), reference
    screenshot(citizen, "onboarding-03-sent")
    assert _db(lambda: Submission.objects.get(reference=reference).site_id) == site.pk
