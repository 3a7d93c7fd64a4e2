"""The site search (``/recherche/``): Wagtail's search over the pages of the
commune and language asked for, whatever the accents."""

import pytest
from wagtail.models import Page

from home.models import ContentPage

CARVIN = "carvin.localhost"
SAINT_ANDRE = "saint-andre-des-eaux.localhost"


def content_page(site, title, body, slug):
    home = Page.objects.get(pk=site.root_page_id)
    page = home.add_child(instance=ContentPage(title=title, slug=slug, body=body))
    page.save_revision().publish()
    return page


def search(client, query, host=CARVIN, path="/recherche/", **params):
    response = client.get(path, {"q": query, **params}, HTTP_HOST=host)
    assert response.status_code == 200
    return response.content.decode()


def test_search_ignores_accents_and_capitals(client, carvin):
    content_page(carvin, "État civil", "<p>Naissances, mariages et décès.</p>", "etat-civil")

    for query in ("etat civil", "ÉTAT CIVIL", "Etat Civil", "deces"):
        html = search(client, query)
        assert 'href="/etat-civil/"' in html, query


def test_search_finds_the_demarches_of_a_category(client, carvin):
    from tests.services.factories import service_page

    service_page(carvin, "Demande d'acte de mariage", category="État civil", slug="mariage")

    html = search(client, "etat civil")

    assert 'href="/services/mariage/"' in html


def test_the_index_holds_the_text_without_accents_for_postgresql(carvin):
    page = content_page(carvin, "État civil", "<p>Décès</p>", "etat-civil")

    assert "Etat civil" in page.unaccented_search_text()
    assert "Deces" in page.unaccented_search_text()


def test_search_finds_faq_answers_and_links_to_the_question(client, carvin, faq_of):
    import json

    faq = faq_of(carvin)
    question = {
        "question": "Que faire si j'ai perdu mon mot de passe ?",
        "answer": "<p>Cliquez sur « Mot de passe oublié ? » sous le formulaire.</p>",
        "anchor": "mot-de-passe-perdu",
    }
    category = {"title": "Mon compte", "anchor": "compte", "questions": [question]}
    faq.body = json.dumps([{"type": "category", "value": category}])
    faq.save_revision().publish()

    html = search(client, "mot de passe oublie")

    assert "Que faire si j&#x27;ai perdu mon mot de passe ?" in html
    assert 'href="/faq/#mot-de-passe-perdu"' in html
    assert "Cliquez sur « Mot de passe oublié ? » sous le formulaire." in html


def test_search_shows_only_the_communes_own_pages(client, carvin, saint_andre):
    content_page(carvin, "Piscine municipale", "<p>Horaires de la piscine.</p>", "piscine")
    content_page(saint_andre, "Port de plaisance", "<p>Horaires du port.</p>", "port")

    carvin_html = search(client, "horaires")
    saint_andre_html = search(client, "horaires", host=SAINT_ANDRE)

    assert "Piscine municipale" in carvin_html and "Port de plaisance" not in carvin_html
    assert "Port de plaisance" in saint_andre_html and "Piscine municipale" not in saint_andre_html


def test_search_shows_only_pages_in_the_language_asked_for(client, carvin):
    from wagtail.models import Locale

    page = content_page(carvin, "Cantine scolaire", "<p>Menus de la cantine.</p>", "cantine")
    english = Locale.objects.get_or_create(language_code="en")[0]
    home = Page.objects.get(pk=carvin.root_page_id).specific
    home.copy_for_translation(english).save_revision().publish()
    translated = page.copy_for_translation(english)
    translated.title, translated.body = "School canteen", "<p>The canteen's menus.</p>"
    translated.save_revision().publish()

    assert "School canteen" not in search(client, "canteen")
    english_html = search(client, "canteen", path="/en/recherche/")
    assert "School canteen" in english_html and "Cantine scolaire" not in english_html


def test_search_leaves_out_drafts_and_private_pages(client, carvin):
    from wagtail.models import PageViewRestriction

    draft = content_page(carvin, "Projet de budget", "<p>Budget.</p>", "budget")
    draft.unpublish()
    private = content_page(carvin, "Budget des élus", "<p>Budget.</p>", "elus")
    PageViewRestriction.objects.create(page=private, restriction_type="login")

    html = search(client, "budget")

    assert "Projet de budget" not in html and "Budget des élus" not in html
    assert "Aucun résultat pour « budget »." in html


@pytest.mark.parametrize(
    "query",
    ['"', "*", "AND OR NOT", "a" * 500, "(état", "' OR 1=1 --", "NEAR(a b)", "e\u0301", "🙂"],
)
def test_search_answers_any_query_without_error(client, carvin, query):
    html = search(client, query)

    assert "Rechercher" in html


def test_search_without_words_asks_for_some(client, carvin):
    html = search(client, "")

    assert "Saisissez quelques mots de ce que vous cherchez" in html


def test_search_results_come_ten_a_page(client, carvin):
    for number in range(12):
        content_page(carvin, f"Fiche pratique {number}", "<p>Fiche pratique.</p>", f"f{number}")

    first = search(client, "fiche")
    second = search(client, "fiche", page="2")
    odd = search(client, "fiche", page="zz")

    assert "12 pages correspondent" in first and "Page 1 sur 2" in first
    assert first.count('class="search-result"') == 10
    assert second.count('class="search-result"') == 2
    assert odd.count('class="search-result"') == 10


def test_the_search_page_is_never_kept_for_others(client, carvin):
    from tests.accounts.factories import citizen

    client.force_login(citizen(carvin))
    response = client.get("/recherche/", {"q": "x"}, HTTP_HOST=CARVIN)

    assert "no-store" in response["Cache-Control"]
