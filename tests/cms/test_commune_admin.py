"""The platform admin's "New commune" screen and ``create_commune``'s options:
both create a commune through ``commune_create`` and refuse the same way."""

import html

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import Site

from cms.commune_admin import CommuneCreateForm
from cms.models import CommuneSettings
from cms.services import (
    COMMUNE_EXISTS,
    HOSTNAME_INVALID,
    HOSTNAME_USED,
    hostname_clean,
    mairie_phrase,
)
from faq.models import FAQPage
from home.models import ContentPage
from payments.models import Regie
from services.models import MessageTemplate

URL = "/admin/communes/new/"


def form_data(**values):
    data = {
        "name": "L'Île-d'Yeu",
        "hostname": "ile-d-yeu.example.fr",
        "port": "",
        "phrase": "",
        "install_legal_pages": "on",
        "install_faq": "draft",
        "install_message_templates": "on",
        "install_test_regie": "on",
    }
    data.update(values)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.parametrize(
    "name, phrase",
    [
        ("Carvin", "la mairie de Carvin"),
        ("Yffiniac", "la mairie d'Yffiniac"),
        ("Étaples", "la mairie d'Étaples"),
        ("Hazebrouck", "la mairie d'Hazebrouck"),
        ("Le Mans", "la mairie du Mans"),
        ("Les Sables-d'Olonne", "la mairie des Sables-d'Olonne"),
        ("L'Île-d'Yeu", "la mairie de L'Île-d'Yeu"),
    ],
)
def test_the_phrase_names_the_town_hall_with_french_elision(name, phrase):
    assert mairie_phrase(name) == phrase


def test_an_internationalised_host_name_is_kept_in_its_ascii_form():
    assert hostname_clean(" Île-d-Yeu.FR ") == "xn--le-d-yeu-k2a.fr"


@pytest.mark.parametrize(
    "values, field, message",
    [
        ({"hostname": "https://ile-d-yeu.example.fr/"}, "hostname", HOSTNAME_INVALID),
        ({"hostname": "ile d yeu.fr"}, "hostname", HOSTNAME_INVALID),
        ({"hostname": "ile-d-yeu"}, "hostname", HOSTNAME_INVALID),
        (
            {"hostname": "carvin.localhost"},
            "hostname",
            HOSTNAME_USED % {"hostname": "carvin.localhost", "commune": "Carvin"},
        ),
        ({"name": "carvin"}, "name", COMMUNE_EXISTS % {"name": "carvin"}),
    ],
)
def test_the_form_refuses_with_the_reason(carvin, values, field, message):
    form = CommuneCreateForm(data=form_data(**values))

    assert not form.is_valid()
    assert form.errors[field] == [str(message)]


def test_a_platform_admin_creates_a_commune_and_is_told_what_to_do_next(
    admin_client, migrated, settings
):
    settings.PORTAL_DNS_TARGET = "portail.example.fr"

    form = admin_client.get(URL).context["form"]
    # Each installable is offered with its default.
    assert form["install_legal_pages"].value() is True
    assert form["install_faq"].value() == "draft"

    response = admin_client.post(URL, form_data())

    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "ile-d-yeu.example.fr. CNAME portail.example.fr." in page
    for created in (
        "site ile-d-yeu.example.fr",
        "group L'Île-d'Yeu — Communication",
        "page Mentions légales",
        "page Accessibilité",
        "page Données personnelles",
        "FAQ (",
        "message template Demande acceptée",
        "régie Régie de test (banque de test)",
    ):
        assert created in page
    site = Site.objects.get(hostname="ile-d-yeu.example.fr")
    commune = CommuneSettings.for_site(site)
    assert (commune.phrase, commune.is_open) == ("la mairie de L'Île-d'Yeu", False)
    assert f"/admin/settings/cms/communesettings/{site.pk}/" in page
    assert "http://ile-d-yeu.example.fr/" in page
    assert Regie.objects.get(site=site).backend == "testbank"


def test_a_refused_form_keeps_what_was_typed(admin_client, carvin):
    response = admin_client.post(URL, form_data(hostname="carvin.localhost", phrase="la ville"))

    page = html.unescape(response.content.decode())
    assert "Le nom d’hôte carvin.localhost est déjà l’adresse de Carvin." in page
    assert "value=\"L'Île-d'Yeu\"" in page and 'value="la ville"' in page
    assert not Site.objects.filter(site_name="L'Île-d'Yeu").exists()


def test_commune_staff_cannot_create_a_commune(client, carvin, staff_of):
    client.force_login(staff_of(carvin, "Supervisors"))

    for response in (client.get(URL), client.post(URL, form_data())):
        assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert not Site.objects.filter(hostname="ile-d-yeu.example.fr").exists()


def test_create_commune_has_an_option_per_installable(migrated, capsys):
    with pytest.raises(SystemExit):
        call_command("create_commune", "--help")
    help_text = capsys.readouterr().out
    for option in ("--no-legal-pages", "--faq {none,draft,published}", "--no-test-regie", "--open"):
        assert option in help_text

    call_command(
        "create_commune",
        "--name",
        "Yffiniac",
        "--hostname",
        "yffiniac.localhost",
        "--no-legal-pages",
        "--faq",
        "none",
        "--no-message-templates",
        "--no-test-regie",
        "--open",
    )

    site = Site.objects.get(hostname="yffiniac.localhost")
    assert CommuneSettings.for_site(site).is_open
    assert CommuneSettings.for_site(site).phrase == "la mairie d'Yffiniac"
    assert not ContentPage.objects.descendant_of(site.root_page).exists()
    assert not FAQPage.objects.child_of(site.root_page).get().live
    assert not MessageTemplate.objects.filter(site=site).exists()
    assert not Regie.objects.filter(site=site).exists()


def test_create_commune_refuses_as_the_form_does(carvin):
    # The command speaks the platform's language, as the form does.
    with pytest.raises(CommandError, match="des lettres, des chiffres et des traits d’union"):
        call_command("create_commune", "--name", "Yffiniac", "--hostname", "http://yffiniac.fr")
    with pytest.raises(CommandError, match="est déjà l’adresse de Carvin"):
        call_command("create_commune", "--name", "Yffiniac", "--hostname", "carvin.localhost")


@pytest.mark.parametrize(
    ("target", "record"),
    [
        ("portail.example.fr", "ile-d-yeu.example.fr. CNAME portail.example.fr."),
        ("192.0.2.10", "ile-d-yeu.example.fr. A 192.0.2.10"),
        ("2001:db8::1", "ile-d-yeu.example.fr. AAAA 2001:db8::1"),
    ],
)
def test_the_dns_record_is_an_alias_of_a_name_or_an_address_record(settings, target, record):
    """A CNAME can only name a host: a platform known by its address gets an
    A (or AAAA) record."""
    from cms.services import dns_record

    settings.PORTAL_DNS_TARGET = target
    assert dns_record("ile-d-yeu.example.fr") == record
