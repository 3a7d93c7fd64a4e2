"""Generated input sent to the admin's ProConnect pages: ProConnect's answer
(any query string, with or without a sign-in started, with the right state
and a code ProConnect never gave), the button with any ``next`` page, the
return from ProConnect's logout, and whatever e-mail address, level and
methods ProConnect says of a real sign-in. Never a server error, never a
redirection off the site, never a session for an address of no staff
account.
"""

import time

import pytest
import requests
from django.contrib.auth import SESSION_KEY
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st
from wagtail.models import Site

from accounts.identity import flow
from accounts.models import User
from tests.fuzzing import NEXT_URLS, TEXT, Fuzzer, hypothesis_settings
from tests.identity_provider import consent, local, offer_proconnect

HOST = "carvin.localhost"
CALLBACK = "/admin/proconnect/callback/"
AGENT_EMAIL = "agent.carvin@mairie.localhost"


@pytest.fixture
def fuzzer(identity_provider, settings):
    offer_proconnect(settings, identity_provider, mfa_replaces_second_factor=True)
    return Fuzzer(Client(), HOST, away=(identity_provider,))


def _started(client, state: str, next_url: str) -> None:
    session = client.session
    session[flow.SIGN_IN_KEY] = {
        "provider": "proconnect",
        "site": Site.objects.get(hostname=HOST).pk,
        "state": state,
        "nonce": "n" * 43,
        "redirect_uri": f"http://{HOST}{CALLBACK}",
        "next": next_url,
        "at": time.time(),
    }
    session.save()


def test_proconnects_answer_never_fails_whatever_it_says(fuzzer):
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
            _started(fuzzer.client, query.get("state", "s" * 43), next_url)
        response = fuzzer.send("proconnect: answer", "get", CALLBACK, query)
        assert response.status_code in (200, 302, 400, 403)
        fuzzer.send("proconnect: button", "get", "/admin/proconnect/login/", {"next": next_url})
        fuzzer.send(
            "proconnect: logged out",
            "get",
            "/admin/proconnect/logged-out/",
            {"state": query.get("state", "")},
        )

    answer()


def test_whatever_proconnect_says_of_a_person_only_their_staff_account_opens(
    fuzzer, identity_provider
):
    staff_ids = set(User.objects.filter(site__isnull=True).values_list("pk", flat=True))
    opened = []

    @hypothesis_settings(30)
    @given(
        email=st.one_of(
            st.sampled_from([AGENT_EMAIL, AGENT_EMAIL.upper(), "amelie.lire@example.org"]),
            TEXT,
            st.emails(),
        ),
        acr=st.one_of(st.sampled_from(["eidas1", "eidas2", "eidas0", ""]), TEXT),
        amr=st.one_of(st.lists(st.sampled_from(["pwd", "mfa", "totp"])), TEXT, st.none()),
        next_url=NEXT_URLS,
    )
    def sign_in(email, acr, amr, next_url):
        claims = {"email": email, "given_name": "Camille", "acr": acr}
        if amr is not None:
            claims["amr"] = amr
        requests.put(f"{identity_provider}/users/fuzz.pro", json=claims, timeout=10)
        client = fuzzer.client
        started = fuzzer.send(
            "proconnect: button", "get", "/admin/proconnect/login/", {"next": next_url}
        )
        if started.status_code != 302:
            return  # a next page the portal refuses (a NUL character)
        path, host = local(consent(started["Location"], "fuzz.pro"))
        response = fuzzer.send("proconnect: signed in", "get", path, HTTP_HOST=host)
        user_id = client.session.get(SESSION_KEY)
        if user_id is not None:
            assert email.strip().lower() == AGENT_EMAIL and int(user_id) in staff_ids
            assert response.status_code == 302
            opened.append(user_id)
        else:
            assert response.status_code in (400, 403)
        client.logout()

    sign_in()
    assert opened, "the agent's own sign-ins were drawn and opened their account"
