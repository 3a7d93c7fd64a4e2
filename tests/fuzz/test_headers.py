"""Malformed headers sent to every public route of the portal: Origin,
Referer, Host, Cookie, Accept-Language, Content-Type and Content-Length, on
GET and POST, by an anonymous visitor and a citizen, with the CSRF check of
a browser's request or without it. A malformed header is refused (400, 403)
or ignored, never a server error, and never leads off the site. Every
route gets the headers that once broke the login page, then the cases drawn
spread over the routes.

The routes come from the URL resolver: a public route added without a
sample address here fails ``test_every_public_route_has_a_sample_address``.
"""

import itertools
import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.test.client import FakePayload
from django.utils.encoding import force_bytes
from django.utils.html import escape
from django.utils.http import urlsafe_base64_encode
from hypothesis import given
from hypothesis import strategies as st
from wagtail.documents import get_document_model
from wagtail.models import Page, Site

from accounts.models import HouseholdMember, User
from accounts.services import email_change_token
from accounts.views import FOREIGN_ORIGIN
from demo.communes import CITIZENS
from fees.models import RequestPayment
from payments.models import Invoice, Regie, Transaction
from services.models import Submission, SubmissionStatus
from services.services import access_key
from tests.fuzzing import (
    KEY_NAME,
    SCALAR_JUNK,
    Fuzzer,
    hypothesis_settings,
    malformed_headers,
)
from tests.identity_provider import offer_franceconnect
from tests.test_authorization import all_routes

HOST = "carvin.localhost"
CSRF_SECRET = "a" * 32
NOT_PUBLIC = ("/admin/", "/django-admin/")
FOUND_BROKEN = {
    "HTTP_ORIGIN": "http://[",
    "HTTP_REFERER": "http://[::1/",
    "HTTP_ACCEPT_LANGUAGE": "en;q=abc,,*;q=1e309",
    "HTTP_COOKIE": 'sessionid="x; csrftoken=' + "!" * 32,
}
"""Sent to every route and method first: the headers that once answered 500."""


def public_routes():
    return [r for r in all_routes() if not r.route.startswith(NOT_PUBLIC)]


