"""Staff signing in to the admin with ProConnect, against a real OpenID
Connect provider running locally (``tests.identity_provider``), with the
platform's own client: the whole flow to the admin's second factor, the
platform setting that lets ProConnect's second factor replace it, logout,
and each refusal."""

import json
from datetime import timedelta
from html import escape

import pytest
import requests
import time_machine
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone, translation
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.identity import flow
from accounts.identity.base import (
    ANSWER_INVALID,
    CODE_REFUSED,
    LEVEL_INSUFFICIENT,
    PROVIDER_UNREACHABLE,
    SIGN_IN_CANCELLED,
    SIGN_IN_EXPIRED,
)
from accounts.models import User
from accounts.services import (
    STAFF_ACCOUNT_CLOSED,
    STAFF_EMAIL_OF_CITIZEN,
    STAFF_EMAIL_SHARED,
    STAFF_EMAIL_UNKNOWN,
)
from cms.models import AuditLogEntry
from tests.accounts.factories import citizen
from tests.identity_provider import (
    AGENT,
    PRO,
    PRO_MFA_ACR,
    PRO_MFA_AMR,
    PRO_NO_LEVEL,
    PROCONNECT_CLIENT,
    cancel,
    consent,
    local,
    offer_franceconnect,
    offer_proconnect,
    query,
)

HOST = "carvin.localhost"
LOGIN = "/admin/login/"
START = "/admin/proconnect/login/"
STAFF_PASSWORD = "a-long-password-1"


def french(message, **values) -> str:
    with translation.override("fr"):
        return str(message) % (values or {"provider": "ProConnect"})


def shows(response, text: str) -> bool:
    return escape(text) in response.content.decode()


def logged_in_user(client):
    user_id = client.session.get(SESSION_KEY)
    return User.objects.get(pk=user_id) if user_id else None


@pytest.fixture
def proconnect(settings, identity_provider, carvin):
    offer_proconnect(settings, identity_provider)
    return identity_provider


@pytest.fixture
def staff(carvin):
    """A staff account of Carvin, made by a platform admin: in one of the
    commune's groups, with an e-mail address."""

    def make(email, *, role="Agents", username=None, active=True):
        user = User.objects.create_user(
            username=username or email.split("@")[0].lower(),
            email=email,
            password=STAFF_PASSWORD,
            is_active=active,
        )
        user.groups.add(Group.objects.get(name=f"Carvin — {role}"))
        return user

    return make


def start(client, **params) -> str:
    response = client.get(START, params, HTTP_HOST=HOST)
    assert response.status_code == 302, response
    return response["Location"]


def sign_in(client, sub=PRO.sub, **params):
    """Press the button, sign in at ProConnect, come back: the admin's answer."""
    path, host = local(consent(start(client, **params), sub))
    return client.get(path, HTTP_HOST=host)


def with_app(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="app", confirmed=True)


# --- The button -----------------------------------------------------------------


def test_the_admin_login_page_offers_proconnect_only_when_the_platform_does(
    settings, identity_provider, carvin
):
    client = Client()
    page = client.get(LOGIN, HTTP_HOST=HOST).content.decode()
    assert START not in page
    assert client.get(START, HTTP_HOST=HOST).status_code == 404
    assert client.get("/admin/proconnect/callback/", HTTP_HOST=HOST).status_code == 404

    offer_proconnect(settings, identity_provider)
    page = client.get(LOGIN, {"next": "/admin/pages/"}, HTTP_HOST=HOST).content.decode()
    assert f'href="{START}?next=/admin/pages/"' in page
    assert "Se connecter avec</span> <span" in page and ">ProConnect</span>" in page
    assert "Qu’est-ce que ProConnect ?" in page or "Qu'est-ce que ProConnect ?" in page
    assert 'href="https://proconnect.gouv.fr/"' in page
    assert 'name="password"' in page, "the password login stays"


def test_the_button_asks_proconnect_for_its_scopes_and_the_authentication_methods(proconnect):
    params = query(start(Client()))

    assert params["client_id"] == PROCONNECT_CLIENT
    assert params["scope"].split() == [
        "openid",
        "email",
        "given_name",
        "usual_name",
        "uid",
        "siret",
    ]
    assert json.loads(params["claims"]) == {"id_token": {"amr": {"essential": True}}}
    assert "acr_values" not in params, "ProConnect refuses parameters it does not list"
    assert params["redirect_uri"] == "http://carvin.localhost/admin/proconnect/callback/"
    assert len(params["state"]) >= 32 and len(params["nonce"]) >= 32


