"""The FAQ a new commune starts with: the shared FAQ as a draft or
published, or none; a FAQ with no question is never live."""

import html

from cms.services import commune_create
from faq.models import FAQPage


def yeu(faq):
    site = commune_create(
        name="L'Île-d'Yeu", hostname="ile-d-yeu.localhost", open=True, install={"faq": faq}
    ).site
    return FAQPage.objects.child_of(site.root_page).get()


def test_the_shared_faq_is_published_naming_the_commune(client, migrated):
    faq = yeu("published")

    page = html.unescape(client.get("/faq/", HTTP_HOST="ile-d-yeu.localhost").content.decode())
    assert faq.live
    assert "Avancement et communications avec la mairie de L'Île-d'Yeu" in page
    assert "Sommaire" in page and "{" not in page.split("<main", 1)[1]


def test_the_shared_faq_as_a_draft_leaves_the_page_unpublished(client, migrated):
    faq = yeu("draft")

    faq.refresh_from_db()
    assert not faq.live
    assert faq.get_latest_revision_as_object().body
    assert client.get("/faq/", HTTP_HOST="ile-d-yeu.localhost").status_code == 404


def test_a_commune_without_faq_publishes_no_empty_page(migrated):
    page = yeu("none")

    page.refresh_from_db()
    assert not page.live


def test_a_faq_page_without_questions_shows_no_empty_table_of_contents(client, carvin):
    response = client.get("/faq/", HTTP_HOST="carvin.localhost")

    assert response.status_code == 200
    assert "Sommaire" not in response.content.decode()