def sample_addresses() -> dict[str, list[str]]:
    """An address for each public route, by route name, naming the demo's
    own objects where the route takes one (so that the view gets past its
    lookup), and pages of the site for page serving."""
    site = Site.objects.get(hostname=HOST)
    spec = next(c for c in CITIZENS[HOST] if c["validated"])
    amelie = User.objects.get(site=site, email=spec["email"])
    member = HouseholdMember.objects.filter(account=amelie).first()
    submission = Submission.objects.filter(site=site, account=amelie).first()
    anonymous = (
        Submission.objects.filter(site=site, account=None)
        .exclude(status=SubmissionStatus.DRAFT)
        .first()
    )
    key = access_key(anonymous)
    transaction = Transaction.objects.filter(site=site).first()
    regie = Regie.objects.filter(site=site).first()
    invoice = Invoice.objects.filter(regie__site=site).first()
    document = get_document_model().objects.first()
    uid = urlsafe_base64_encode(force_bytes(amelie.pk))
    token = default_token_generator.make_token(amelie)
    pages = [
        page.get_url(None, site)
        for page in Page.objects.live().descendant_of(site.root_page, inclusive=True)[:12]
    ]
    reference = submission.reference
    payment = RequestPayment.objects.filter(submission__account=amelie).first()
    new_address = email_change_token(user=amelie, email="new@example.org")
    return {
        "healthz": ["/healthz/"],
        "robots_txt": ["/robots.txt"],
        "wagtaildocs_serve": [document.url if document else "/documents/1/x.pdf"],
        "wagtaildocs_authenticate_with_password": ["/documents/authenticate_with_password/1/"],
        "altcha_challenge": ["/captcha/altcha/challenge/"],
        "services:postcodes": ["/codes-postaux/62220/", "/en/codes-postaux/51300/"],
        "session_status": ["/session/"],
        "payments_bank:return": [f"/paiement/retour/{transaction.public_id}/"],
        "payments_bank:notification": [f"/paiement/notification/{transaction.public_id}/"],
        "payments_bank:invoices_push": [f"/paiement/api/regies/{regie.public_id}/factures/"],
        "services:submissions": ["/compte/demandes/"],
        "services:submission": [f"/compte/demandes/{reference}/"],
        "services:submission_receipt": [f"/compte/demandes/{reference}/recepisse/"],
        "services:submission_cover_sheet": [f"/compte/demandes/{reference}/bordereau/"],
        "services:submission_document": [f"/compte/demandes/{reference}/documents/1/"],
        "services:submission_issued": [f"/compte/demandes/{reference}/delivres/1/"],
        "services:submission_message": [f"/compte/demandes/{reference}/message/"],
        "services:submission_message_file": [f"/compte/demandes/{reference}/messages/1/"],
        "services:tracking": [f"/suivi/{key}/"],
        "services:tracking_receipt": [f"/suivi/{key}/recepisse/"],
        "services:tracking_cover_sheet": [f"/suivi/{key}/bordereau/"],
        "services:tracking_document": [f"/suivi/{key}/documents/1/"],
        "services:tracking_issued": [f"/suivi/{key}/delivres/1/"],
        "services:tracking_message": [f"/suivi/{key}/message/"],
        "services:tracking_message_file": [f"/suivi/{key}/messages/1/"],
        "fees:submission_pay": [
            f"/compte/demandes/{payment.submission.reference}/payer/{payment.pk}/"
        ],
        "fees:tracking_pay": [f"/suivi/{key}/payer/{payment.pk}/"],
        "accounts:home": ["/compte/"],
        "home:search": ["/recherche/", "/recherche/?q=%C3%A9tat+civil&page=2", "/en/recherche/"],
        "accounts:login": ["/compte/connexion/", "/compte/connexion/?next=/compte/"],
        "accounts:logout": ["/compte/deconnexion/"],
        "accounts:register": ["/compte/creer/"],
        "accounts:registered": ["/compte/creer/termine/"],
        "accounts:profile": ["/compte/profil/"],
        "accounts:profile_edit": ["/compte/profil/modifier/"],
        "accounts:notifications": ["/compte/profil/notifications/"],
        "accounts:phone_verify": ["/compte/profil/notifications/telephone/"],
        "accounts:email_change_confirm": [f"/compte/adresse-electronique/{new_address}/"],
        "accounts:member_add": ["/compte/foyer/ajouter/"],
        "accounts:member_edit": [f"/compte/foyer/{member.pk}/modifier/"],
        "accounts:member_delete": [f"/compte/foyer/{member.pk}/supprimer/"],
        "accounts:password_change": ["/compte/mot-de-passe/"],
        "accounts:password_reset": ["/compte/mot-de-passe-oublie/"],
        "accounts:password_reset_sent": ["/compte/mot-de-passe-oublie/envoye/"],
        "accounts:password_reset_confirm": [f"/compte/nouveau-mot-de-passe/{uid}/{token}/"],
        "accounts:password_reset_complete": ["/compte/nouveau-mot-de-passe/termine/"],
        "accounts:personal_data": ["/compte/donnees/"],
        "accounts:personal_data_download": ["/compte/donnees/telecharger/"],
        "accounts:erase": ["/compte/supprimer/"],
        "accounts:franceconnect_start": ["/compte/franceconnect/connexion/"],
        "accounts:franceconnect_callback": ["/compte/franceconnect/retour/"],
        "accounts:franceconnect_welcome": ["/compte/franceconnect/bienvenue/"],
        "accounts:franceconnect_link": ["/compte/franceconnect/relier/"],
        "accounts:franceconnect_link_confirm": ["/compte/franceconnect/relier/x/"],
        "accounts:franceconnect_unlink": ["/compte/franceconnect/delier/"],
        "accounts:franceconnect_logged_out": ["/compte/franceconnect/deconnecte/"],
        "payments:invoices": ["/paiement/"],
        "payments:statement": ["/paiement/releve/"],
        "payments:invoice_pdf": [f"/paiement/facture/{invoice.pk}/pdf/"],
        "payments:cart": ["/paiement/panier/"],
        "payments:cart_add": [f"/paiement/panier/ajouter/{invoice.pk}/"],
        "payments:cart_remove": [f"/paiement/panier/retirer/{invoice.pk}/"],
        "payments:cart_pay": ["/paiement/panier/payer/"],
        "payments:pay_without_account": ["/paiement/payer-une-facture/"],
        "payments:pay_invoice": ["/paiement/payer-une-facture/paiement/"],
        "payments:transaction": [f"/paiement/transaction/{transaction.public_id}/"],
        "payments:receipt": [f"/paiement/transaction/{transaction.public_id}/recu/"],
        "payments:receipt_pdf": [f"/paiement/transaction/{transaction.public_id}/recu.pdf"],
        "payments:testbank": [f"/paiement/banque-de-test/{transaction.bank_order_id or 'x'}/"],
        "wagtailcore_authenticate_with_password": ["/_util/authenticate_with_password/1/1/"],
        "wagtailcore_login": ["/_util/login/"],
        "wagtail_serve": pages,
    }


@pytest.fixture
def _bodies_may_end_early(monkeypatch):
    """A body shorter than its Content-Length ends where it ends, as when the
    client closes the connection, instead of failing the test client's own
    check that a view reads no more than was sent."""

    def up_to_what_was_sent(read):
        def read_what_was_sent(self, size=-1, /):
            if size is not None and size >= 0:
                size = min(size, len(self))
            return read(self, size)

        return read_what_was_sent

    for name in ("read", "readline"):
        monkeypatch.setattr(FakePayload, name, up_to_what_was_sent(getattr(FakePayload, name)))


