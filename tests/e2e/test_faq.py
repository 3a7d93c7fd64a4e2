"""The FAQ of the demo communes as a citizen uses it in Chromium: each commune
sees its own answers, the table of contents, the search and the language
switcher.

The UI labels are located by structure (ids, roles, hrefs) rather than by their
wording, so these tests hold whether or not the French translations of the
templates' strings are compiled.
"""

import re

import pytest
from playwright.sync_api import expect

from .helpers import CARVIN, SAINT_ANDRE, screenshot

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

PHRASES = {CARVIN: "la mairie de Carvin", SAINT_ANDRE: "la mairie de Saint-André-des-Eaux"}
NAMES = {CARVIN: "Carvin", SAINT_ANDRE: "Saint-André-des-Eaux"}
LOST_PASSWORD = "Que faire si j'ai perdu mon mot de passe ?"
LOST_PASSWORD_ANCHOR = "que-faire-si-jai-perdu-mon-mot-de-passe"


@pytest.mark.parametrize(("host", "other"), [(CARVIN, SAINT_ANDRE), (SAINT_ANDRE, CARVIN)])
def test_faq_answers_name_their_own_commune(portal, page, host, other):
    response = page.goto(portal.url(host, "/faq/"))
    assert response.status == 200
    screenshot(page, f"{host}-faq")

    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator(".brand__name")).to_have_text(NAMES[host])
    answers = page.locator("article.faq-question .rich-text")
    assert answers.count() > 10
    answers_text = " ".join(answers.all_inner_texts())
    assert PHRASES[host] in answers_text
    assert PHRASES[other] not in answers_text
    assert NAMES[other] not in page.locator("body").inner_text()


def test_table_of_contents_link_and_back(portal, page):
    page.goto(portal.url(CARVIN, "/faq/"))
    toc = page.locator("nav.faq-toc[aria-labelledby='sommaire']")
    expect(toc.locator("#sommaire")).to_be_visible()

    link = toc.get_by_role("link", name=LOST_PASSWORD, exact=True)
    expect(link).to_have_attribute("href", f"#{LOST_PASSWORD_ANCHOR}")
    link.click()

    expect(page).to_have_url(re.compile(rf"/faq/#{LOST_PASSWORD_ANCHOR}$"))
    target = page.locator(":target")
    expect(target).to_have_count(1)
    expect(target).to_have_attribute("id", LOST_PASSWORD_ANCHOR)
    expect(target).to_have_text(LOST_PASSWORD)
    assert target.evaluate("el => el.tagName") == "H3"
    expect(target).to_be_in_viewport()
    expect(toc).not_to_be_in_viewport()
    screenshot(page, f"{CARVIN}-faq-question-target")

    question = page.locator("article.faq-question", has=page.locator(f"#{LOST_PASSWORD_ANCHOR}"))
    back = question.locator("a[href='#sommaire']")
    expect(back).to_have_count(1)
    expect(back).to_be_visible()
    assert back.inner_text().strip(), "the back link has no text"
    back.click()

    expect(page).to_have_url(re.compile(r"/faq/#sommaire$"))
    expect(target).to_have_attribute("id", "sommaire")
    expect(page.locator("#sommaire")).to_be_in_viewport()
    expect(page.locator(f"#{LOST_PASSWORD_ANCHOR}")).not_to_be_in_viewport()
    screenshot(page, f"{CARVIN}-faq-back-to-toc")


def _search(page, words):
    search = page.get_by_role("search")
    search.get_by_role("searchbox").fill(words)
    search.get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/faq/\?q="))


def test_search_finds_the_lost_password_question(portal, page):
    page.goto(portal.url(CARVIN, "/faq/"))
    _search(page, "mot de passe")

    expect(page.get_by_role("search").get_by_role("searchbox")).to_have_value("mot de passe")
    results = page.locator("section.faq-results")
    links = results.locator("ul > li > a")
    found = results.get_by_role("link", name=LOST_PASSWORD, exact=True)
    expect(found).to_have_attribute("href", f"#{LOST_PASSWORD_ANCHOR}")
    count = links.count()
    assert count > 1, "other questions and answers also speak of the password"
    status = results.get_by_role("status")
    expect(status).to_contain_text("mot de passe")
    expect(status).to_contain_text(re.compile(rf"(^|\D){count}(\D|$)"))
    screenshot(page, f"{CARVIN}-faq-search-results")

    found.click()
    expect(page.locator(":target")).to_have_text(LOST_PASSWORD)
    expect(page.locator(":target")).to_be_in_viewport()


def test_search_without_match_says_so(portal, page):
    page.goto(portal.url(CARVIN, "/faq/"))
    _search(page, "hippopotame")

    results = page.locator("section.faq-results")
    expect(results.locator("ul > li > a")).to_have_count(0)
    status = results.get_by_role("status")
    expect(status).to_contain_text("hippopotame")
    expect(status).to_contain_text(re.compile(r"(^|\D)0(\D|$)|aucune|no question", re.I))
    # A way back to the whole FAQ.
    expect(results.locator("a[href='/faq/']")).to_have_count(1)
    screenshot(page, f"{CARVIN}-faq-search-no-match")


def test_language_switcher_leads_to_the_english_faq(portal, page):
    page.goto(portal.url(CARVIN, "/faq/"))
    switcher = page.locator("nav.language-switcher")
    expect(switcher).to_be_visible()
    expect(switcher.locator("a[aria-current]")).to_have_attribute("hreflang", "fr")
    english = switcher.get_by_role("link", name="English", exact=True)
    expect(english).to_have_attribute("hreflang", "en")
    expect(english).to_have_attribute("lang", "en")
    english.click()

    expect(page).to_have_url(portal.url(CARVIN, "/en/faq/"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Frequently asked questions")
    expect(page.locator("nav.language-switcher a[aria-current]")).to_have_attribute(
        "hreflang", "en"
    )
    screenshot(page, f"{CARVIN}-en-faq")


def test_no_language_switcher_without_translation(portal, page):
    response = page.goto(portal.url(SAINT_ANDRE, "/faq/"))
    assert response.status == 200
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("nav.language-switcher")).to_have_count(0)
    expect(page.locator("a[hreflang]")).to_have_count(0)