# --- Signing in, then the admin's second factor -----------------------------------


def test_a_sign_in_opens_the_staff_account_of_its_email_and_sets_up_the_app_first(
    proconnect, staff
):
    agent = staff("pro.agent@mairie.example")
    client = Client()

    answer = sign_in(client, PRO.sub, next="/admin/pages/")
    assert logged_in_user(client) == agent, "matched whatever the case of the address"
    assert answer.status_code == 302
    assert answer["Location"] == "/admin/second-factor/?next=%2Fadmin%2Fpages%2F"
    to_setup = client.get(answer["Location"], HTTP_HOST=HOST)
    assert to_setup["Location"] == "/admin/second-factor/setup/?next=%2Fadmin%2Fpages%2F"
    assert client.get(to_setup["Location"], HTTP_HOST=HOST).status_code == 200
    assert client.get("/admin/", HTTP_HOST=HOST).status_code == 302, "not in before the app"
    assert client.session.get_expire_at_browser_close(), 'as without "Remember me"'
    entry = AuditLogEntry.objects.get(action="accounts.proconnect_signed_in")
    assert entry.user_id == agent.pk
    assert entry.data == {"acr": "eidas1", "amr": ["pwd"], "multi_factor": False}


def test_a_staff_member_with_an_app_types_its_code_then_reaches_the_admin(proconnect, staff):
    agent = staff("pro.agent@mairie.example")
    device = with_app(agent)
    client = Client()

    answer = sign_in(client, PRO.sub)
    assert answer["Location"] == "/admin/second-factor/?next=%2Fadmin%2F"
    assert 'name="code"' in client.get(answer["Location"], HTTP_HOST=HOST).content.decode()
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        passed = client.post(
            "/admin/second-factor/",
            {"code": f"{totp(device.bin_key):06d}", "next": "/admin/"},
            HTTP_HOST=HOST,
        )
        assert passed["Location"] == "/admin/"
        assert client.get("/admin/", HTTP_HOST=HOST).status_code == 200


@pytest.mark.parametrize("identity", [PRO_MFA_ACR, PRO_MFA_AMR], ids=["acr", "amr"])
def test_with_the_platform_setting_proconnects_second_factor_replaces_the_app(
    settings, proconnect, staff, identity
):
    settings.PROCONNECT_MFA_REPLACES_SECOND_FACTOR = True
    agent = staff(identity.claims["email"])
    client = Client()

    answer = sign_in(client, identity.sub, next="/admin/pages/")
    assert answer["Location"] == "/admin/pages/"
    assert client.get("/admin/", HTTP_HOST=HOST).status_code == 200
    assert not TOTPDevice.objects.filter(user=agent).exists(), "no app asked for"
    passed = AuditLogEntry.objects.get(action="accounts.second_factor_passed")
    assert (passed.user_id, passed.data) == (agent.pk, {"method": "proconnect"})

    settings.PROCONNECT_MFA_REPLACES_SECOND_FACTOR = False
    asked = client.get("/admin/", HTTP_HOST=HOST)
    assert asked["Location"] == "/admin/second-factor/?next=%2Fadmin%2F", "trusted no longer"


def test_a_next_page_elsewhere_is_never_followed(settings, proconnect, staff):
    settings.PROCONNECT_MFA_REPLACES_SECOND_FACTOR = True
    staff(PRO_MFA_ACR.claims["email"])

    answer = sign_in(Client(), PRO_MFA_ACR.sub, next="https://evil.example/admin/")
    assert answer["Location"] == "/admin/"


def test_without_the_setting_a_multi_factor_sign_in_still_asks_for_the_app(proconnect, staff):
    staff(PRO_MFA_ACR.claims["email"])
    client = Client()

    answer = sign_in(client, PRO_MFA_ACR.sub)
    assert answer["Location"] == "/admin/second-factor/?next=%2Fadmin%2F"
    assert client.get("/admin/", HTTP_HOST=HOST).status_code == 302


def test_with_the_setting_a_password_only_sign_in_still_asks_for_the_app(
    settings, proconnect, staff
):
    settings.PROCONNECT_MFA_REPLACES_SECOND_FACTOR = True
    staff("pro.agent@mairie.example")
    client = Client()

    answer = sign_in(client, PRO.sub)
    assert answer["Location"] == "/admin/second-factor/?next=%2Fadmin%2F"


