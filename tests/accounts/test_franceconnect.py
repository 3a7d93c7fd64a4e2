"""Signing in with FranceConnect, against a real OpenID Connect provider
running locally (``tests.identity_provider``): the whole flow, logout, each
failure, linking an existing account, and two communes with their own client."""

from datetime import date
from html import escape

import pytest
import requests
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from wagtail.contrib.settings.views import get_setting_edit_handler

from accounts.identity import flow
from accounts.identity.base import (
    ANSWER_INVALID,
    CODE_REFUSED,
    LEVEL_INSUFFICIENT,
    PROVIDER_UNREACHABLE,
    SIGN_IN_CANCELLED,
    SIGN_IN_EXPIRED,
    CertifiedIdentity,
)
from accounts.models import AccountStatus, IdentityLink, User
from accounts.services import EMAIL_TAKEN, IDENTITY_LINK_INVALID, identity_link
from tests.accounts.factories import PASSWORD, citizen
from tests.identity_provider import (
    MARIE,
    NO_LEVEL,
    cancel,
    consent,
    local,
    offer_franceconnect,
    query,
)

CARVIN = "carvin.localhost"
SAINT_ANDRE = "saint-andre-des-eaux.localhost"
START = "/compte/franceconnect/connexion/"
WELCOME = "/compte/franceconnect/bienvenue/"
LINK = "/compte/franceconnect/relier/"


def shows(response, message) -> bool:
    """Whether the page shows ``message`` (an identity provider's naming it)."""
    return escape(str(message) % {"provider": "FranceConnect"}) in response.content.decode()


@pytest.fixture
def carvin_fc(carvin, identity_provider):
    offer_franceconnect(carvin, identity_provider)
    return carvin


def start(client, host=CARVIN, **params):
    response = client.post(START, params, HTTP_HOST=host)
    assert response.status_code == 302
    return response["Location"]


def sign_in(client, sub=MARIE, host=CARVIN, **params):
    """Press the button, sign in at the provider, come back: the portal's answer."""
    path, callback_host = local(consent(start(client, host, **params), sub))
    return client.get(path, HTTP_HOST=callback_host)


def complete(client, host=CARVIN, **fields):
    data = {
        "email": "marie.dupont@example.org",
        "phone": "06 12 34 56 78",
        "address_line": "1 rue de la Mairie",
        "postcode": "62220",
        "city": "Carvin",
        "contact_preference": "email",
        "consent": "on",
        "household-TOTAL_FORMS": "4",
        "household-INITIAL_FORMS": "0",
        "household-MIN_NUM_FORMS": "0",
        "household-MAX_NUM_FORMS": "12",
        "household-0-first_name": "Léo",
        "household-0-last_name": "Dupont",
        "household-0-birth_date": "2016-04-02",
        "household-0-relationship": "child",
        **fields,
    }
    return client.post(WELCOME, data, HTTP_HOST=host)


def logged_in_user(client):
    user_id = client.session.get(SESSION_KEY)
    return User.objects.get(pk=user_id) if user_id else None


# --- The button ---------------------------------------------------------------


def test_login_register_and_home_pages_show_the_button_only_where_offered(
    carvin, saint_andre, identity_provider
):
    offer_franceconnect(carvin, identity_provider)
    client = Client()
    for path in ("/compte/connexion/", "/compte/creer/", "/"):
        page = client.get(path, HTTP_HOST=CARVIN).content.decode()
        assert f'<form method="post" action="{START}">' in page, path
        assert "Qu’est-ce que FranceConnect ?" in page or "Qu'est-ce que FranceConnect ?" in page
        assert START not in client.get(path, HTTP_HOST=SAINT_ANDRE).content.decode()
    assert client.post(START, HTTP_HOST=SAINT_ANDRE).status_code == 404


def test_following_a_link_to_the_button_starts_nothing(carvin_fc):
    """A robot following links never gets a session made for a sign-in."""
    client = Client()

    response = client.get(START, HTTP_HOST=CARVIN)

    assert response.status_code == 405
    assert settings.SESSION_COOKIE_NAME not in response.cookies


def test_the_button_asks_for_the_pivot_identity_at_eidas_low(carvin_fc):
    params = query(start(Client()))

    assert params["client_id"] == f"client-{CARVIN}"
    assert params["acr_values"] == "eidas1"
    assert params["scope"].split() == [
        "openid",
        "given_name",
        "family_name",
        "birthdate",
        "birthplace",
        "birthcountry",
        "gender",
        "email",
    ]
    assert params["redirect_uri"] == "http://carvin.localhost/compte/franceconnect/retour/"
    assert len(params["state"]) >= 32 and len(params["nonce"]) >= 32


