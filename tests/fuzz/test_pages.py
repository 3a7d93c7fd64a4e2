"""Generated input sent to the public pages: the FAQ and its search, the
services index's search and categories, the site search, every page of the
site under any language prefix and any query string, the introduction of each
démarche and its "discard" button, the private link of a request made without
an account (any key, and the corrections form behind a valid one), a request's
number in the account, the anti-robot challenge, Wagtail's page-password form,
documents, and the health check. Never a server error, never a redirection
off the site.
"""

from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st
from wagtail.models import Page, Site

from accounts.models import User
from demo.communes import CITIZENS
from services.corrections import correctable_items
from services.models import ServicePage, Submission, SubmissionStatus
from services.services import access_key, submission_change_status
from services.workflows import standard_workflow
from tests.fuzzing import (
    ANY_VALUE,
    FILES,
    KEY_NAME,
    LONG,
    MISSING,
    NEXT_URLS,
    SCALAR_JUNK,
    TEXT,
    WRONG_TYPES,
    Fuzzer,
    assert_refusal_explained,
    has_nul,
    hypothesis_settings,
    present,
    with_csrf_field,
)

HOST = "carvin.localhost"
QUERIES = st.dictionaries(
    st.one_of(
        st.sampled_from(["q", "categorie", "page", "next", "verifier", "lang", "p"]), KEY_NAME
    ),
    st.one_of(SCALAR_JUNK, NEXT_URLS, st.lists(SCALAR_JUNK, max_size=3)),
    max_size=3,
)


def search_terms(*samples: str):
    """What a search box may receive: any text, and words it should find."""
    return st.one_of(
        TEXT, LONG, WRONG_TYPES, st.sampled_from(samples), st.lists(TEXT, min_size=2, max_size=3)
    )


def assert_search_answered(fuzzer: Fuzzer, name: str, path: str, query_string: dict) -> None:
    """A search answers any query with its page, an address holding NUL
    with a 400."""
    response = fuzzer.send(name, "get", path, query_string)
    if has_nul(query_string):
        assert response.status_code == 400  # an address holding NUL
    else:
        assert response.status_code == 200


def citizen_client() -> Client:
    email = next(c["email"] for c in CITIZENS[HOST] if c["validated"])
    client = Client()
    client.force_login(User.objects.get(site__hostname=HOST, email=email))
    return client


@pytest.mark.django_db
def test_every_page_takes_any_query_string_and_language():
    site = Site.objects.get(hostname=HOST)
    paths = sorted(
        {
            page.get_url(None, site)
            for page in Page.objects.live().descendant_of(site.root_page, inclusive=True)
        }
        - {None}
    )
    assert len(paths) >= 10
    visitors = {"anonymous": Client(), "citizen": citizen_client()}

    @hypothesis_settings(500)
    @given(
        who=st.sampled_from(list(visitors)),
        path=st.sampled_from(paths),
        language=st.sampled_from(["", "", "/en", "/fr", "/de", "/xx"]),
        query=QUERIES,
    )
    def get(who, path, language, query):
        fuzzer = Fuzzer(visitors[who], HOST)
        response = fuzzer.send("pages (GET, any language)", "get", language + path, query)
        assert response.status_code in (200, 302, 400, 404)

    @hypothesis_settings(300)
    @given(
        query=search_terms("paiement", "cantine facture", "état civil", "*", "%", "\\", "\x00"),
        extra=QUERIES,
    )
    def faq_search(query, extra):
        fuzzer = Fuzzer(visitors["anonymous"], HOST)
        assert_search_answered(fuzzer, "FAQ search", "/faq/", {**extra, "q": query})

    @hypothesis_settings(300)
    @given(
        query=search_terms("acte", "ÉTAT civil", "cantine", "*", "%", "\\", "\x00"),
        category=search_terms("", "etat-civil", "État civil", "vie-quotidienne", "../", "\x00"),
        extra=QUERIES,
    )
    def services_search(query, category, extra):
        fuzzer = Fuzzer(visitors["anonymous"], HOST)
        query_string = {**extra, "q": query, "categorie": category}
        assert_search_answered(fuzzer, "services search", "/services/", query_string)

    @hypothesis_settings(300)
    @given(
        who=st.sampled_from(list(visitors)),
        language=st.sampled_from(["", "/en"]),
        query=search_terms('"etat', "NEAR(a b)", "a OR", "*", "-", "^x", "\\", "\x00"),
        extra=QUERIES,
    )
    def site_search(who, language, query, extra):
        fuzzer = Fuzzer(visitors[who], HOST)
        path = language + "/recherche/"
        assert_search_answered(fuzzer, "site search", path, {**extra, "q": query})

    @hypothesis_settings(150)
    @given(path=TEXT, query=QUERIES)
    def anything(path, query):
        fuzzer = Fuzzer(visitors["anonymous"], HOST)
        response = fuzzer.send("any other address", "get", "/" + quote(path), query)
        assert response.status_code in (200, 301, 302, 400, 404)

    get()
    faq_search()
    services_search()
    site_search()
    anything()