def test_a_password_login_after_a_proconnect_one_needs_the_app_again(settings, proconnect, staff):
    settings.PROCONNECT_MFA_REPLACES_SECOND_FACTOR = True
    staff(PRO_MFA_AMR.claims["email"], username="agent.mfa")
    client = Client()
    sign_in(client, PRO_MFA_AMR.sub)

    client.post(
        LOGIN,
        {"username": "agent.mfa", "password": STAFF_PASSWORD, "next": "/admin/"},
        HTTP_HOST=HOST,
    )
    assert client.get("/admin/", HTTP_HOST=HOST).status_code == 302


# --- Logout ------------------------------------------------------------------------


def test_logout_also_ends_the_proconnect_session(settings, proconnect, staff):
    settings.PROCONNECT_MFA_REPLACES_SECOND_FACTOR = True
    staff(PRO_MFA_ACR.claims["email"])
    client = Client()
    sign_in(client, PRO_MFA_ACR.sub)
    id_token = client.session[flow.LOGOUT_KEY]["id_token"]

    page = client.post("/admin/logout/", HTTP_HOST=HOST)
    assert logged_in_user(client) is None
    assert page.status_code == 200
    provider_url = page.context["provider_logout_url"]
    assert provider_url.startswith(proconnect + "/oauth2/end_session?")
    params = query(provider_url)
    assert params["id_token_hint"] == id_token
    assert params["post_logout_redirect_uri"] == (
        "http://carvin.localhost/admin/proconnect/logged-out/"
    )
    assert requests.get(provider_url, timeout=10).status_code == 200

    back = client.get("/admin/proconnect/logged-out/", {"state": params["state"]}, HTTP_HOST=HOST)
    assert back["Location"] == LOGIN
    login = client.get(LOGIN, HTTP_HOST=HOST).content.decode()
    assert "Vous êtes aussi déconnecté de ProConnect" in login


def test_a_password_login_logs_out_without_going_to_proconnect(proconnect, staff):
    agent = staff("pro.agent@mairie.example")
    client = Client()
    client.force_login(agent)

    answer = client.post("/admin/logout/", HTTP_HOST=HOST)
    assert answer.status_code == 302 and answer["Location"] == LOGIN
    assert logged_in_user(client) is None


def test_a_logout_state_not_of_this_session_says_nothing(proconnect):
    back = Client().get("/admin/proconnect/logged-out/", {"state": "x" * 43}, HTTP_HOST=HOST)
    assert back["Location"] == LOGIN


# --- Refusals ---------------------------------------------------------------------


def refused(answer, text: str, status=403) -> None:
    assert answer.status_code == status
    assert shows(answer, text), answer.content.decode()
    assert f'href="{LOGIN}"' in answer.content.decode(), "a way back to the login page"


def test_an_email_of_no_staff_account_is_refused(proconnect, staff, carvin):
    User.objects.create_user(username="sans.groupe", email="pro.agent@mairie.example")
    client = Client()

    answer = sign_in(client, PRO.sub)
    refused(answer, french(STAFF_EMAIL_UNKNOWN, email="Pro.Agent@Mairie.example"))
    assert logged_in_user(client) is None
    assert User.objects.count() == 1, "nothing created"


def test_a_citizens_email_is_refused(proconnect, carvin):
    citizen(carvin, email="pro.agent@mairie.example", validated=True)
    client = Client()

    answer = sign_in(client, PRO.sub)
    refused(answer, french(STAFF_EMAIL_OF_CITIZEN, email="Pro.Agent@Mairie.example"))
    assert logged_in_user(client) is None


def test_a_staff_account_beside_a_citizens_of_the_same_email_is_opened(proconnect, staff, carvin):
    citizen(carvin, email="pro.agent@mairie.example", validated=True)
    agent = staff("Pro.Agent@mairie.example")
    client = Client()

    sign_in(client, PRO.sub)
    assert logged_in_user(client) == agent


def test_an_email_of_several_staff_accounts_is_refused(proconnect, staff):
    staff("pro.agent@mairie.example", username="premier")
    staff("PRO.AGENT@mairie.example", username="second", role="Supervisors")
    client = Client()

    answer = sign_in(client, PRO.sub)
    refused(answer, french(STAFF_EMAIL_SHARED, email="Pro.Agent@Mairie.example"))
    assert logged_in_user(client) is None