def visitor_clients() -> dict[str, Client]:
    spec = next(c for c in CITIZENS[HOST] if c["validated"])
    amelie = User.objects.get(site__hostname=HOST, email=spec["email"])
    clients = {}
    for name in ("anonymous", "citizen"):
        for checked in (False, True):
            client = Client(enforce_csrf_checks=checked)
            if name == "citizen":
                client.force_login(amelie)
            client.cookies["csrftoken"] = CSRF_SECRET
            clients[f"{name}{' (CSRF checked)' if checked else ''}"] = client
    return clients


def test_every_public_route_has_a_sample_address(db):
    named = set(sample_addresses())
    missing = [str(r) for r in public_routes() if r.name not in named]
    assert not missing, f"add a sample address to tests/fuzz/test_headers.py for {missing}"


@pytest.mark.usefixtures("_bodies_may_end_early")
def test_every_public_route_takes_malformed_headers(identity_provider):
    # FranceConnect's button leads to the local provider, which is running.
    offer_franceconnect(Site.objects.get(hostname=HOST), identity_provider)
    addresses = sample_addresses()
    paths = sorted({(name, path) for name, paths in addresses.items() for path in paths})
    visitors = visitor_clients()
    users = {name: client.session.get("_auth_user_id") for name, client in visitors.items()}

    def restore(name):
        """A case may log the visitor out, or change the session's cookie."""
        client = visitors[name]
        client.cookies["csrftoken"] = CSRF_SECRET
        if users[name] and client.session.get("_auth_user_id") != users[name]:
            client.force_login(User.objects.get(pk=users[name]))

    @hypothesis_settings(1_400)
    @given(
        visitor=st.sampled_from(sorted(visitors)),
        route=st.sampled_from(paths),
        method=st.sampled_from(["get", "post"]),
        secure=st.booleans(),
        headers=malformed_headers(HOST),
        data=st.dictionaries(
            st.one_of(
                st.sampled_from(["username", "password", "next", "login", "email", "q"]),
                KEY_NAME,
            ),
            SCALAR_JUNK,
            max_size=3,
        ),
    )
    def send(visitor, route, method, secure, headers, data):
        _name, path = route
        fuzzer = Fuzzer(visitors[visitor], HOST, away=(identity_provider,))
        body = {"csrfmiddlewaretoken": CSRF_SECRET, **data} if method == "post" else data
        try:
            fuzzer.send(
                f"headers: public routes ({method.upper()})",
                method,
                path,
                body,
                secure=secure,
                **headers,
            )
        finally:
            restore(visitor)

    for (_name, path), method, visitor in itertools.product(
        paths, ("get", "post"), ("anonymous (CSRF checked)", "citizen (CSRF checked)")
    ):
        fuzzer = Fuzzer(visitors[visitor], HOST, away=(identity_provider,))
        body = {"csrfmiddlewaretoken": CSRF_SECRET} if method == "post" else None
        try:
            fuzzer.send(
                f"headers: public routes ({method.upper()})", method, path, body, **FOUND_BROKEN
            )
        finally:
            restore(visitor)
    send()


@pytest.mark.parametrize(
    "header",
    [
        {"HTTP_ORIGIN": "http://["},
        {"HTTP_REFERER": "http://[::1/"},
        {"HTTP_ORIGIN": "http://[v1.x]/"},
        {"HTTP_REFERER": "https://]"},
    ],
)
def test_login_refuses_a_malformed_origin_as_a_foreign_one(header):
    response = Client().post(
        "/compte/connexion/", {"username": "x", "password": "y"}, HTTP_HOST=HOST, **header
    )

    assert response.status_code == 403
    assert escape(str(FOREIGN_ORIGIN)) in response.content.decode()


def test_a_malformed_host_is_refused_as_a_bad_request():
    for host in ("[", "carvin.localhost:abc", "a b", "carvin.localhost\x00"):
        response = Client().get("/compte/connexion/", HTTP_HOST=host)
        assert response.status_code == 400, host
        assert not re.search(r"Traceback|DisallowedHost", response.content.decode())


@pytest.mark.parametrize("length", ["abc", "-1", "1e3", "+5", " 5", "٣", "3.5"])
def test_a_malformed_content_length_is_a_bad_request(length):
    """Also when the 400 page checks the CSRF token, which reads the form."""
    response = Client(enforce_csrf_checks=True).post(
        "/paiement/retour/00000000-0000-0000-0000-000000000000/",
        {"x": "y"},
        HTTP_HOST=HOST,
        CONTENT_LENGTH=length,
    )

    assert response.status_code == 400
