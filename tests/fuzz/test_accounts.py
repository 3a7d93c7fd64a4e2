"""Generated input posted to the citizen's account pages: login, every step of
the registration, the lost password, the profile, the household, the
password change, the erasure and the personal data pages, by an anonymous
visitor, a validated citizen, a citizen still waiting for validation and a
citizen of another commune. Never a server error, never a redirection off
the site, and a form shown again says why.
"""

import json
import re
from html import unescape
from urllib.parse import quote, urlencode

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.html import escape
from django.utils.http import urlsafe_base64_encode
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import ContactPreference, HouseholdMember, Relationship, User
from accounts.views import FOREIGN_ORIGIN
from demo.communes import CITIZENS
from tests.fuzzing import (
    ANY_VALUE,
    KEY_NAME,
    MISSING,
    NEXT_URLS,
    SCALAR_JUNK,
    TEXT,
    Fuzzer,
    assert_refusal_explained,
    has_nul,
    hypothesis_settings,
    on_site,
    present,
    with_csrf_field,
)

HOST = "carvin.localhost"
ORIGIN = f"http://{HOST}/compte/connexion/"


def citizen(hostname, validated):
    spec = next(c for c in CITIZENS[hostname] if c["validated"] is validated)
    return User.objects.get(site__hostname=hostname, email=spec["email"]), spec["password"]


def clients() -> dict[str, Client]:
    """A test client per kind of visitor."""
    result = {"anonymous": Client()}
    for name, hostname, validated in [
        ("citizen", HOST, True),
        ("pending citizen", HOST, False),
        ("citizen of another commune", "saint-andre-des-eaux.localhost", True),
    ]:
        result[name] = Client()
        result[name].force_login(citizen(hostname, validated)[0])
    return result


def field(valid) -> st.SearchStrategy:
    """A field's value: one a citizen would type, anything, or nothing."""
    return st.one_of(valid, ANY_VALUE, st.just(MISSING))


def extras() -> st.SearchStrategy:
    return st.dictionaries(KEY_NAME, ANY_VALUE, max_size=2)


ENCODINGS = st.sampled_from(["multipart", "multipart", "multipart", "urlencoded", "json", "text"])


def encoded(data: dict, encoding: str) -> dict:
    """The keyword arguments of ``Client.post`` sending ``data`` this way."""
    data = with_csrf_field(present(data))
    if encoding == "multipart":
        return {"data": data}

    def text(value):
        return value if isinstance(value, str) else "x"

    flat = [(k, text(x)) for k, v in data.items() for x in (v if isinstance(v, list) else [v])]
    if encoding == "urlencoded":
        return {
            "data": urlencode(flat, doseq=True),
            "content_type": "application/x-www-form-urlencoded",
        }
    if encoding == "json":
        return {"data": json.dumps(dict(flat)), "content_type": "application/json"}
    return {"data": "\n".join(f"{k}={v}" for k, v in flat), "content_type": "text/plain"}


NAMES = st.sampled_from(["Amélie", "Jean-Noël", "O'Brien", "Ødegård Ñúñez", "李"])
DATES = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(["2015-09-21", "1980-02-29", "2999-01-01"]),
)
EMAILS = st.sampled_from(
    ["amelie.lire@example.org", "new@example.org", "elodie.martin@example.org"]
)
PHONES = st.sampled_from(["06 12 34 56 78", "+33 3 21 00 00 00", ""])
PASSWORDS = st.one_of(
    st.sampled_from(["amelie-carvin-demo", "a long enough sentence 42", "password", "x" * 4096]),
    TEXT,
)


def account_fields():
    return {
        "first_name": field(NAMES),
        "last_name": field(NAMES),
        "birth_date": field(DATES),
        "email": field(EMAILS),
        "phone": field(PHONES),
        "address_line": field(st.just("12 rue des Écoles")),
        "postcode": field(st.sampled_from(["62220", "6222O"])),
        "city": field(st.just("Carvin")),
        "contact_preference": field(st.sampled_from(ContactPreference.values)),
    }


def member_fields(prefix=""):
    return {
        f"{prefix}first_name": field(NAMES),
        f"{prefix}last_name": field(NAMES),
        f"{prefix}birth_date": field(DATES),
        f"{prefix}relationship": field(st.sampled_from(Relationship.values)),
    }


VISITORS = st.sampled_from(
    ["anonymous", "citizen", "citizen", "pending citizen", "citizen of another commune"]
)


