import io
import json
import zipfile
from datetime import date

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import AccountStatus, HouseholdMember
from accounts.services import (
    ACCOUNT_NOT_VALIDATED,
    EMAIL_TAKEN,
    AccountError,
    account_erase,
    account_reject,
    account_update,
    account_validate,
    member_add,
)
from tests.accounts.factories import PASSWORD, citizen, member

HOST = {"HTTP_HOST": "carvin.localhost"}
ORIGIN = {"HTTP_HOST": "carvin.localhost", "HTTP_ORIGIN": "http://carvin.localhost"}


def login(client, username, password=PASSWORD, host="carvin.localhost"):
    return client.post(
        "/compte/connexion/",
        {"username": username, "password": password},
        HTTP_HOST=host,
        HTTP_ORIGIN=f"http://{host}",
    )


def test_registration_sends_the_identifier_by_email(carvin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user = citizen(carvin)

    assert user.status == AccountStatus.PENDING
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["amélie.lire@example.org"]
    assert "amélie.lire" in message.body
    assert "Carvin" in message.from_email
    assert "amélie.lire" in message.alternatives[0][0]
    assert "pas besoin d'y répondre" in message.body


def test_one_email_address_per_commune_but_one_in_each_commune(carvin, saint_andre):
    citizen(carvin, email="meme@example.org")
    citizen(saint_andre, email="meme@example.org")

    with pytest.raises(AccountError, match=str(EMAIL_TAKEN)):
        citizen(carvin, "Autre", "Personne", email="MEME@example.org")


@pytest.mark.parametrize(
    "login_as", ["amélie.lire", "Amélie.Lire", "AMÉLIE.LIRE", "amélie.lire@example.org"]
)
def test_login_accepts_identifier_whatever_the_case_and_the_email(client, carvin, login_as):
    citizen(carvin)

    response = login(client, login_as)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:home")


def test_login_is_accent_sensitive(client, carvin):
    citizen(carvin)

    response = login(client, "amelie.lire")

    assert response.status_code == 200
    assert "Identifiant ou mot de passe incorrect" in response.content.decode()


def test_an_account_of_one_commune_cannot_log_in_on_another(client, carvin, saint_andre):
    citizen(carvin)

    response = login(client, "amélie.lire", host="saint-andre-des-eaux.localhost")

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_session_of_one_commune_does_not_open_another_communes_account_pages(
    client, carvin, saint_andre
):
    client.force_login(citizen(carvin))

    own = client.get("/compte/profil/", HTTP_HOST="carvin.localhost")
    other = client.get("/compte/profil/", HTTP_HOST="saint-andre-des-eaux.localhost")

    assert own.status_code == 200
    assert other.status_code == 302
    assert other["Location"].startswith("/compte/connexion/")


def test_login_from_another_site_is_refused(client, carvin):
    citizen(carvin)

    response = client.post(
        "/compte/connexion/",
        {"username": "amélie.lire", "password": PASSWORD},
        HTTP_HOST="carvin.localhost",
        HTTP_ORIGIN="https://evil.example",
    )

    assert response.status_code == 403
    assert "_auth_user_id" not in client.session
    assert "Ce formulaire doit être envoyé depuis les pages du portail." in (
        response.content.decode()
    )


def test_login_takes_its_next_page_as_an_address_never_as_a_view_name(client, carvin):
    citizen(carvin)

    response = client.post(
        "/compte/connexion/",
        {"username": "amélie.lire", "password": PASSWORD, "next": "0"},
        **ORIGIN,
    )

    assert response.status_code == 302
    assert response["Location"] == "0"


def test_the_login_brings_back_to_the_page_with_its_whole_query_string(client, carvin):
    citizen(carvin)

    response = client.get("/compte/demandes/?tri=date&page=2", **HOST)

    assert (
        response["Location"] == "/compte/connexion/?next=/compte/demandes/%3Ftri%3Ddate%26page%3D2"
    )
    response = client.post(
        response["Location"], {"username": "amélie.lire", "password": PASSWORD}, **ORIGIN
    )
    assert response["Location"] == "/compte/demandes/?tri=date&page=2"


def test_account_pages_need_login(client, carvin):
    response = client.get("/compte/profil/", **HOST)

    assert response.status_code == 302
    assert response["Location"] == "/compte/connexion/?next=/compte/profil/"


def test_pending_account_cannot_be_modified_and_says_why(client, carvin):
    user = citizen(carvin)
    client.force_login(user)

    profile = client.get("/compte/profil/", **HOST).content.decode()
    edit = client.get("/compte/profil/modifier/", **HOST, follow=True).content.decode()

    assert "en attente de validation" in profile
    assert "disabled" in profile
    assert "possibles une fois votre compte validé" in profile
    assert "en attente de validation" in edit
    with pytest.raises(AccountError, match=str(ACCOUNT_NOT_VALIDATED)):
        account_update(user=user, phone="0600000000")
    with pytest.raises(AccountError):
        member_add(user=user, data=member())


def test_validated_account_edits_its_data_and_household(client, carvin):
    user = citizen(carvin, validated=True)
    client.force_login(user)

    client.post(
        "/compte/profil/modifier/",
        {
            "first_name": "Amélie",
            "last_name": "Lire",
            "birth_date": "1984-05-12",
            "email": "amelie@example.org",
            "phone": "06 11 22 33 44",
            "contact_preference": "phone",
        },
        **HOST,
    )
    client.post(
        "/compte/foyer/ajouter/",
        {
            "first_name": "Léa",
            "last_name": "Lire",
            "birth_date": "2015-09-21",
            "relationship": "child",
        },
        **HOST,
    )
    client.post(
        "/compte/foyer/ajouter/",
        {
            "first_name": "Paul",
            "last_name": "Lire",
            "birth_date": "1982-11-03",
            "relationship": "spouse",
        },
        **HOST,
    )

    user.refresh_from_db()
    assert (user.phone, user.contact_preference) == ("06 11 22 33 44", "phone")
    html = client.get("/compte/profil/", **HOST).content.decode()
    adults, children = html.split('id="children-title"')
    assert "Paul" in adults and "Léa" in children


def test_a_member_of_another_household_is_a_404(client, carvin):
    other = citizen(carvin, "Autre", "Foyer", validated=True, members=[member()])
    client.force_login(citizen(carvin, validated=True))

    response = client.get(f"/compte/foyer/{other.household_members.get().pk}/modifier/", **HOST)

    assert response.status_code == 404


def test_phone_preference_needs_a_phone_number(client, carvin):
    client.force_login(citizen(carvin, validated=True))

    response = client.post(
        "/compte/profil/modifier/",
        {
            "first_name": "A",
            "last_name": "B",
            "email": "x@example.org",
            "contact_preference": "phone",
        },
        **HOST,
    )

    assert "Indiquez un numéro de téléphone" in response.content.decode()
    assert 'value="x@example.org"' in response.content.decode()


def test_validation_and_rejection_email_the_citizen(
    carvin, staff_of, django_capture_on_commit_callbacks
):
    agent = staff_of(carvin, "Agents")
    one, two = citizen(carvin, email="1@example.org"), citizen(carvin, email="2@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        account_validate(account=one, by=agent)
        account_reject(account=two, by=agent, reason="Adresse hors de la commune.")

    one.refresh_from_db()
    two.refresh_from_db()
    assert one.status == AccountStatus.VALIDATED and one.status_changed_by == agent
    assert two.status == AccountStatus.REJECTED
    assert "Adresse hors de la commune." in mail.outbox[-1].body
    with pytest.raises(AccountError):
        account_validate(account=two, by=agent)


def test_erasing_an_account_removes_the_household(carvin):
    user = citizen(carvin, members=[member()])

    account_erase(user=user)

    assert not HouseholdMember.objects.exists()


def test_personal_data_download_has_everything(client, carvin):
    client.force_login(citizen(carvin, members=[member()]))

    response = client.get("/compte/donnees/telecharger/", **HOST)

    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    data = json.loads(archive.read("donnees.json"))
    assert response["Content-Disposition"].startswith("attachment;")
    assert data["account"]["username"] == "amélie.lire"
    assert data["household"][0]["first_name"] == "Léa"


def test_delete_my_account_asks_for_the_password(client, carvin):
    user = citizen(carvin)
    client.force_login(user)

    wrong = client.post("/compte/supprimer/", {"password": "pas le bon"}, **HOST)
    right = client.post("/compte/supprimer/", {"password": PASSWORD}, **HOST)

    assert wrong.status_code == 200
    assert right.status_code == 302
    assert not type(user).objects.filter(pk=user.pk).exists()


def test_household_lists_adults_then_children(carvin):
    from accounts.selectors import household_for

    user = citizen(
        carvin,
        members=[member("Léa"), member("Paul", date(1982, 11, 3), "spouse")],
    )

    adults, children = household_for(user=user)

    assert [m.first_name for m in adults] == ["Paul"]
    assert [m.first_name for m in children] == ["Léa"]


def test_a_pending_account_cannot_change_its_password_yet(client, carvin):
    user = citizen(carvin)
    client.force_login(user)

    response = client.post(
        "/compte/mot-de-passe/",
        {"old_password": PASSWORD, "new_password1": "x" * 20, "new_password2": "x" * 20},
        **HOST,
        follow=True,
    )

    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert "en attente de validation" in response.content.decode()


def test_editing_the_account_follows_the_portal_s_phone_rule(client, carvin):
    user = citizen(carvin, validated=True)
    client.force_login(user)
    typed = {
        "first_name": "Amélie",
        "last_name": "Lire",
        "birth_date": "1984-05-12",
        "email": "amelie@example.org",
        "postcode": "62220",
        "contact_preference": "email",
    }

    refused = client.post("/compte/profil/modifier/", {**typed, "phone": "07 11 22 33 44"}, **HOST)
    client.post("/compte/profil/modifier/", {**typed, "phone": "+33761223344"}, **HOST)

    assert "Saisissez un numéro de téléphone valide" in refused.content.decode()
    user.refresh_from_db()
    assert user.phone == "07 61 22 33 44"


def test_a_household_member_born_before_1900_is_refused(client, carvin):
    client.force_login(citizen(carvin, validated=True))

    response = client.post(
        "/compte/foyer/ajouter/",
        {
            "first_name": "Jules",
            "last_name": "Lire",
            "birth_date": "1899-06-01",
            "relationship": "child",
        },
        **HOST,
    )

    assert "La date de naissance ne peut pas être antérieure à 1900." in response.content.decode()
