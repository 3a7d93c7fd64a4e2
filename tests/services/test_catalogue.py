"""The services index as citizens browse it: search, categories, and what each
démarche asks before starting (account, time, what to have at hand)."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from services.catalogue import category_slug, duration_text
from tests.services.factories import BIRTH_FORM, service_page

pytestmark = pytest.mark.django_db

CARVIN = {"HTTP_HOST": "carvin.localhost"}
TITLE = re.compile(r"<title>(.*?)</title>", re.S)
CARD_TITLE = re.compile(r'<h3 class="card__title"><a href="[^"]*">([^<]+)</a></h3>')


@pytest.fixture
def demarches(carvin):
    """Four démarches in three categories, one open without an account."""
    return {
        "naissance": service_page(
            carvin,
            "Demande d'acte de naissance",
            BIRTH_FORM,
            requires_account=False,
            category="État civil",
            summary="Recevez une copie de l'acte par courrier.",
            duration_minutes=5,
            documents="<ul><li>Le livret de famille</li></ul>",
        ),
        "mariage": service_page(
            carvin,
            "Demande d'acte de mariage",
            BIRTH_FORM,
            requires_account=False,
            category="État civil",
            summary="Copie ou extrait d'un acte de mariage.",
        ),
        "ecole": service_page(
            carvin,
            "Inscription scolaire",
            category="Enfance et scolarité",
            summary="Inscrivez votre enfant à l'école.",
            duration_minutes=90,
            documents="<ul><li>Un justificatif de domicile</li><li>Le carnet de santé</li></ul>",
        ),
        "salle": service_page(
            carvin,
            "Réservation de salle",
            category="Vie quotidienne",
            summary="Une salle pour une fête de famille.",
            duration_minutes=60,
        ),
    }


def index(client, query: str = "") -> str:
    response = client.get(f"/services/{query}", **CARVIN)
    assert response.status_code == 200
    return response.content.decode()


def shown(html: str) -> list[str]:
    return [unescape(title) for title in CARD_TITLE.findall(html)]


def text_of(html: str) -> str:
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
    return re.sub(r" ([).,])", r"\1", text)


def test_each_demarche_says_if_it_needs_an_account_how_long_and_what_to_have(client, demarches):
    html = index(client)
    cards = dict(
        zip(
            shown(html),
            (text_of(card) for card in html.split('<li class="card demarche-card">')[1:]),
            strict=True,
        )
    )

    birth = cards["Demande d'acte de naissance"]
    assert "Sans compte" in birth
    assert "Temps de saisie : environ 5 minutes" in birth
    assert "À avoir sous la main Le livret de famille" in birth
    school = cards["Inscription scolaire"]
    assert "Compte nécessaire" in school
    assert "Temps de saisie : environ 1 h 30" in school
    assert "Un justificatif de domicile Le carnet de santé" in school
    assert "Temps de saisie : environ 1 heure" in cards["Réservation de salle"]
    assert "Temps de saisie" not in cards["Demande d'acte de mariage"], "no duration given"
    assert "À avoir sous la main" not in cards["Demande d'acte de mariage"]


def test_what_to_have_at_hand_is_folded_under_its_summary(client, demarches):
    html = index(client)

    assert html.count('<details class="demarche-card__documents">') == 2
    assert "<summary>À avoir sous la main</summary>" in html


def test_the_introduction_of_a_demarche_says_the_same(client, demarches):
    page = text_of(client.get(demarches["ecole"].url, **CARVIN).content.decode())

    assert "Compte nécessaire" in page
    assert "Temps de saisie : environ 1 h 30" in page
    assert "À avoir sous la main Un justificatif de domicile" in page


def test_a_demarche_requiring_franceconnect_says_so(client, carvin):
    service_page(carvin, "Attestation d'accueil", requires_franceconnect=True)

    assert "Compte relié à FranceConnect nécessaire" in text_of(index(client))


def test_search_ignores_accents_capitals_and_plurals(client, demarches):
    assert shown(index(client, "?q=ETAT")) == [
        "Demande d'acte de mariage",
        "Demande d'acte de naissance",
    ]
    assert shown(index(client, "?q=actes+naissance")) == ["Demande d'acte de naissance"]
    assert shown(index(client, "?q=scolarite")) == ["Inscription scolaire"]
    assert shown(index(client, "?q=fête")) == ["Réservation de salle"], "the summary"


def test_the_number_of_results_is_said_and_in_the_title(client, demarches):
    html = index(client, "?q=acte")

    assert "2 démarches correspondent à « acte »." in text_of(html)
    assert 'role="status"' in html
    assert TITLE.search(html)[1].startswith("Services : 2 résultats")


def test_a_category_shows_its_demarches_with_the_counts_of_each(client, demarches):
    html = index(client, "?categorie=etat-civil")

    assert shown(html) == ["Demande d'acte de mariage", "Demande d'acte de naissance"]
    assert "2 démarches dans « État civil »." in text_of(html)
    nav = text_of(re.search(r'<nav class="demarche-categories"[^>]*>(.*?)</nav>', html, re.S)[1])
    assert nav == (
        "Catégories Toutes (4 démarches) Enfance et scolarité (1 démarche) "
        "État civil (2 démarches) Vie quotidienne (1 démarche)"
    )
    assert re.search(r'href="/services/\?categorie=etat-civil" aria-current="page"', html)


def test_a_category_may_be_named_as_written(client, demarches):
    assert shown(index(client, "?categorie=%C3%89tat+civil")) == shown(
        index(client, "?categorie=etat-civil")
    )


def test_the_search_keeps_the_category_and_the_counts_follow_the_search(client, demarches):
    html = index(client, "?q=demande&categorie=etat-civil")

    assert '<input type="hidden" name="categorie" value="etat-civil">' in html
    assert "Recherche dans la catégorie « État civil »." in text_of(html)
    assert "Vie quotidienne (0 démarche)" in text_of(html)
    assert 'href="/services/?q=demande&amp;categorie=vie-quotidienne"' in html


def test_nothing_found_says_so_and_offers_to_start_again(client, demarches):
    html = index(client, "?q=piscine")

    assert shown(html) == []
    assert "Aucune démarche ne correspond à votre recherche." in text_of(html)
    assert '<a href="/services/">Voir toutes les démarches</a>' in html
    assert TITLE.search(html)[1].startswith("Services : 0 résultat")


def test_nothing_found_in_a_category_offers_every_category(client, demarches):
    html = index(client, "?q=salle&categorie=etat-civil")

    assert shown(html) == []
    assert '<a href="/services/?q=salle">Chercher « salle » dans toutes les catégories</a>' in html


def test_an_unknown_category_shows_every_demarche_with_a_message(client, demarches):
    html = index(client, "?categorie=piscine")

    assert len(shown(html)) == 4
    assert "Cette catégorie n'existe pas : toutes les démarches sont affichées." in text_of(html)


@pytest.mark.parametrize(
    "query",
    [
        "?q=",
        "?q=%20%20",
        "?q=*",
        "?q=%25",
        "?q=a&q=b",
        "?categorie=",
        "?categorie=a&categorie=b",
        "?categorie[]=x",
        "?q=" + "é" * 5000,
        "?categorie=" + "x" * 5000,
        "?q=%F0%9F%98%80&categorie=%E2%80%AE",
        "?q=%FF%FE",
        "?page=2&next=https://example.org/",
    ],
)
def test_odd_query_strings_show_the_index(client, demarches, query):
    html = index(client, query)

    assert "Services" in TITLE.search(html)[1]


def test_an_address_holding_nul_is_refused(client, demarches):
    assert client.get("/services/?q=%00", **CARVIN).status_code == 400


def test_filtered_results_are_never_the_cached_page(client, demarches):
    whole = index(client)
    assert index(client) == whole, "served from the page cache"

    filtered = client.get("/services/?q=ecole", **CARVIN)

    assert shown(filtered.content.decode()) == ["Inscription scolaire"]
    assert "public" not in filtered.get("Cache-Control", "")
    assert index(client) == whole


def test_a_published_demarche_shows_at_once_in_searches(client, carvin, demarches):
    assert shown(index(client, "?q=cimetiere")) == []

    service_page(carvin, "Concession au cimetière", category="État civil")

    assert shown(index(client, "?q=cimetiere")) == ["Concession au cimetière"]
    demarches["ecole"].unpublish()
    assert shown(index(client, "?q=ecole")) == []


def test_searches_read_the_demarches_once_per_publication(client, demarches):
    index(client, "?q=acte")

    with CaptureQueriesContext(connection) as queries:
        html = index(client, "?q=ecole&categorie=enfance-et-scolarite")

    assert shown(html) == ["Inscription scolaire"]
    assert not [q for q in queries if "services_servicepage" in q["sql"]]


def test_the_index_without_demarches_says_so(client, carvin):
    html = index(client)

    assert "demarche-search" not in html
    assert "Aucune démarche en ligne n'est encore ouverte" in html


def test_category_slugs_ignore_accents_and_capitals():
    assert category_slug("État civil") == category_slug("etat  CIVIL") == "etat-civil"
    assert category_slug("日本") == "日本"
    assert category_slug("!!!") == "categorie"


@pytest.mark.parametrize(
    ("minutes", "french", "english"),
    [
        (None, "", ""),
        (1, "environ 1 minute", "about 1 minute"),
        (20, "environ 20 minutes", "about 20 minutes"),
        (120, "environ 2 heures", "about 2 hours"),
        (65, "environ 1 h 05", "about 1 h 05"),
    ],
)
def test_durations_read_naturally(minutes, french, english):
    with translation.override("fr"):
        assert duration_text(minutes) == french
    with translation.override("en"):
        assert duration_text(minutes) == english


def test_the_editor_sets_the_time_to_fill_in_with_french_help(client, carvin):
    from django.urls import reverse
    from wagtail.users.models import UserProfile

    from services.models import ServicePage
    from tests.services.test_municipal_services import ROAD_FORM, page_edit_data, staff

    page = service_page(carvin, "Signalement", form=ROAD_FORM)
    editor = staff(carvin, "Communication", "com")
    UserProfile.objects.filter(user=editor).update(preferred_language="fr")
    client.force_login(editor)
    edit = reverse("wagtailadmin_pages:edit", args=[page.pk])

    html = unescape(client.get(edit, **CARVIN).content.decode())
    assert "Temps de saisie (minutes)" in html
    assert "Affiché « Temps de saisie : environ 5 minutes »" in html
    assert "À avoir sous la main" in html

    data = page_edit_data(page, [])
    refused = client.post(edit, {**data, "duration_minutes": "2000"}, **CARVIN)
    assert refused.status_code == 200
    assert "inférieure ou égale à 600" in refused.content.decode()

    saved = client.post(edit, {**data, "duration_minutes": "12"}, **CARVIN)
    assert saved.status_code == 302
    assert (
        ServicePage.objects.get(pk=page.pk).get_latest_revision_as_object().duration_minutes == 12
    )