def post_form(fuzzer, endpoint, path, data, encoding, **extra):
    """POST a form; a page shown again (200) must say why."""
    response = fuzzer.send(endpoint, "post", path, **encoded(data, encoding), **extra)
    if response.status_code == 200:
        assert_refusal_explained_if_form_sent(response, encoding)
    return response


def assert_refusal_explained_if_form_sent(response, encoding):
    """A body that is no form (JSON, plain text) leaves the form empty, as
    if opened anew: there is nothing typed to explain."""
    if encoding in ("multipart", "urlencoded"):
        assert_refusal_explained(response)


@pytest.mark.django_db
def test_login_explains_each_refusal_and_never_leaves_the_site():
    fuzzer = Fuzzer(Client(), HOST)
    amelie, password = citizen(HOST, True)

    @hypothesis_settings(400)
    @given(
        data=st.fixed_dictionaries(
            {
                "username": field(st.sampled_from([amelie.username, amelie.email, "nobody"])),
                "password": field(st.sampled_from([password, "wrong password"])),
                "next": field(NEXT_URLS),
            }
        ),
        query_next=st.one_of(st.just(MISSING), NEXT_URLS),
        origin=st.sampled_from([ORIGIN, ORIGIN, "https://evil.example/", None]),
        encoding=ENCODINGS,
    )
    def login(data, query_next, origin, encoding):
        fuzzer.client.logout()
        path = "/compte/connexion/"
        if query_next is not MISSING:
            path += "?" + urlencode({"next": query_next})
        headers = {"HTTP_ORIGIN": origin} if origin else {}
        response = fuzzer.send("account: login", "post", path, **encoded(data, encoding), **headers)
        html = response.content.decode()
        if query_next is not MISSING and "\x00" in query_next:
            assert response.status_code == 400  # an address holding NUL
        elif origin != ORIGIN:
            assert response.status_code == 403
            assert escape(str(FOREIGN_ORIGIN)) in html
        elif response.status_code == 429:
            assert escape(str(response.context["refusal"])) in html
        elif response.status_code == 200:
            assert_refusal_explained_if_form_sent(response, encoding)
        else:
            assert response.status_code == 302

    @hypothesis_settings(80)
    @given(query=st.dictionaries(st.sampled_from(["next", "q", "page"]), NEXT_URLS, max_size=2))
    def login_page(query):
        response = fuzzer.send("account: login page", "get", "/compte/connexion/", query)
        if has_nul(query):
            assert response.status_code == 400  # an address holding NUL
            return
        assert response.status_code == 200
        for link in re.findall(r'name="next" value="([^"]*)"', response.content.decode()):
            assert on_site(unescape(link), HOST), link

    login()
    login_page()


REGISTRATION = "registration_view-current_step"
STEPS = ["identity", "contact", "household", "password", "validation"]


def registration_post():
    management = st.one_of(st.sampled_from(STEPS), SCALAR_JUNK, st.just(MISSING))
    household = {
        "household-TOTAL_FORMS": field(st.sampled_from(["4", "1", "13", "1000000"])),
        "household-INITIAL_FORMS": field(st.just("0")),
        "household-MAX_NUM_FORMS": field(st.just("12")),
    }
    for row in range(2):
        household.update(member_fields(f"household-{row}-"))
    step_fields = {
        "identity": {
            f"identity-{k}": v
            for k, v in account_fields().items()
            if k in ("first_name", "last_name", "birth_date")
        },
        "contact": {
            f"contact-{k}": v
            for k, v in account_fields().items()
            if k not in ("first_name", "last_name", "birth_date")
        },
        "household": household,
        "password": {
            "password-password1": field(PASSWORDS),
            "password-password2": field(PASSWORDS),
        },
        "validation": {
            "validation-consent": field(st.just("on")),
            "validation-captcha": field(TEXT),
        },
    }
    return st.sampled_from(STEPS).flatmap(
        lambda step: st.fixed_dictionaries(
            {
                "step": st.just(step),
                "management": management,
                "fields": st.fixed_dictionaries(step_fields[step]),
                "goto": st.one_of(st.just(MISSING), st.sampled_from(STEPS), SCALAR_JUNK),
                "extras": extras(),
                "encoding": ENCODINGS,
            }
        )
    )


