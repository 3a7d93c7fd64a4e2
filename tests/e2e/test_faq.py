"""The FAQ of the demo communes as a citizen uses it in Chromium: each commune
sees its own answers, the table of contents, the search and the language
switcher. Elements are found as a person (or a screen reader) finds them: by
role and French wording."""

import re

import pytest
from playwright.sync_api import expect

from .helpers import CARVIN, SAINT_ANDRE, page_name, screenshot, wait_scrolled_to

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
    screenshot(page, page_name(host, "/faq/"))

    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page).to_have_title(f"Foire aux questions – {NAMES[host]}")
    answers = page.locator("article.faq-question .rich-text")
    assert answers.count() > 10
    answers_text = " ".join(answers.all_inner_texts())
    assert PHRASES[host] in answers_text
    assert PHRASES[other] not in answers_text
    assert NAMES[other] not in page.locator("body").inner_text()


def test_table_of_contents_link_and_back(portal, page):
    page.goto(portal.url(CARVIN, "/faq/"))
    toc = page.get_by_role("navigation", name="Sommaire", exact=True)
    expect(toc.get_by_role("heading", name="Sommaire", exact=True)).to_have_id("sommaire")

    link = toc.get_by_role("link", name=LOST_PASSWORD, exact=True)
    expect(link).to_have_attribute("href", f"#{LOST_PASSWORD_ANCHOR}")
    link.click()

    expect(page).to_have_url(re.compile(rf"/faq/#{LOST_PASSWORD_ANCHOR}$"))
    target = page.locator(":target")
    expect(target).to_have_count(1)
    expect(target).to_have_id(LOST_PASSWORD_ANCHOR)
    expect(target).to_have_role("heading")
    expect(target).to_have_text(LOST_PASSWORD)
    wait_scrolled_to(page, f"#{LOST_PASSWORD_ANCHOR}")
    expect(target).to_be_in_viewport()
    expect(toc).not_to_be_in_viewport()
    # The window only, to see where the link scrolled to.
    screenshot(page, "carvin-faq-question-target-window", full_page=False)

    question = page.locator("article.faq-question", has=page.locator(f"#{LOST_PASSWORD_ANCHOR}"))
    back = question.get_by_role("link", name="Retour au sommaire", exact=True)
    expect(back).to_have_attribute("href", "#sommaire")
    back.click()

    expect(page).to_have_url(re.compile(r"/faq/#sommaire$"))
    expect(target).to_have_id("sommaire")
    expect(target).to_have_text("Sommaire")
    wait_scrolled_to(page, "#sommaire")
    expect(toc).to_be_in_viewport()
    expect(page.locator(f"#{LOST_PASSWORD_ANCHOR}")).not_to_be_in_viewport()
    screenshot(page, "carvin-faq-back-to-toc-window", full_page=False)


def _search(page, words):
    search = page.get_by_role("search")
    search.get_by_label("Rechercher dans les questions").fill(words)
    search.get_by_role("button", name="Rechercher").click()
    expect(page).to_have_url(re.compile(r"/faq/\?q="))
    results = page.get_by_role("region", name="Résultats de la recherche")
    expect(results).to_be_visible()
    return results


def test_search_finds_the_lost_password_question(portal, page):
    page.goto(portal.url(CARVIN, "/faq/"))
    results = _search(page, "mot de passe")

    expect(page.get_by_role("searchbox")).to_have_value("mot de passe")
    found = results.get_by_role("link", name=LOST_PASSWORD, exact=True)
    expect(found).to_have_attribute("href", f"#{LOST_PASSWORD_ANCHOR}")
    count = results.get_by_role("listitem").count()
    assert count > 1, "other questions and answers also speak of the password"
    expect(results.get_by_role("status")).to_have_text(
        f"{count} questions correspondent à « mot de passe »."
    )
    screenshot(page, "carvin-faq-search-results")

    found.click()
    expect(page.locator(":target")).to_have_text(LOST_PASSWORD)
    wait_scrolled_to(page, f"#{LOST_PASSWORD_ANCHOR}")


def test_search_without_match_says_so(portal, page):
    page.goto(portal.url(CARVIN, "/faq/"))
    results = _search(page, "hippopotame")

    expect(results.get_by_role("listitem")).to_have_count(0)
    expect(results.get_by_role("status")).to_have_text("0 question correspond à « hippopotame ».")
    expect(results).to_contain_text("Essayez d'autres mots")
    clear = results.get_by_role("link", name="Effacer la recherche")
    expect(clear).to_have_attribute("href", "/faq/")
    screenshot(page, "carvin-faq-search-no-match")


def test_language_switcher_leads_to_the_english_faq(portal, page):
    page.goto(portal.url(CARVIN, "/faq/"))
    switcher = page.get_by_role("navigation", name="Langue")
    expect(switcher.get_by_role("link", name="Français")).to_have_attribute("aria-current", "true")
    english = switcher.get_by_role("link", name="English", exact=True)
    expect(english).to_have_attribute("hreflang", "en")
    expect(english).to_have_attribute("lang", "en")
    english.click()

    expect(page).to_have_url(portal.url(CARVIN, "/en/faq/"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Frequently asked questions")
    switcher = page.get_by_role("navigation", name="Language")
    expect(switcher.get_by_role("link", name="English")).to_have_attribute("aria-current", "true")
    expect(switcher.get_by_role("link", name="Français")).to_have_attribute("href", "/faq/")
    screenshot(page, page_name(CARVIN, "/en/faq/"))


def test_no_language_switcher_without_translation(portal, page):
    response = page.goto(portal.url(SAINT_ANDRE, "/faq/"))
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Foire aux questions")
    expect(page.get_by_role("navigation", name="Langue")).to_have_count(0)
    expect(page.locator(".language-switcher, a[hreflang]")).to_have_count(0)
    expect(page.get_by_role("link", name="English")).to_have_count(0)
