from django.test import override_settings

from tests.accounts.factories import citizen


@override_settings(DEBUG=False)
def test_an_unknown_address_gets_the_portals_404_page(client, carvin):
    response = client.get("/nulle-part/", HTTP_HOST="carvin.localhost")

    html = response.content.decode()
    assert response.status_code == 404
    assert "Page introuvable" in html
    assert "Carvin" in html


def test_home_page_leads_to_the_faq_and_the_services(client, carvin):
    html = client.get("/", HTTP_HOST="carvin.localhost").content.decode()

    assert "Bienvenue sur le portail citoyen de Carvin" in html
    assert 'href="/faq/"' in html
    assert 'href="/services/"' in html


def test_footer_links_to_legal_accessibility_and_personal_data_pages(client, demo):
    html = client.get("/faq/", HTTP_HOST="saint-andre-des-eaux.localhost").content.decode()
    footer = html.split('<footer class="site-footer">')[1]

    for slug in ("mentions-legales", "accessibilite", "donnees-personnelles"):
        assert f'href="/{slug}/"' in footer
    assert "44117 Saint-André-des-Eaux" in footer


def test_pages_load_nothing_from_another_origin(client, demo):
    import re

    for path in ("/", "/faq/"):
        html = client.get(path, HTTP_HOST="carvin.localhost").content.decode()
        resources = re.findall(r"<(?:script|link|img|iframe|source)\b[^>]*>", html)
        external = [tag for tag in resources if re.search(r'(?:src|href)="(?:https?:)?//', tag)]
        assert resources and external == [], path


def test_the_menu_follows_what_staff_publish_and_costs_no_query_once_kept(client, carvin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from wagtail.models import Page

    from home.models import ContentPage

    client.force_login(citizen(carvin))
    client.get("/", HTTP_HOST="carvin.localhost")
    with CaptureQueriesContext(connection) as queries:
        client.get("/", HTTP_HOST="carvin.localhost")
    layout = [q["sql"] for q in queries if '"show_in_menus" OR' in q["sql"]]
    assert layout == [], "the menu of a commune is read once per publication"

    home = Page.objects.get(pk=carvin.root_page_id)
    page = home.add_child(
        instance=ContentPage(
            title="Travaux rue Victor Hugo",
            slug="travaux",
            show_in_menus=True,
            body="<p>Du 3 au 14.</p>",
        )
    )
    page.save_revision().publish()
    assert 'href="/travaux/"' in client.get("/", HTTP_HOST="carvin.localhost").content.decode()

    page.unpublish()
    assert 'href="/travaux/"' not in client.get("/", HTTP_HOST="carvin.localhost").content.decode()


def test_a_new_logo_shows_at_once(client, carvin):
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    from cms.models import CommuneSettings

    settings = CommuneSettings.for_site(carvin)
    settings.logo = Image.objects.create(title="Blason", file=get_test_image_file())
    settings.save()
    first = client.get("/", HTTP_HOST="carvin.localhost").content.decode()
    assert 'class="brand__logo"' in first

    # As the image's edit screen does with a new file.
    settings.logo.file = get_test_image_file(filename="nouveau.png", size=(128, 128))
    settings.logo._set_image_file_metadata()
    settings.logo.save()
    settings.logo.renditions.all().delete()
    second = client.get("/", HTTP_HOST="carvin.localhost").content.decode()

    logo = [line for line in second.splitlines() if "brand__logo" in line]
    assert logo and logo != [line for line in first.splitlines() if "brand__logo" in line]


def test_pages_are_found_as_staff_publish_move_and_rename_them(client, carvin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from wagtail.models import Page

    from home.models import ContentPage

    home = Page.objects.get(pk=carvin.root_page_id)
    section = home.add_child(
        instance=ContentPage(title="Vivre à Carvin", slug="vivre-a-carvin", body="<p>Vivre</p>")
    )
    section.save_revision().publish()
    page = section.add_child(
        instance=ContentPage(title="Écoles", slug="ecoles", body="<p>Les écoles</p>", live=False)
    )
    client.force_login(citizen(carvin))

    def status(path):
        return client.get(path, HTTP_HOST="carvin.localhost").status_code

    assert status("/vivre-a-carvin/ecoles/") == 404, "a draft is not served"
    page.save_revision().publish()
    assert status("/vivre-a-carvin/ecoles/") == 200
    with CaptureQueriesContext(connection) as queries:
        assert status("/vivre-a-carvin/ecoles/") == 200
    assert not [q for q in queries if 'FROM "wagtailcore_page"' in q["sql"]], "routing is kept"

    page.slug = "ecoles-et-creches"
    page.save_revision().publish()
    assert status("/vivre-a-carvin/ecoles/") == 404
    assert status("/vivre-a-carvin/ecoles-et-creches/") == 200

    page.move(home, pos="last-child")
    moved = client.get("/vivre-a-carvin/ecoles-et-creches/", HTTP_HOST="carvin.localhost")
    assert moved.status_code == 301
    assert moved["Location"].endswith("carvin.localhost/ecoles-et-creches/")
    assert status("/ecoles-et-creches/") == 200


def test_a_page_deleted_while_its_parent_was_read_is_a_404(client, carvin):
    from django.core.cache import cache
    from wagtail.models import Page

    from cms.cache import site_generation
    from cms.pages import ROUTE_KEY, RouteStep

    home = Page.objects.get(pk=carvin.root_page_id).specific
    # The home's step as a request read it just before a child was deleted.
    key = ROUTE_KEY.format(generation=site_generation(carvin.pk), page_id=home.pk)
    cache.set(key, RouteStep(page=home, children={"disparue": (10**9, home.content_type_id)}))

    assert client.get("/disparue/", HTTP_HOST="carvin.localhost").status_code == 404
