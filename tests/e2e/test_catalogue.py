"""The services index in Chromium: a citizen searches, picks a category and
unfolds what to have at hand; the header's logo on a phone's dense screen."""

import pytest
from playwright.sync_api import expect

from .helpers import CARVIN, axe_violations, format_violations, screenshot

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


def test_a_citizen_finds_a_demarche_by_words_and_category(portal, page):
    page.goto(portal.url(CARVIN, "/services/"))

    page.get_by_label("Rechercher une démarche").fill("ACTES etat")
    page.get_by_role("button", name="Rechercher").click()

    expect(page).to_have_title("Services : 3 résultats – Carvin")
    expect(page.get_by_role("status")).to_contain_text(
        "3 démarches correspondent à « ACTES etat »."
    )
    page.get_by_role("link", name="Enfance et scolarité").click()
    expect(page.get_by_text("Aucune démarche ne correspond à votre recherche.")).to_be_visible()
    page.get_by_role("link", name="Chercher « ACTES etat » dans toutes les catégories").click()
    expect(page.locator(".card")).to_have_count(3)

    card = page.locator(".card", has_text="Demande d'acte de naissance")
    card.get_by_text("À avoir sous la main").click()
    expect(card.get_by_text("Les noms et prénoms de ses parents")).to_be_visible()
    assert "?q=" in page.url, "unfolding the list follows no link"
    screenshot(page, "carvin-services-search")
    violations = axe_violations(page)
    assert not violations, format_violations(page.url, violations)


def test_the_logo_is_sharp_on_a_phone_screen(portal, browser):
    context = browser.new_context(viewport={"width": 390, "height": 800}, device_scale_factor=1.75)
    page = context.new_page()
    page.goto(portal.url(CARVIN, "/services/"))

    logo = page.locator(".brand__logo")
    source, shown = logo.evaluate("img => [img.currentSrc, img.getBoundingClientRect().height]")
    context.close()

    # The 2x rendition (112 px high), shown at most 56 px high on this 1.75x
    # screen: at least one pixel of the image per pixel of the screen.
    assert source.endswith(".height-112.png")
    assert shown * 1.75 <= 112