def test_the_client_secret_is_never_shown_back_and_is_kept_when_left_empty(carvin_fc, admin_client):
    from accounts.models import AccountSettings

    url = f"/admin/settings/accounts/accountsettings/{carvin_fc.pk}/"
    page = admin_client.get(url).content.decode()
    assert f"secret-{CARVIN}" not in page
    form_class = get_setting_edit_handler(AccountSettings).get_form_class()
    form = form_class(
        data={
            "captcha": "altcha",
            "recaptcha_score_threshold": "0.5",
            "franceconnect_enabled": "on",
            "franceconnect_environment": "custom",
            "franceconnect_issuer": "http://localhost:1",
            "franceconnect_client_id": "nouveau",
            "franceconnect_client_secret": "",
        },
        instance=AccountSettings.for_site(carvin_fc),
    )
    assert form.is_valid(), form.errors
    assert form.save().franceconnect_client_secret == f"secret-{CARVIN}"


# --- First visit, next visits, logout -----------------------------------------


def test_first_visit_creates_an_account_with_the_certified_identity(
    carvin_fc, django_capture_on_commit_callbacks
):
    client = Client()
    answer = sign_in(client)
    assert answer.status_code == 302 and answer["Location"] == WELCOME
    assert not User.objects.filter(site=carvin_fc).exists(), "nothing before it is completed"

    page = client.get(WELCOME, HTTP_HOST=CARVIN)
    assert "Marie Claire" in page.content.decode() and "Dupont" in page.content.decode()
    assert 'value="marie.dupont@example.org"' in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        answer = complete(client)
    assert answer.status_code == 302
    user = logged_in_user(client)
    assert user.site == carvin_fc
    assert user.username == "marie.dupont"
    assert (user.first_name, user.last_name, user.birth_date) == (
        "Marie Claire",
        "Dupont",
        date(1985, 3, 14),
    )
    assert user.status == AccountStatus.PENDING
    assert not user.has_usable_password()
    assert user.household_members.get().first_name == "Léo"
    link = IdentityLink.objects.get(user=user)
    assert (link.provider, link.subject, link.birthplace, link.birthcountry, link.gender) == (
        "franceconnect",
        MARIE,
        "62215",
        "99100",
        "female",
    )
    assert "marie.dupont" in mail.outbox[-1].body

    profile = client.get("/compte/profil/", HTTP_HOST=CARVIN).content.decode()
    assert "Identité certifiée par FranceConnect" in profile


def test_a_commune_may_validate_franceconnect_accounts_at_once(carvin, identity_provider):
    offer_franceconnect(carvin, identity_provider, validates=True)
    client = Client()
    sign_in(client)
    complete(client)

    assert logged_in_user(client).status == AccountStatus.VALIDATED


def test_an_account_opened_with_franceconnect_chooses_a_password_without_an_old_one(
    carvin, identity_provider
):
    offer_franceconnect(carvin, identity_provider, validates=True)
    client = Client()
    sign_in(client)
    complete(client)
    assert (
        "Choisir un mot de passe"
        in client.get("/compte/profil/", HTTP_HOST=CARVIN).content.decode()
    )

    page = client.get("/compte/mot-de-passe/", HTTP_HOST=CARVIN)
    assert set(page.context["form"].fields) == {"new_password1", "new_password2"}
    new = "un mot de passe choisi après FranceConnect"
    answer = client.post(
        "/compte/mot-de-passe/",
        {"new_password1": new, "new_password2": new},
        HTTP_HOST=CARVIN,
    )
    assert answer.status_code == 302
    user = logged_in_user(client)
    assert user is not None, "still logged in"
    assert user.check_password(new)

    again = client.get("/compte/mot-de-passe/", HTTP_HOST=CARVIN)
    assert "old_password" in again.context["form"].fields, "now it is changed, not chosen"
    other = Client()
    other.post(
        "/compte/connexion/",
        {"username": user.username, "password": new},
        HTTP_HOST=CARVIN,
        HTTP_ORIGIN="http://carvin.localhost",
    )
    assert logged_in_user(other) == user


