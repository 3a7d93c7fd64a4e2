"""Generated input sent to the FranceConnect pages: the provider's answer
(any query string, with or without a sign-in started, with the right state
and a code the provider never gave), and the forms that follow a sign-in
(completing a new account, linking an existing one). Never a server error,
never a redirection off the site, and a form shown again says why.
"""

import time
from datetime import date

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st
from wagtail.models import Site

from accounts.identity import flow
from accounts.identity.base import CertifiedIdentity
from tests.fuzzing import (
    ANY_VALUE,
    MISSING,
    NEXT_URLS,
    TEXT,
    Fuzzer,
    assert_refusal_explained,
    hypothesis_settings,
    present,
    with_csrf_field,
)
from tests.identity_provider import offer_franceconnect

HOST = "carvin.localhost"
IDENTITY = CertifiedIdentity(
    subject="fuzz-subject",
    given_name="Camille",
    family_name="Essai",
    birthdate=date(1990, 1, 2),
    email="camille.essai@example.org",
    acr="eidas1",
)


def field(valid) -> st.SearchStrategy:
    return st.one_of(valid, ANY_VALUE, st.just(MISSING))


@pytest.fixture
def fuzzer(identity_provider):
    site = Site.objects.get(hostname=HOST)
    offer_franceconnect(site, identity_provider)
    return Fuzzer(Client(), HOST, away=(identity_provider,))


def _started(client, state: str) -> None:
    session = client.session
    session[flow.SIGN_IN_KEY] = {
        "provider": "franceconnect",
        "site": Site.objects.get(hostname=HOST).pk,
        "state": state,
        "nonce": "n" * 43,
        "redirect_uri": f"http://{HOST}/compte/franceconnect/retour/",
        "next": "",
        "at": time.time(),
    }
    session.save()


def _pending(client) -> None:
    session = client.session
    session[flow.PENDING_KEY] = {
        "site": Site.objects.get(hostname=HOST).pk,
        "identity": IDENTITY.as_session(),
        "id_token": "not-a-token",
        "next": "",
        "at": time.time(),
    }
    session.save()


def test_the_providers_answer_never_fails_whatever_it_says(fuzzer):
    @hypothesis_settings(60)
    @given(
        query=st.dictionaries(
            st.sampled_from(["code", "state", "error", "error_description", "iss"]),
            st.one_of(TEXT, st.just("access_denied")),
            max_size=4,
        ),
        started=st.booleans(),
        next_url=NEXT_URLS,
    )
    def answer(query, started, next_url):
        if started:
            _started(fuzzer.client, query.get("state", "s" * 43))
        response = fuzzer.send(
            "franceconnect: answer", "get", "/compte/franceconnect/retour/", query
        )
        assert response.status_code in (200, 302, 400, 403)
        fuzzer.send(
            "franceconnect: button", "post", "/compte/franceconnect/connexion/", {"next": next_url}
        )

    answer()


def test_completing_and_linking_explain_each_refusal(fuzzer):
    @hypothesis_settings(60)
    @given(
        data=st.fixed_dictionaries(
            {
                "email": field(
                    st.sampled_from(["camille.essai@example.org", "amelie.lire@example.org"])
                ),
                "phone": field(st.just("06 12 34 56 78")),
                "contact_preference": field(st.sampled_from(["email", "phone"])),
                "consent": field(st.just("on")),
                "household-TOTAL_FORMS": field(st.sampled_from(["4", "0", "13", "1000000"])),
                "household-INITIAL_FORMS": field(st.just("0")),
                "household-0-first_name": field(st.just("Léo")),
                "household-0-birth_date": field(st.just("2016-04-02")),
                "household-0-relationship": field(st.just("child")),
            }
        ),
        link=st.fixed_dictionaries(
            {
                "action": field(st.sampled_from(["password", "email"])),
                "password-username": field(st.sampled_from(["amélie.lire", "personne"])),
                "password-password": field(st.sampled_from(["amelie-carvin-demo", "faux"])),
                "email-login": field(st.sampled_from(["amelie.lire@example.org", "personne"])),
            }
        ),
    )
    def forms(data, link):
        _pending(fuzzer.client)
        response = fuzzer.send(
            "franceconnect: complete",
            "post",
            "/compte/franceconnect/bienvenue/",
            with_csrf_field(present(data)),
        )
        if response.status_code == 200:
            assert_refusal_explained(response)
        fuzzer.client.logout()
        _pending(fuzzer.client)
        response = fuzzer.send(
            "franceconnect: link",
            "post",
            "/compte/franceconnect/relier/",
            with_csrf_field(present(link)),
        )
        assert response.status_code in (200, 302, 429)
        fuzzer.client.logout()

    forms()