@pytest.mark.django_db
def test_demarche_pages_and_private_links_take_any_input():
    site = Site.objects.get(hostname=HOST)
    pages = [
        p.get_url(None, site) for p in ServicePage.objects.live().descendant_of(site.root_page)
    ]
    visitors = {"anonymous": Client(), "citizen": citizen_client()}
    anonymous_request = (
        Submission.objects.filter(site=site, account=None)
        .exclude(status=SubmissionStatus.DRAFT)
        .first()
    )
    anonymous_request.status = SubmissionStatus.SUBMITTED
    anonymous_request.save(update_fields=["status"])
    key = access_key(anonymous_request)
    references = list(Submission.objects.filter(site=site).values_list("reference", flat=True)[:5])

    @hypothesis_settings(200)
    @given(
        who=st.sampled_from(list(visitors)),
        path=st.sampled_from(pages),
        tail=st.sampled_from(["", "envoyee/", "abandonner/", "etape/0/", "etape/99999999999/"]),
        method=st.sampled_from(["get", "post"]),
        data=st.dictionaries(KEY_NAME, ANY_VALUE, max_size=3),
    )
    def demarche(who, path, tail, method, data):
        fuzzer = Fuzzer(visitors[who], HOST)
        body = with_csrf_field(data) if method == "post" else data
        response = fuzzer.send("démarche pages", method, path + tail, body)
        assert response.status_code in (200, 302, 400, 404, 405)

    @hypothesis_settings(200)
    @given(
        who=st.sampled_from(list(visitors)),
        ident=st.one_of(TEXT, st.sampled_from([key, key[:-1], key + "x", *references])),
        tail=st.sampled_from(["", "recepisse/", "bordereau/", "documents/1/"]),
        route=st.sampled_from(["suivi", "compte/demandes"]),
    )
    def request_links(who, ident, tail, route):
        fuzzer = Fuzzer(visitors[who], HOST)
        path = f"/{route}/{quote(ident or 'x', safe='')}/{tail}"
        response = fuzzer.send("request by private link or number", "get", path)
        assert response.status_code in (200, 302, 400, 404)

    # The corrections loop of the standard workflow (the demo's civil-status
    # workflow asks for none).
    Submission.objects.filter(pk=anonymous_request.pk).update(
        workflow=standard_workflow(anonymous_request.site),
        status=SubmissionStatus.SUBMITTED,
        stage="to_process",
    )
    anonymous_request.refresh_from_db()
    items = correctable_items(anonymous_request)
    submission_change_status(
        submission=anonymous_request,
        status=SubmissionStatus.INCOMPLETE,
        author=None,
        message="Le justificatif est illisible.",
        requested=[item.key for item in items][:2],
    )
    names = [item.key for item in items][:2]
    tracking = f"/suivi/{key}/"

    @hypothesis_settings(200)
    @given(
        data=st.fixed_dictionaries(
            {name: st.one_of(ANY_VALUE, FILES, st.just(MISSING)) for name in names}
        ),
        extra=st.dictionaries(KEY_NAME, ANY_VALUE, max_size=2),
    )
    def corrections(data, extra):
        Submission.objects.filter(pk=anonymous_request.pk).update(
            status=SubmissionStatus.INCOMPLETE
        )
        fuzzer = Fuzzer(visitors["anonymous"], HOST)
        response = fuzzer.send(
            "corrections form (private link)",
            "post",
            tracking,
            with_csrf_field({**extra, **present(data)}),
        )
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert_refusal_explained(response)

    demarche()
    request_links()
    corrections()


@pytest.mark.django_db
def test_technical_addresses_take_any_input():
    fuzzer = Fuzzer(Client(), HOST)

    @hypothesis_settings(150)
    @given(
        path=st.sampled_from(
            [
                "/healthz/",
                "/robots.txt",
                "/captcha/altcha/challenge/",
                "/documents/1/x.pdf",
                "/documents/999999/",
                "/_util/authenticate_with_password/1/1/",
                "/_util/login/",
            ]
        ),
        method=st.sampled_from(["get", "post", "head", "options", "put", "delete"]),
        data=st.dictionaries(
            st.one_of(st.sampled_from(["password", "return_url", "next"]), KEY_NAME),
            st.one_of(NEXT_URLS, SCALAR_JUNK),
            max_size=3,
        ),
    )
    def technical(path, method, data):
        if method in ("put", "delete", "options"):
            response = fuzzer.send("technical addresses", method, path)
        else:
            body = with_csrf_field(data) if method == "post" else data
            response = fuzzer.send("technical addresses", method, path, body)
        assert response.status_code < 500

    technical()


def test_the_postcode_lookup_answers_any_postcode_with_communes_or_nothing():
    fuzzer = Fuzzer(Client(), HOST)

    @hypothesis_settings(150)
    @given(
        postcode=st.one_of(
            st.sampled_from(["62220", "51300", "00000", "99999", "2A004", "6222", "622200"]),
            st.from_regex(r"[0-9]{5}", fullmatch=True),
            TEXT.filter(lambda text: text.strip("./")),
        ),
        method=st.sampled_from(["get", "head", "post"]),
    )
    def lookup(postcode, method):
        path = f"/codes-postaux/{quote(postcode, safe='')}/"
        response = fuzzer.send("postcode lookup", method, path)
        assert response.status_code in (200, 400, 404, 405), (path, response.status_code)
        if response.status_code == 200 and method == "get":
            found = response.json()
            assert found["postcode"] == postcode
            assert all(set(c) == {"name", "insee"} for c in found["communes"])

    lookup()
