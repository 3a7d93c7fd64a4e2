"""The legal pages a new commune starts with, and the accessibility mention
the law requires on the home page."""

import html

import pytest
from django.test import override_settings

from cms.models import CommuneSettings
from cms.pages import AccessibilityCompliance
from cms.services import commune_create
from home.models import ContentPage


@pytest.fixture
def yeu(migrated):
    return commune_create(
        name="L'Île-d'Yeu",
        hostname="ile-d-yeu.localhost",
        open=True,
        install={"legal_pages": True},
    ).site


def text_of(client, path):
    response = client.get(path, HTTP_HOST="ile-d-yeu.localhost")
    assert response.status_code == 200, path
    return html.unescape(response.content.decode())


def test_legal_pages_are_in_the_footer_unreviewed(yeu):
    pages = ContentPage.objects.child_of(yeu.root_page).live()

    assert {page.slug for page in pages if page.in_footer} == {
        "mentions-legales",
        "accessibilite",
        "donnees-personnelles",
    }
    assert all(page.get_latest_revision().user is None for page in pages)


@override_settings(PORTAL_HOST_NAME="", PORTAL_HOST_ADDRESS="")
def test_what_the_commune_has_not_given_yet_reads_as_to_complete(client, yeu):
    for path in ("/mentions-legales/", "/accessibilite/", "/donnees-personnelles/"):
        page = text_of(client, path).split("<main", 1)[1]
        assert "None" not in page and "{" not in page, path
    notice = text_of(client, "/mentions-legales/")
    assert "édité par la mairie de L'Île-d'Yeu, [adresse de la mairie à compléter]" in notice
    assert "hébergé par [hébergeur du portail à compléter]" in notice
    assert "AGPL-3.0-or-later" in notice
    data = text_of(client, "/donnees-personnelles/")
    assert "[délégué à la protection des données à compléter]" in data


@override_settings(PORTAL_HOST_NAME="Hébergeur SAS", PORTAL_HOST_ADDRESS="1 rue du Port, Paris")
def test_legal_pages_read_the_commune_settings(client, yeu):
    commune = CommuneSettings.for_site(yeu)
    commune.address_lines = "Mairie\nRue Calypso"
    commune.postcode, commune.city = "85350", "L'Île-d'Yeu"
    commune.dpo_name, commune.dpo_email = "Marie Dupont", "dpo@ile-d-yeu.localhost"
    commune.save()

    notice = text_of(client, "/mentions-legales/")
    assert "la mairie de L'Île-d'Yeu, Mairie, Rue Calypso, 85350 L'Île-d'Yeu" in notice
    assert "hébergé par Hébergeur SAS, 1 rue du Port, Paris" in notice
    data = text_of(client, "/donnees-personnelles/")
    assert "Marie Dupont, que vous pouvez joindre à l'adresse dpo@ile-d-yeu.localhost" in data
    assert "CNIL" in data and "registre de ses activités de traitement" in data
    statement = text_of(client, "/accessibilite/")
    assert "non conforme" in statement and "Défenseur des droits" in statement


def test_the_home_page_tells_the_accessibility_state_and_links_to_the_statement(client, yeu):
    footer = text_of(client, "/").split('<footer class="site-footer">')[1]
    assert '<a href="/accessibilite/">Accessibilité : non conforme</a>' in footer

    statement = ContentPage.objects.child_of(yeu.root_page).get(slug="accessibilite")
    statement.accessibility_compliance = AccessibilityCompliance.PARTIALLY_COMPLIANT
    statement.save_revision().publish()

    footer = text_of(client, "/").split('<footer class="site-footer">')[1]
    assert '<a href="/accessibilite/">Accessibilité : partiellement conforme</a>' in footer


def test_the_personal_data_page_states_the_retention_of_accounts():
    from accounts.retention import INACTIVITY_DELETION_MONTHS, INACTIVITY_WARNING_MONTHS
    from home.legal import PERSONAL_DATA

    assert (INACTIVITY_DELETION_MONTHS, INACTIVITY_WARNING_MONTHS) == (24, 23)
    assert "inutilisé pendant deux ans est supprimé" in PERSONAL_DATA
    assert "un mois avant" in PERSONAL_DATA