@pytest.mark.django_db
def test_every_registration_step_explains_each_refusal():
    fuzzer = Fuzzer(Client(), HOST)

    @hypothesis_settings(900)
    @given(post=registration_post())
    def register(post):
        data = {**post["extras"], **post["fields"], REGISTRATION: post["management"]}
        if post["goto"] is not MISSING:
            data["wizard_goto_step"] = post["goto"]
        response = fuzzer.send(
            "account: registration", "post", "/compte/creer/", **encoded(data, post["encoding"])
        )
        if response.status_code == 400:
            return  # the wizard's own hidden field was left out or altered
        assert response.status_code in (200, 302)
        if response.status_code == 200 and post["goto"] is MISSING:
            shown = response.context["wizard"]["steps"].current
            if shown == post["management"]:
                assert_refusal_explained_if_form_sent(response, post["encoding"])

    register()


@pytest.mark.django_db
def test_lost_password_pages_explain_each_refusal():
    fuzzer = Fuzzer(Client(), HOST)
    amelie, _password = citizen(HOST, True)

    @hypothesis_settings(120)
    @given(
        login=field(st.sampled_from([amelie.username, amelie.email, "nobody@example.org"])),
        extra=extras(),
        encoding=ENCODINGS,
    )
    def reset(login, extra, encoding):
        post_form(
            fuzzer,
            "account: password reset",
            "/compte/mot-de-passe-oublie/",
            {**extra, "login": login},
            encoding,
        )

    @hypothesis_settings(100)
    @given(uid=TEXT, token=TEXT)
    def confirm_link(uid, token):
        nul = "\x00" in uid + token
        uid, token = quote(uid or "x", safe=""), quote(token or "x", safe="")
        path = f"/compte/nouveau-mot-de-passe/{uid}/{token}/"
        response = fuzzer.send("account: password reset link", "get", path)
        assert response.status_code in ((400,) if nul else (200, 404))  # 400: NUL in the address

    @hypothesis_settings(120)
    @given(
        data=st.fixed_dictionaries(
            {"new_password1": field(PASSWORDS), "new_password2": field(PASSWORDS)}
        ),
        encoding=ENCODINGS,
    )
    def confirm(data, encoding):
        user = User.objects.get(pk=amelie.pk)
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        link = f"/compte/nouveau-mot-de-passe/{uid}/{default_token_generator.make_token(user)}/"
        response = fuzzer.send("account: password reset link", "get", link)
        assert response.status_code == 302
        post_form(fuzzer, "account: new password", response["Location"], data, encoding)

    reset()
    confirm_link()
    confirm()


def own_member_ids():
    amelie, _password = citizen(HOST, True)
    return list(HouseholdMember.objects.filter(account=amelie).values_list("pk", flat=True))


