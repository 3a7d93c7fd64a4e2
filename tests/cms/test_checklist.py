"""The setup checklist of a commune on the admin's home page, and the
platform admin's opening of a commune's portal."""

import pytest
from django.utils import translation

from accounts.models import AccountSettings, User
from cms.checklist import commune_setups
from cms.extensions import commune_setup_items
from cms.models import AuditLogEntry, CommuneSettings
from home.models import ContentPage
from tests.payments.factories import regie
from tests.services.factories import service_page


def items(site) -> dict[str, object]:
    """The commune's steps, as the admin says them in English."""
    with translation.override("en"):
        return {item.label: item for item in commune_setup_items(site)}


@pytest.fixture
def closed(carvin):
    CommuneSettings.objects.filter(site=carvin).update(is_open=False)
    return carvin


@pytest.fixture
def platform_admin(db):
    return User.objects.create_superuser(username="operator", password="a-long-password-1")


def fill_settings(site, image):
    commune = CommuneSettings.for_site(site)
    commune.address_lines = "Hôtel de ville\nPlace du Général de Gaulle"
    commune.postcode = "62220"
    commune.city = "Carvin"
    commune.logo = image
    commune.accent_colour = "#9b1c31"
    commune.contact_email = "contact@carvin.localhost"
    commune.contact_phone = "03 21 00 00 00"
    commune.dpo_name = "Délégué à la protection des données"
    commune.dpo_email = "dpo@carvin.localhost"
    commune.opening_hours = [
        {"type": "day", "value": {"weekday": "0", "opens": "08:30", "closes": "12:00"}}
    ]
    commune.save()


def test_a_new_commune_starts_with_every_step_to_do_and_says_what_is_missing(carvin):
    found = items(carvin)

    assert list(found) == [
        "Commune settings completed",
        "Staff invited",
        "Anti-robot check chosen",
        "Legal pages reviewed",
        "Démarches published",
        "Régies configured for production",
    ]
    assert not any(item.done for item in found.values())
    settings = found["Commune settings completed"]
    assert settings.detail == (
        "Missing: postal address, logo, colours (still the default ones), contact e-mail, "
        "contact phone, data protection officer (name and e-mail), opening hours"
    )
    assert settings.url == f"/admin/settings/cms/communesettings/{carvin.pk}/"
    assert found["Régies configured for production"].detail == "No régie takes payments yet."
    assert found["Legal pages reviewed"].detail == (
        "Missing: /mentions-legales/, /accessibilite/, /donnees-personnelles/"
    )


def test_settings_and_staff_tick_themselves_once_there(carvin, saint_andre, staff_of):
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    image = Image.objects.create(title="Logo", file=get_test_image_file())
    fill_settings(carvin, image)
    staff_of(carvin, "Communication")
    staff_of(saint_andre, "Agents")
    inactive = staff_of(carvin, "Agents")
    inactive.is_active = False
    inactive.save()

    found = items(carvin)

    assert found["Commune settings completed"].done
    assert not found["Staff invited"].done
    assert found["Staff invited"].detail == "Missing: someone in Agents or Supervisors"

    staff_of(carvin, "Supervisors")

    assert items(carvin)["Staff invited"].done


def test_the_apps_steps_tick_themselves_once_there(carvin, staff_of, admin_client):
    home = carvin.root_page.specific
    pages = []
    for title, slug in (
        ("Mentions légales", "mentions-legales"),
        ("Accessibilité", "accessibilite"),
        ("Données personnelles", "donnees-personnelles"),
    ):
        page = ContentPage(title=title, slug=slug, in_footer=True, body="<p>{commune}</p>")
        home.add_child(instance=page)
        page.save_revision(user=None).publish()
        pages.append(page)
    test_regie = regie(carvin, backend="testbank")
    before = items(carvin)

    assert before["Legal pages reviewed"].detail == (
        "Not reviewed yet: Mentions légales, Accessibilité, Données personnelles"
    )
    assert before["Legal pages reviewed"].url == f"/admin/pages/{pages[0].pk}/edit/"
    assert before["Régies configured for production"].detail == "In test mode: Ville"
    assert before["Anti-robot check chosen"].detail == (
        "Not chosen yet: the default is Self-hosted (ALTCHA)"
    )

    editor = staff_of(carvin, "Communication")
    for page in pages:
        page.save_revision(user=editor).publish()
    demarche = service_page(carvin)
    test_regie.backend = "payfip"
    test_regie.backend_options = {"numcli": "123456", "saisie": "W"}
    test_regie.save()
    response = admin_client.post(
        f"/admin/settings/accounts/accountsettings/{carvin.pk}/",
        {
            "captcha": "altcha",
            "recaptcha_score_threshold": "0.5",
            "franceconnect_environment": "integration",
        },
        HTTP_HOST="carvin.localhost",
    )
    assert response.status_code == 302
    after = items(carvin)

    assert after["Legal pages reviewed"].done
    assert after["Démarches published"].done
    assert after["Démarches published"].detail == "1 published"
    assert after["Démarches published"].url == f"/admin/pages/{demarche.get_parent().pk}/"
    assert after["Régies configured for production"].done
    assert after["Anti-robot check chosen"].done
    assert after["Anti-robot check chosen"].detail == "Chosen: Self-hosted (ALTCHA)"
    assert AccountSettings.for_site(carvin).captcha_confirmed_at is not None


