"""A commune "en préparation": its portal is seen by its own staff only."""

import pytest
from django.test import Client

from accounts.models import User
from cms.models import CommuneSettings
from cms.services import commune_open

CARVIN = "carvin.localhost"
NOTICE = "Le portail citoyen de la mairie de Carvin est en préparation"
BANNER = "Portail en préparation : visible seulement par l’équipe de la mairie"


def get(client, path="/", host=CARVIN):
    return client.get(path, HTTP_HOST=host)


@pytest.fixture
def closed(carvin):
    commune = CommuneSettings.for_site(carvin)
    commune.is_open = False
    commune.contact_phone = "03 21 00 00 00"
    commune.save()
    return carvin


@pytest.fixture
def operator(db):
    return User.objects.create_superuser(username="operator", password="a-long-password-1")


def test_the_public_reads_that_the_portal_is_being_prepared(closed, faq_of):
    for path in ("/", "/faq/", "/services/", "/compte/connexion/", "/recherche/?q=acte", "/en/"):
        response = get(Client(), path)

        assert response.status_code == 200, path
        page = response.content.decode()
        english = "The citizen portal of la mairie de Carvin is being prepared"
        assert NOTICE in page or english in page, path
        assert 'href="tel:0321000000"' in page
        assert "no-store" in response["Cache-Control"]
        assert response["X-Robots-Tag"] == "noindex, nofollow"
        assert '<meta name="robots" content="noindex, nofollow">' in page


def test_the_staff_login_the_admin_and_the_health_check_still_answer(closed):
    client = Client()

    assert get(client, "/admin/login/").status_code == 200
    assert get(client, "/healthz/").status_code == 200
    assert get(client, "/admin/").status_code == 302


def test_its_staff_see_the_portal_under_a_banner_and_others_do_not(
    closed, saint_andre, staff_of, operator
):
    citizen = User.objects.create_user(
        username="amelie", email="amelie@example.org", password="x", site=closed
    )
    visitors = {
        "agent of the commune": (staff_of(closed, "Agents"), True),
        "platform admin": (operator, True),
        "citizen": (citizen, False),
        "staff of another commune": (staff_of(saint_andre, "Communication"), False),
    }
    for name, (user, sees) in visitors.items():
        client = Client()
        client.force_login(user)

        page = get(client, "/faq/").content.decode()

        assert (BANNER in page) is sees, name
        assert (NOTICE not in page) is sees, name


def test_the_page_cache_never_serves_a_closed_commune_and_opening_shows_it_at_once(
    client, carvin, staff_of, operator
):
    assert NOTICE not in get(client, "/faq/").content.decode()  # stored for the public

    commune_open(site=carvin, user=operator, open=False)
    assert NOTICE in get(client, "/faq/").content.decode()
    staff = Client()
    staff.force_login(staff_of(carvin, "Communication"))
    assert BANNER in get(staff, "/faq/").content.decode()
    assert NOTICE in get(client, "/faq/").content.decode()

    commune_open(site=carvin, user=operator, open=True)
    page = get(client, "/faq/").content.decode()
    assert NOTICE not in page
    assert BANNER not in page


def test_robots_are_kept_off_a_closed_commune(closed, saint_andre):
    closed_robots = get(Client(), "/robots.txt")
    open_robots = get(Client(), "/robots.txt", host="saint-andre-des-eaux.localhost")

    assert closed_robots.status_code == 200
    assert closed_robots["Content-Type"] == "text/plain; charset=utf-8"
    assert closed_robots.content.decode() == "User-agent: *\nDisallow: /\n"
    assert open_robots.content.decode() == "User-agent: *\nDisallow: /admin/\n"