@pytest.mark.django_db
def test_profile_household_password_and_erasure_forms_explain_each_refusal():
    visitors = clients()
    members = own_member_ids()
    others = list(HouseholdMember.objects.exclude(pk__in=members).values_list("pk", flat=True)[:3])
    member_ids = st.one_of(st.sampled_from(members + others), st.integers(0, 2**63))

    def send(visitor, endpoint, path, data, encoding):
        fuzzer = Fuzzer(visitors[visitor], HOST)
        response = fuzzer.send(endpoint, "post", path, **encoded(data, encoding))
        if visitor in ("anonymous", "citizen of another commune"):
            assert response.status_code in (302, 404), response.status_code
        elif response.status_code == 200:
            assert_refusal_explained_if_form_sent(response, encoding)
        return response

    @hypothesis_settings(200)
    @given(
        visitor=VISITORS,
        data=st.fixed_dictionaries(account_fields()),
        extra=extras(),
        encoding=ENCODINGS,
    )
    def profile(visitor, data, extra, encoding):
        send(visitor, "account: profile", "/compte/profil/modifier/", {**extra, **data}, encoding)

    @hypothesis_settings(180)
    @given(
        visitor=VISITORS,
        pk=st.one_of(st.just(None), member_ids),
        data=st.fixed_dictionaries(member_fields()),
        extra=extras(),
        encoding=ENCODINGS,
    )
    def member(visitor, pk, data, extra, encoding):
        path = "/compte/foyer/ajouter/" if pk is None else f"/compte/foyer/{pk}/modifier/"
        send(visitor, "account: household member", path, {**extra, **data}, encoding)

    @hypothesis_settings(60)
    @given(visitor=VISITORS, pk=member_ids, method=st.sampled_from(["get", "post"]))
    def member_delete(visitor, pk, method):
        fuzzer = Fuzzer(visitors[visitor], HOST)
        response = fuzzer.send(
            "account: household member removal", method, f"/compte/foyer/{pk}/supprimer/"
        )
        assert response.status_code in (200, 302, 404)

    @hypothesis_settings(120)
    @given(
        visitor=VISITORS,
        data=st.fixed_dictionaries(
            {
                "old_password": field(st.sampled_from(["amelie-carvin-demo", "wrong"])),
                "new_password1": field(PASSWORDS),
                "new_password2": field(PASSWORDS),
            }
        ),
        encoding=ENCODINGS,
    )
    def password_change(visitor, data, encoding):
        send(visitor, "account: password change", "/compte/mot-de-passe/", data, encoding)
        amelie, password = citizen(HOST, True)
        amelie.set_password(password)
        amelie.save(update_fields=["password"])
        visitors["citizen"].force_login(amelie)

    @hypothesis_settings(80)
    @given(
        visitor=VISITORS,
        password=field(st.one_of(TEXT, st.just("not-amelie's"))),
        encoding=ENCODINGS,
    )
    def erase(visitor, password, encoding):
        send(visitor, "account: erasure", "/compte/supprimer/", {"password": password}, encoding)

    @hypothesis_settings(80)
    @given(
        visitor=VISITORS,
        data=st.fixed_dictionaries(
            {
                "channel": field(st.sampled_from(["email", "phone", "fax"])),
                "notify_status": field(st.sampled_from(["on", ""])),
                "notify_reminders": field(TEXT),
            }
        ),
        extra=extras(),
        encoding=ENCODINGS,
    )
    def notifications(visitor, data, extra, encoding):
        path = "/compte/profil/notifications/"
        send(visitor, "account: notifications", path, {**extra, **data}, encoding)

    @hypothesis_settings(80)
    @given(
        visitor=VISITORS,
        data=st.fixed_dictionaries(
            {
                "action": field(st.sampled_from(["send", "confirm", "other"])),
                "phone": field(PHONES),
                "code": field(TEXT),
            }
        ),
        encoding=ENCODINGS,
    )
    def mobile_number(visitor, data, encoding):
        path = "/compte/profil/notifications/telephone/"
        send(visitor, "account: mobile number", path, data, encoding)

    profile()
    member()
    member_delete()
    password_change()
    erase()
    notifications()
    mobile_number()


ACCOUNT_PAGES = [
    "/compte/",
    "/compte/profil/",
    "/compte/creer/",
    "/compte/creer/termine/",
    "/compte/mot-de-passe-oublie/",
    "/compte/mot-de-passe-oublie/envoye/",
    "/compte/nouveau-mot-de-passe/termine/",
    "/compte/donnees/",
    "/compte/donnees/telecharger/",
    "/compte/demandes/",
]


@pytest.mark.django_db
def test_account_pages_take_any_query_string():
    visitors = clients()
    users = {
        name: client.session and User.objects.get(pk=client.session["_auth_user_id"])
        for name, client in visitors.items()
        if name != "anonymous"
    }

    @hypothesis_settings(300)
    @given(
        visitor=VISITORS,
        path=st.sampled_from(ACCOUNT_PAGES),
        query=st.dictionaries(
            st.one_of(st.sampled_from(["next", "page", "q", "step"]), KEY_NAME),
            st.one_of(SCALAR_JUNK, NEXT_URLS, st.lists(SCALAR_JUNK, max_size=3)),
            max_size=3,
        ),
        language=st.sampled_from(["", "/en", "/fr", "/de"]),
    )
    def get(visitor, path, query, language):
        fuzzer = Fuzzer(visitors[visitor], HOST)
        response = fuzzer.send("account pages (GET)", "get", language + path, query)
        assert response.status_code in (200, 302, 400, 404)

    @hypothesis_settings(60)
    @given(visitor=VISITORS, data=st.dictionaries(KEY_NAME, ANY_VALUE, max_size=3))
    def logout(visitor, data):
        fuzzer = Fuzzer(visitors[visitor], HOST)
        response = fuzzer.send("account: logout", "post", "/compte/deconnexion/", data)
        assert response.status_code == 302
        if visitor != "anonymous":
            visitors[visitor].force_login(users[visitor])

    get()
    logout()