def test_the_certified_identity_cannot_be_changed_from_the_account(carvin, identity_provider):
    offer_franceconnect(carvin, identity_provider, validates=True)
    client = Client()
    sign_in(client)
    complete(client)

    form = client.get("/compte/profil/modifier/", HTTP_HOST=CARVIN).context["form"]
    assert form.fields["first_name"].disabled and form.fields["birth_date"].disabled
    client.post(
        "/compte/profil/modifier/",
        {
            "first_name": "Autre",
            "last_name": "Nom",
            "birth_date": "2000-01-01",
            "email": "marie.dupont@example.org",
            "contact_preference": "email",
        },
        HTTP_HOST=CARVIN,
    )
    user = logged_in_user(client)
    assert (user.first_name, user.last_name) == ("Marie Claire", "Dupont")


def test_next_visits_log_the_linked_account_in(carvin_fc):
    first = Client()
    sign_in(first)
    complete(first)
    user = logged_in_user(first)

    again = Client()
    answer = sign_in(again, next="/compte/profil/")
    assert answer.status_code == 302 and answer["Location"] == "/compte/profil/"
    assert logged_in_user(again) == user
    assert User.objects.filter(site=carvin_fc).count() == 1


def test_logout_also_ends_the_franceconnect_session(carvin_fc, identity_provider):
    client = Client()
    sign_in(client)
    complete(client)
    id_token = client.session[flow.LOGOUT_KEY]["id_token"]

    page = client.post("/compte/deconnexion/", HTTP_HOST=CARVIN)
    assert logged_in_user(client) is None
    assert page.status_code == 200
    provider_url = page.context["provider_logout_url"]
    assert provider_url.startswith(identity_provider + "/oauth2/end_session?")
    params = query(provider_url)
    assert params["id_token_hint"] == id_token
    assert params["post_logout_redirect_uri"] == (
        "http://carvin.localhost/compte/franceconnect/deconnecte/"
    )
    assert requests.get(provider_url, timeout=10).status_code == 200

    back = client.get(
        "/compte/franceconnect/deconnecte/", {"state": params["state"]}, HTTP_HOST=CARVIN
    )
    assert back.status_code == 302
    home = client.get("/", HTTP_HOST=CARVIN)
    assert "Vous êtes aussi déconnecté de FranceConnect" in home.content.decode()


def test_a_password_login_logs_out_without_going_to_franceconnect(carvin_fc):
    citizen(carvin_fc)
    client = Client()
    client.post(
        "/compte/connexion/",
        {"username": "amélie.lire", "password": PASSWORD},
        HTTP_HOST=CARVIN,
        HTTP_ORIGIN="http://carvin.localhost",
    )
    assert client.post("/compte/deconnexion/", HTTP_HOST=CARVIN).status_code == 302


# --- Failures -------------------------------------------------------------------


def test_provider_unreachable_is_explained_and_the_password_login_still_works(carvin):
    offer_franceconnect(carvin, "http://localhost:9")
    citizen(carvin)
    client = Client()

    answer = client.post(START, HTTP_HOST=CARVIN)
    assert answer.status_code == 503
    assert shows(answer, PROVIDER_UNREACHABLE)
    assert client.get("/compte/connexion/", HTTP_HOST=CARVIN).status_code == 200
    client.post(
        "/compte/connexion/",
        {"username": "amélie.lire", "password": PASSWORD},
        HTTP_HOST=CARVIN,
        HTTP_ORIGIN="http://carvin.localhost",
    )
    assert logged_in_user(client).username == "amélie.lire"


def test_a_citizen_who_cancels_at_franceconnect_is_told_and_nothing_is_created(carvin_fc):
    client = Client()
    path, host = local(cancel(start(client)))
    assert "error=access_denied" in path

    answer = client.get(path, HTTP_HOST=host)
    assert shows(answer, SIGN_IN_CANCELLED)
    assert flow.PENDING_KEY not in client.session
    assert not User.objects.filter(site=carvin_fc).exists()


def test_an_answer_with_another_state_is_refused(carvin_fc):
    client = Client()
    path, host = local(consent(start(client)))
    params = query("http://x/" + path)

    answer = client.get(path.replace(params["state"], "x" * 43), HTTP_HOST=host)
    assert answer.status_code == 400 and shows(answer, SIGN_IN_EXPIRED)
    assert flow.PENDING_KEY not in client.session


def test_an_id_token_with_another_nonce_is_refused(carvin_fc):
    client = Client()
    path, host = local(consent(start(client)))
    session = client.session
    session[flow.SIGN_IN_KEY]["nonce"] = "another-nonce-" + "x" * 30
    session.save()

    answer = client.get(path, HTTP_HOST=host)
    assert answer.status_code == 400 and shows(answer, ANSWER_INVALID)
    assert flow.PENDING_KEY not in client.session