def test_a_deactivated_staff_account_is_refused(proconnect, staff):
    staff("pro.agent@mairie.example", active=False)
    client = Client()

    answer = sign_in(client, PRO.sub)
    refused(answer, french(STAFF_ACCOUNT_CLOSED, email="Pro.Agent@Mairie.example"))
    assert logged_in_user(client) is None


def test_a_platform_admin_signs_in_by_email_too(proconnect, carvin):
    admin = User.objects.create_superuser("plateforme", "pro.agent@mairie.example", "x" * 16)
    client = Client()

    sign_in(client, PRO.sub)
    assert logged_in_user(client) == admin


def test_provider_unreachable_is_explained_and_the_password_login_still_works(
    settings, carvin, staff
):
    offer_proconnect(settings, "http://localhost:9")
    staff("pro.agent@mairie.example", username="agent.carvin")
    client = Client()

    refused(client.get(START, HTTP_HOST=HOST), french(PROVIDER_UNREACHABLE), status=503)
    assert client.get(LOGIN, HTTP_HOST=HOST).status_code == 200
    answer = client.post(
        LOGIN,
        {"username": "agent.carvin", "password": STAFF_PASSWORD, "next": "/admin/"},
        HTTP_HOST=HOST,
    )
    assert answer.status_code == 302
    assert logged_in_user(client).username == "agent.carvin"


def test_a_staff_member_who_cancels_at_proconnect_is_told(proconnect, staff):
    staff("pro.agent@mairie.example")
    client = Client()
    path, host = local(cancel(start(client)))

    answer = client.get(path, HTTP_HOST=host)
    refused(answer, french(SIGN_IN_CANCELLED), status=200)
    assert logged_in_user(client) is None


def test_an_answer_with_another_state_is_refused(proconnect, staff):
    staff("pro.agent@mairie.example")
    client = Client()
    path, host = local(consent(start(client), PRO.sub))
    state = query("http://x" + path)["state"]

    answer = client.get(path.replace(state, "x" * 43), HTTP_HOST=host)
    refused(answer, french(SIGN_IN_EXPIRED), status=400)
    assert logged_in_user(client) is None


def test_an_id_token_with_another_nonce_is_refused(proconnect, staff):
    staff("pro.agent@mairie.example")
    client = Client()
    path, host = local(consent(start(client), PRO.sub))
    session = client.session
    session[flow.SIGN_IN_KEY]["nonce"] = "another-nonce-" + "x" * 30
    session.save()

    refused(client.get(path, HTTP_HOST=host), french(ANSWER_INVALID), status=400)
    assert logged_in_user(client) is None


def test_a_replayed_answer_or_code_is_refused(proconnect, staff):
    staff("pro.agent@mairie.example")
    client = Client()
    path, host = local(consent(start(client), PRO.sub))
    assert client.get(path, HTTP_HOST=host).status_code == 302
    client.logout()

    refused(client.get(path, HTTP_HOST=host), french(SIGN_IN_EXPIRED), status=400)
    code = query("http://x" + path)["code"]
    state = query(start(client))["state"]
    answer = client.get(
        "/admin/proconnect/callback/", {"code": code, "state": state}, HTTP_HOST=host
    )
    refused(answer, french(CODE_REFUSED), status=400)
    assert logged_in_user(client) is None


def test_a_level_proconnect_does_not_give_is_refused(proconnect, staff):
    staff(PRO_NO_LEVEL.claims["email"])
    client = Client()

    refused(sign_in(client, PRO_NO_LEVEL.sub), french(LEVEL_INSUFFICIENT))
    assert logged_in_user(client) is None


def test_a_franceconnect_sign_in_never_answers_proconnects_return(
    proconnect, staff, carvin, identity_provider
):
    offer_franceconnect(carvin, identity_provider)
    staff("pro.agent@mairie.example")
    client = Client()
    citizen_start = client.post("/compte/franceconnect/connexion/", HTTP_HOST=HOST)["Location"]
    path, host = local(consent(citizen_start, PRO.sub))

    answer = client.get("/admin/proconnect/callback/?" + path.split("?", 1)[1], HTTP_HOST=host)
    refused(answer, french(SIGN_IN_EXPIRED), status=400)
    assert logged_in_user(client) is None


def test_the_demo_agent_signs_in_with_the_demo_identity(proconnect, staff):
    agent = staff(AGENT.claims["email"])
    client = Client()

    sign_in(client, AGENT.sub)
    assert logged_in_user(client) == agent
