"""The demo's English pages: nothing left in French."""

import pytest
from wagtail.models import Page, Site

from demo.translation import untranslated_strings

pytestmark = pytest.mark.django_db

CARVIN = {"HTTP_HOST": "carvin.localhost"}
TRANSLATED = {
    "carvin",
    "faq",
    "services",
    "acte-de-naissance",
    "acte-de-mariage",
    "acte-de-deces",
    "inscription-scolaire",
}


def carvin_pages():
    root = Site.objects.get(hostname="carvin.localhost").root_page
    return Page.objects.descendant_of(root, inclusive=True).filter(slug__in=TRANSLATED)


def test_every_text_of_the_english_pages_is_translated(demo):
    pages = list(carvin_pages())

    assert {page.slug for page in pages} == TRANSLATED
    for page in pages:
        assert untranslated_strings(page, language="en") == [], page.slug


def test_english_home_leads_to_the_english_services(client, demo):
    html = client.get("/en/", **CARVIN).content.decode()

    assert 'href="/en/services/"' in html
    assert 'href="/services/"' not in html


def test_english_services_list_the_translated_demarches(client, demo):
    html = client.get("/en/services/", **CARVIN).content.decode()

    for title in (
        "Birth certificate request",
        "Marriage certificate request",
        "Death certificate request",
        "School enrolment",
    ):
        assert title in html
    assert "Demande d'acte" not in html


def test_english_faq_account_answer_has_no_french_left(client, demo):
    html = client.get("/en/faq/", **CARVIN).content.decode()

    assert "Edit an existing member" in html
    assert "Modifier un membre existant" not in html
    assert "Modifier votre mot de passe" not in html


def test_english_birth_certificate_asks_in_english(client, demo):
    url = "/en/services/acte-de-naissance/etape/"
    client.post(
        f"{url}1/",
        {
            "_contact_first_name": "Ann",
            "_contact_last_name": "Smith",
            "_contact_email": "ann@example.org",
            "action": "next",
        },
        **CARVIN,
    )
    response = client.get(f"{url}2/", **CARVIN)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Type of document" in html
    assert ">Full copy</label>" in html
    assert 'value="Copie intégrale"' in html
