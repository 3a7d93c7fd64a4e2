"""The demo home pages in Chromium, on a desktop and on a phone: built from
their blocks (banner, search box, popular démarches, categories, hours),
clean for axe-core, and the search box leads to its results."""

import pytest
from playwright.sync_api import expect

from .helpers import CARVIN, SAINT_ANDRE, axe_violations, format_violations, screenshot

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize(("host", "path"), [(CARVIN, "/"), (CARVIN, "/en/"), (SAINT_ANDRE, "/")])
def test_home_page_blocks_fit_and_pass_axe(portal, page, host, path, width):
    page.set_viewport_size({"width": width, "height": 800})
    url = portal.url(host, path)
    assert page.goto(url).status == 200
    screenshot(page, f"{host.split('.')[0]}-{path.strip('/') or 'fr'}-home-{width}")

    main = page.get_by_role("main")
    expect(main.locator(".home-banner").first).to_be_visible()
    expect(main.get_by_role("searchbox")).to_be_visible()
    assert main.locator(".tile").count() >= 6
    expect(main.locator(".home-hours table")).to_be_visible()
    width_used = page.evaluate("document.documentElement.scrollWidth")
    assert width_used <= width

    violations = axe_violations(page)
    assert not violations, format_violations(url, violations)


def test_the_home_search_box_leads_to_the_results(portal, page):
    page.goto(portal.url(CARVIN, "/"))

    box = page.get_by_role("main").get_by_role("searchbox", name="Rechercher sur le portail")
    box.fill("mot de passe oublie")
    box.press("Enter")

    expect(page).to_have_url(portal.url(CARVIN, "/recherche/?q=mot+de+passe+oublie"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Rechercher")
    results = page.get_by_role("main").locator(".search-result")
    expect(results.first).to_be_visible()
    question = page.get_by_role("link", name="Que faire si j'ai perdu mon mot de passe ?")
    expect(question).to_have_attribute("href", "/faq/#que-faire-si-jai-perdu-mon-mot-de-passe")
    screenshot(page, "carvin-search-results")

    violations = axe_violations(page)
    assert not violations, format_violations(page.url, violations)