def test_a_draft_demarche_is_not_published(carvin):
    page = service_page(carvin)
    page.unpublish()

    found = items(carvin)["Démarches published"]

    assert not found.done
    assert found.detail == "None published yet, 1 draft"


def test_the_admin_home_shows_the_checklist_to_those_who_set_the_commune_up(
    client, closed, saint_andre, staff_of
):
    communication = staff_of(closed, "Communication")
    client.force_login(communication)

    page = client.get("/admin/", HTTP_HOST="carvin.localhost").content.decode()

    assert "Mise en place de la commune" in page
    assert "En préparation" in page
    assert "0 étape sur 6" in page
    assert f'href="/admin/settings/cms/communesettings/{closed.pk}/"' in page
    assert "Saint-André-des-Eaux" not in page
    assert "Open the portal to the public" not in page

    client.force_login(staff_of(closed, "Agents"))
    assert (
        "Commune setup" not in client.get("/admin/", HTTP_HOST="carvin.localhost").content.decode()
    )


def test_the_platform_admin_sees_each_commune_left_to_set_up(
    client, closed, saint_andre, platform_admin
):
    client.force_login(platform_admin)

    page = client.get("/admin/", HTTP_HOST="carvin.localhost").content.decode()

    assert [setup.site for setup in commune_setups(platform_admin)] == [closed, saint_andre]
    assert f'href="/admin/communes/{closed.pk}/open/"' in page
    assert f'href="/admin/communes/{saint_andre.pk}/close/"' in page


def test_a_commune_open_and_set_up_leaves_the_home_page(carvin, platform_admin, monkeypatch):
    from cms import checklist
    from cms.extensions import SetupItem

    monkeypatch.setattr(
        checklist, "commune_setup_items", lambda site: [SetupItem("Done", True, "/admin/")]
    )

    assert commune_setups(platform_admin) == []


def test_only_the_platform_admin_opens_a_commune_and_it_is_logged(
    client, closed, staff_of, platform_admin
):
    url = f"/admin/communes/{closed.pk}/open/"
    supervisor = staff_of(closed, "Supervisors")
    client.force_login(supervisor)

    refused = client.post(url, HTTP_HOST="carvin.localhost")
    assert (refused.status_code, refused["Location"]) == (302, "/admin/")
    assert not CommuneSettings.for_site(closed).is_open

    client.force_login(platform_admin)
    confirmation = client.get(url, HTTP_HOST="carvin.localhost").content.decode()
    assert "La mise en place n’est pas terminée (0 étape sur 6)" in confirmation
    response = client.post(url, HTTP_HOST="carvin.localhost")

    assert response.status_code == 302
    assert CommuneSettings.for_site(closed).is_open
    entry = AuditLogEntry.objects.get(action="cms.commune_opened")
    assert (entry.site, entry.user) == (closed, platform_admin)
    client.force_login(supervisor)
    log = client.get("/admin/reports/agents-actions/", HTTP_HOST="carvin.localhost")
    assert "A ouvert le portail au public" in log.content.decode()

    client.force_login(platform_admin)
    client.post(f"/admin/communes/{closed.pk}/close/", HTTP_HOST="carvin.localhost")
    assert not CommuneSettings.for_site(closed).is_open
    assert AuditLogEntry.objects.filter(action="cms.commune_closed", site=closed).exists()
