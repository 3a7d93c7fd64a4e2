"""Démarches and identities certified by FranceConnect: the citizen's fields
prefilled from the certified identity and marked as such, and the démarches
that ask for such an identity."""

import re
from datetime import date
from urllib.parse import urlsplit

import pytest
from django.test import Client

from accounts.identity.base import CertifiedIdentity
from accounts.services import account_register_certified
from tests.accounts.factories import citizen
from tests.identity_provider import offer_franceconnect
from tests.services.factories import field, service_page, step
from tests.services.test_forms import build

CARVIN = "carvin.localhost"
IDENTITY = CertifiedIdentity(
    subject="sub-marie",
    given_name="Marie Claire",
    family_name="Dupont",
    birthdate=date(1985, 3, 14),
    birthplace="62215",
    birthcountry="99100",
    gender="female",
    email="marie.dupont@example.org",
    acr="eidas1",
)
CITIZEN_FIELDS = (
    field("short_text", "Prénom", "prenom", prefill="first_name"),
    field("short_text", "Nom", "nom", prefill="last_name"),
    field("date", "Date de naissance", "naissance", prefill="birth_date"),
    field("email", "Courriel", "courriel", prefill="email"),
)


def certified_citizen(site):
    return account_register_certified(
        site=site,
        provider="franceconnect",
        identity=IDENTITY,
        email=IDENTITY.email,
        contact_preference="email",
        validated=True,
    )


@pytest.mark.django_db
def test_fields_about_the_citizen_are_prefilled_from_the_certified_identity(carvin):
    form = build(*CITIZEN_FIELDS, account=certified_citizen(carvin))

    assert (form["prenom"].value(), form["nom"].value(), form["naissance"].value()) == (
        "Marie Claire",
        "Dupont",
        "1985-03-14",
    )
    for key in ("prenom", "nom", "naissance"):
        assert "Certifié par FranceConnect" in str(form.fields[key].help_text), key
    assert "FranceConnect" not in str(form.fields["courriel"].help_text)


@pytest.mark.django_db
def test_fields_of_an_account_without_franceconnect_are_not_marked_certified(carvin):
    form = build(*CITIZEN_FIELDS, account=citizen(carvin))

    assert form["prenom"].value() == "Amélie"
    assert "FranceConnect" not in str(form.fields["prenom"].help_text)


@pytest.fixture
def certified_demarche(carvin):
    offer_franceconnect(carvin, "http://localhost:9")
    return service_page(
        carvin,
        "Carte de stationnement résident",
        form=[step("Vous", *CITIZEN_FIELDS)],
        requires_franceconnect=True,
    )


def test_a_demarche_may_require_an_identity_certified_by_franceconnect(certified_demarche):
    page = certified_demarche
    path = urlsplit(page.url).path
    anonymous = Client()
    intro = anonymous.get(page.url, HTTP_HOST=CARVIN).content.decode()
    assert "Cette démarche demande une identité certifiée par FranceConnect" in intro
    assert re.search(r'<input type="hidden" name="next" value="([^"]+)">', intro)[1] == page.url
    assert anonymous.get(page.url + "etape/1/", HTTP_HOST=CARVIN)["Location"].startswith(
        "/compte/connexion/"
    )

    without = Client()
    without.force_login(citizen(page.get_site(), validated=True))
    intro = without.get(page.url, HTTP_HOST=CARVIN).content.decode()
    assert "Cette démarche demande une identité certifiée par FranceConnect" in intro
    assert "Commencer" not in intro
    assert without.get(page.url + "etape/1/", HTTP_HOST=CARVIN)["Location"] == path

    certified = Client()
    certified.force_login(certified_citizen(page.get_site()))
    assert "Commencer" in certified.get(page.url, HTTP_HOST=CARVIN).content.decode()
    step_page = certified.get(page.url + "etape/1/", HTTP_HOST=CARVIN)
    assert step_page.status_code == 200
    assert "Certifié par FranceConnect" in step_page.content.decode()
