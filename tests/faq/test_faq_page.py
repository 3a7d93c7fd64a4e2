import json
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from faq.services import faq_import
from tests.conftest import SEEDS

SEED = (SEEDS / "faq-carvin.md").read_text(encoding="utf-8")


@pytest.fixture
def carvin_faq(carvin, faq_of):
    page = faq_of(carvin)
    faq_import(page=page, text=SEED)
    page.refresh_from_db()
    return page


def html_of(client, path="/faq/", host="carvin.localhost"):
    response = client.get(path, HTTP_HOST=host)
    assert response.status_code == 200
    return response.content.decode()


def test_table_of_contents_links_to_every_category_and_question(client, carvin_faq):
    html = html_of(client)
    toc = html.split('<nav class="faq-toc"')[1].split("</nav>")[0]
    anchors = re.findall(r'href="#([^"]+)"', toc)
    targets = set(re.findall(r'<h[23] id="([^"]+)"', html))

    assert len(anchors) == 5 + 18
    assert set(anchors) <= targets


def test_every_answer_ends_with_a_link_back_to_the_table_of_contents(client, carvin_faq):
    html = html_of(client)

    assert html.count('<a href="#sommaire">Retour au sommaire</a>') == 18
    assert 'id="sommaire"' in html


def test_anchors_stay_when_a_question_is_reworded(client, carvin_faq):
    block = carvin_faq.body[1].value["questions"][1]
    anchor = block["anchor"]
    block["question"] = "J'ai oublié mon mot de passe : que faire ?"
    carvin_faq.save_revision().publish()

    html = html_of(client)

    assert f'<h3 id="{anchor}">J&#x27;ai oublié mon mot de passe : que faire ?</h3>' in html


def test_search_finds_questions_by_words_of_the_question_or_answer(client, carvin_faq):
    by_question = html_of(client, "/faq/?q=mot+de+passe")
    by_answer = html_of(client, "/faq/?q=budgets+differents")

    assert "questions correspondent à « mot de passe »" in by_question
    assert '<a href="#que-faire-si-jai-perdu-mon-mot-de-passe">' in by_question
    assert '<span class="faq-results__category">(Sécurité)</span>' in by_question
    assert "1 question correspond à « budgets differents »" in by_answer


def test_search_without_match_says_so_and_keeps_the_words(client, carvin_faq):
    html = html_of(client, "/faq/?q=hippopotame")

    assert "0 question correspond à « hippopotame »" in html
    assert 'value="hippopotame"' in html


def test_placeholders_are_filled_with_the_communes_settings(client, carvin_faq):
    html = html_of(client)

    assert "{mairie}" not in html and "{portail}" not in html
    assert "Sur la page d'accueil de carvin.localhost" in html


def test_faq_page_carries_schema_org_faqpage(client, carvin_faq):
    html = html_of(client)
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)[1]
    )

    assert data["@type"] == "FAQPage"
    assert len(data["mainEntity"]) == 18
    assert data["mainEntity"][0]["name"] == "Qu'est-ce que « Mon Compte » ?"
    assert "la mairie de Carvin" in json.dumps(data, ensure_ascii=False)


@pytest.mark.parametrize("links", [False, True])
@pytest.mark.parametrize("questions", [20, 500])
def test_queries_do_not_grow_with_the_number_of_questions(client, demo, faq_of, questions, links):
    """Served after a publish, and with the whole cache emptied: the site, its
    home page and its routing, the locales, the private pages, the commune's
    settings with its logo, the menu and every home page's address take ten
    queries; the pages the answers link to, one more."""
    carvin = Site.objects.get(hostname="carvin.localhost")
    faq = faq_of(carvin)
    services = faq.get_parent().get_children().get(slug="services")
    link = f'<p>Voir <a linktype="page" id="{services.pk}">les services</a>.</p>'
    body = faq.body.get_prep_value()
    item = body[0]["value"]["questions"][0]
    body[0]["value"]["questions"] = [
        {
            "type": "item",
            "id": f"00000000-0000-0000-0000-{n:012d}",
            "value": {
                **item["value"],
                "question": f"Question {n} ?",
                "answer": item["value"]["answer"] + (link if links else ""),
                "anchor": "",
            },
        }
        for n in range(questions)
    ]
    faq.body = body
    faq.save_revision().publish()

    with CaptureQueriesContext(connection) as published:
        html = html_of(client)
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        assert html_of(client) == html

    assert html.count('<a href="/services/">les services</a>') == (questions if links else 0)
    assert len(published) <= 15
    assert len(cold) <= (11 if links else 10)


def test_language_switcher_offers_only_languages_the_page_exists_in(client, demo):
    carvin = html_of(client)
    saint_andre = html_of(client, host="saint-andre-des-eaux.localhost")

    assert 'href="/en/faq/" lang="en" hreflang="en"' in carvin
    assert 'class="language-switcher"' not in saint_andre


def test_english_faq_is_the_translation(client, demo):
    html = html_of(client, "/en/faq/")

    assert '<html lang="en">' in html
    assert "Frequently asked questions" in html
    assert "the town hall of Carvin" in html


def test_a_page_asked_in_a_language_it_lacks_redirects_to_its_own(client, demo):
    response = client.get("/en/faq/", HTTP_HOST="saint-andre-des-eaux.localhost")

    assert response.status_code == 302
    assert response["Location"] == "/faq/"


def test_untranslated_legal_pages_stay_linked_in_their_own_language(client, demo):
    html = html_of(client, "/en/faq/")
    footer = html.split('<footer class="site-footer">')[1]

    assert 'lang="fr" hreflang="fr"' in footer
    assert "Accessibilité" in footer


def test_a_logged_in_visitor_gets_the_contents_without_reading_the_questions(
    client, carvin_faq, staff_of, monkeypatch
):
    client.force_login(staff_of(carvin_faq.get_site()))
    first = html_of(client)

    def unexpected(**kwargs):
        raise AssertionError("the questions were read again")

    monkeypatch.setattr("faq.models.faq_entries", unexpected)
    again = html_of(client)

    assert again.count('class="faq-question"') == first.count('class="faq-question"') == 18


def test_the_contents_change_with_the_communes_settings(client, carvin_faq, staff_of):
    from cms.models import CommuneSettings

    client.force_login(staff_of(carvin_faq.get_site()))
    html_of(client)
    settings = CommuneSettings.for_site(carvin_faq.get_site())
    settings.phrase = "la maison commune de Carvin"
    settings.save()

    assert "la maison commune de Carvin" in html_of(client)


def test_a_preview_never_shows_in_the_published_contents(client, carvin_faq, staff_of):
    from faq.models import FAQPage

    html_of(client)
    page = FAQPage.objects.get(pk=carvin_faq.pk)
    body = page.body.get_prep_value()
    body[0]["value"]["questions"][0]["value"]["question"] = "Question du brouillon ?"
    page.body = body
    request = client.get("/", HTTP_HOST="carvin.localhost").wsgi_request
    request.is_preview = True
    preview = page.rendered_contents(request)

    assert "Question du brouillon ?" in preview.body
    assert "Question du brouillon ?" not in html_of(client)