def test_a_replayed_answer_or_code_is_refused(carvin_fc):
    client = Client()
    path, host = local(consent(start(client)))
    assert client.get(path, HTTP_HOST=host).status_code == 302

    replayed = client.get(path, HTTP_HOST=host)
    assert replayed.status_code == 400 and shows(replayed, SIGN_IN_EXPIRED)

    code = query("http://x/" + path)["code"]
    state = query(start(client))["state"]
    answer = client.get(
        "/compte/franceconnect/retour/", {"code": code, "state": state}, HTTP_HOST=host
    )
    assert answer.status_code == 400 and shows(answer, CODE_REFUSED)


def test_an_identity_certified_below_eidas_low_is_refused(carvin_fc):
    client = Client()
    answer = sign_in(client, NO_LEVEL.sub)

    assert answer.status_code == 403 and shows(answer, LEVEL_INSUFFICIENT)
    assert flow.PENDING_KEY not in client.session
    assert not User.objects.filter(site=carvin_fc).exists()


def test_an_email_address_of_another_account_never_links_nor_creates_it(carvin_fc):
    existing = citizen(carvin_fc, email="marie.dupont@example.org")
    client = Client()
    sign_in(client)

    page = client.get(WELCOME, HTTP_HOST=CARVIN)
    assert "marie.dupont@example.org" in page.content.decode()
    assert logged_in_user(client) is None
    answer = complete(client)
    assert answer.status_code == 200
    assert shows(answer, EMAIL_TAKEN)
    assert User.objects.filter(site=carvin_fc).get() == existing
    assert not IdentityLink.objects.exists()


# --- Linking an existing account --------------------------------------------------


def test_an_existing_account_is_linked_with_its_password(carvin_fc):
    existing = citizen(carvin_fc, email="amelie@example.org")
    client = Client()
    sign_in(client)

    wrong = client.post(
        LINK,
        {"action": "password", "password-username": "amélie.lire", "password-password": "non"},
        HTTP_HOST=CARVIN,
    )
    assert wrong.status_code == 200 and not IdentityLink.objects.exists()

    answer = client.post(
        LINK,
        {"action": "password", "password-username": "amélie.lire", "password-password": PASSWORD},
        HTTP_HOST=CARVIN,
    )
    assert answer.status_code == 302
    assert logged_in_user(client) == existing
    existing.refresh_from_db()
    assert (existing.username, existing.first_name, existing.last_name) == (
        "amélie.lire",
        "Marie Claire",
        "Dupont",
    )
    assert IdentityLink.objects.get().user == existing
    assert logged_in_user(_signed_in_again()) == existing


@pytest.mark.parametrize("validates", [True, False])
def test_linking_an_account_awaiting_validation_validates_it_if_the_commune_says_so(
    carvin, identity_provider, validates
):
    offer_franceconnect(carvin, identity_provider, validates=validates)
    existing = citizen(carvin, email="amelie@example.org")
    assert existing.status == AccountStatus.PENDING
    client = Client()
    sign_in(client)

    client.post(
        LINK,
        {"action": "password", "password-username": "amélie.lire", "password-password": PASSWORD},
        HTTP_HOST=CARVIN,
    )
    existing.refresh_from_db()
    assert IdentityLink.objects.get().user == existing
    assert existing.status == (AccountStatus.VALIDATED if validates else AccountStatus.PENDING)
    assert (existing.status_changed_at is not None) is validates


def test_linking_by_the_emailed_link_validates_a_waiting_account_too(
    carvin, identity_provider, django_capture_on_commit_callbacks
):
    offer_franceconnect(carvin, identity_provider, validates=True)
    existing = citizen(carvin, email="amelie@example.org")
    client = Client()
    sign_in(client)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            LINK, {"action": "email", "email-login": "amelie@example.org"}, HTTP_HOST=CARVIN
        )
    link = next(word for word in mail.outbox[-1].body.split() if "/franceconnect/relier/" in word)
    path, host = local(link)
    Client().post(path.rstrip("?"), HTTP_HOST=host)

    existing.refresh_from_db()
    assert existing.status == AccountStatus.VALIDATED


def test_a_rejected_account_stays_rejected_when_linked(carvin, identity_provider):
    offer_franceconnect(carvin, identity_provider, validates=True)
    existing = citizen(carvin, email="amelie@example.org")
    User.objects.filter(pk=existing.pk).update(status=AccountStatus.REJECTED)
    identity = CertifiedIdentity(
        subject="rejected", given_name="Amélie", family_name="Lire", birthdate=None, acr="eidas1"
    )

    identity_link(user=existing, provider="franceconnect", identity=identity)
    existing.refresh_from_db()
    assert existing.status == AccountStatus.REJECTED


def _signed_in_again():
    client = Client()
    sign_in(client)
    return client


def test_an_existing_account_is_linked_with_a_link_sent_to_its_address(
    carvin_fc, django_capture_on_commit_callbacks
):
    existing = citizen(carvin_fc, email="amelie@example.org")
    client = Client()
    sign_in(client)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            LINK, {"action": "email", "email-login": "amelie@example.org"}, HTTP_HOST=CARVIN
        )
    assert not IdentityLink.objects.exists()
    message = mail.outbox[-1]
    assert message.to == ["amelie@example.org"]
    link = next(word for word in message.body.split() if "/franceconnect/relier/" in word)
    path, host = local(link)
    path = path.rstrip("?")

    other = Client()
    assert other.get(path, HTTP_HOST=host).status_code == 200
    assert not IdentityLink.objects.exists(), "opening the link changes nothing"
    other.post(path, HTTP_HOST=host)
    assert IdentityLink.objects.get().user == existing
    again = other.get(path, HTTP_HOST=host)
    assert shows(again, IDENTITY_LINK_INVALID)


def test_a_logged_in_citizen_links_their_account_and_removes_the_link(carvin_fc):
    existing = citizen(carvin_fc, validated=True)
    client = Client()
    client.force_login(existing)
    answer = sign_in(client, next="/compte/profil/")
    assert answer["Location"] == "/compte/profil/"
    assert IdentityLink.objects.get().user == existing
    assert (
        "Identité certifiée par FranceConnect"
        in client.get("/compte/profil/", HTTP_HOST=CARVIN).content.decode()
    )

    client.post("/compte/franceconnect/delier/", HTTP_HOST=CARVIN)
    assert not IdentityLink.objects.exists()
    assert (
        not client.get("/compte/profil/modifier/", HTTP_HOST=CARVIN)
        .context["form"]
        .fields["first_name"]
        .disabled
    )


# --- Two communes -------------------------------------------------------------------


def test_each_commune_has_its_client_and_a_carvin_sign_in_never_serves_saint_andre(
    carvin, saint_andre, identity_provider
):
    offer_franceconnect(carvin, identity_provider, client_id="client-carvin")
    offer_franceconnect(saint_andre, identity_provider, client_id="client-saint-andre")
    client = Client()
    assert query(start(client, SAINT_ANDRE))["client_id"] == "client-saint-andre"

    path, _host = local(consent(start(client, CARVIN)))
    answer = client.get(path, HTTP_HOST=SAINT_ANDRE)
    assert answer.status_code == 400 and shows(answer, SIGN_IN_EXPIRED)
    assert client.get(WELCOME, HTTP_HOST=SAINT_ANDRE).status_code == 302

    carvin_client = Client()
    sign_in(carvin_client, host=CARVIN)
    complete(carvin_client)
    assert client.get(WELCOME, HTTP_HOST=SAINT_ANDRE).status_code == 302
    assert not User.objects.filter(site=saint_andre).exists()
    assert IdentityLink.objects.get().site == carvin

    sa_client = Client()
    sign_in(sa_client, host=SAINT_ANDRE)
    assert logged_in_user(sa_client) is None
    complete(sa_client, city="Saint-André-des-Eaux", host=SAINT_ANDRE)
    assert logged_in_user(sa_client).site == saint_andre
    assert IdentityLink.objects.count() == 2


def test_an_account_without_password_is_erased_with_a_confirmation(carvin_fc):
    client = Client()
    sign_in(client)
    complete(client)
    user = logged_in_user(client)

    refused = client.post("/compte/supprimer/", {}, HTTP_HOST=CARVIN)
    assert refused.status_code == 200 and User.objects.filter(pk=user.pk).exists()
    client.post("/compte/supprimer/", {"confirm": "on"}, HTTP_HOST=CARVIN)
    assert not User.objects.filter(pk=user.pk).exists()
    assert not IdentityLink.objects.exists()


def test_a_page_with_the_button_lets_its_form_lead_to_franceconnect(carvin_fc, identity_provider):
    """The button posts to the portal, which sends the browser on to
    FranceConnect: the page's ``form-action`` must allow that origin."""
    policy = Client().get("/compte/connexion/", HTTP_HOST=CARVIN)["Content-Security-Policy"]

    form_action = next(d for d in policy.split(";") if d.strip().startswith("form-action"))
    assert identity_provider in form_action.split()
    assert (
        "form-action 'self'" in Client().get("/", HTTP_HOST=SAINT_ANDRE)["Content-Security-Policy"]
    )
