"""Generated input sent to the payment pages and to the addresses the banks
and the billing software call: the cart, paying an invoice by its number and
key, the return pages, forged notifications to a régie of each backend
(test bank, PayFiP, Systempay, Paybox), and the invoice push API with any
token and any body. Never a server error, never a redirection off the site
(but to the bank), a refused form says why and a refused JSON body too.
"""

import json
import uuid
from decimal import Decimal

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import User
from demo.communes import CITIZENS
from payments.backends import testbank
from payments.models import Invoice, Regie, Transaction, TransactionStatus
from payments.services import token_hash
from tests.fuzzing import (
    ANY_VALUE,
    EXTREME_NUMBERS,
    KEY_NAME,
    LONG,
    MISSING,
    NEXT_URLS,
    SCALAR_JUNK,
    TEXT,
    WRONG_TYPES,
    Fuzzer,
    assert_json_refusal_explained,
    assert_refusal_explained,
    has_nul,
    hypothesis_settings,
    present,
    with_csrf_field,
)
from tests.payments.fake_payfip import FakePayFiP

HOST = "carvin.localhost"
TOKEN = "a-token-of-the-billing-software"
SYSTEMPAY = {
    "vads_site_id": "12345678",
    "vads_ctx_mode": "TEST",
    "secret_test": "1122334455667788",
    "signature_algo": "sha1",
    "service_url": "https://paiement.systempay.fr/vads-payment/",
}
PAYBOX = {
    "platform": "test",
    "site": "1999888",
    "rang": "32",
    "identifiant": "107904735",
    "shared_secret": "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF",
}


def amelie() -> User:
    email = next(c["email"] for c in CITIZENS[HOST] if c["validated"])
    return User.objects.get(site__hostname=HOST, email=email)


def citizen_client() -> Client:
    client = Client()
    client.force_login(amelie())
    return client


@pytest.mark.django_db
def test_cart_and_paying_pages_explain_each_refusal():
    visitors = {"citizen": citizen_client(), "anonymous": Client()}
    own = list(Invoice.objects.filter(account=amelie()).values_list("pk", flat=True))
    others = list(Invoice.objects.exclude(account=amelie()).values_list("pk", flat=True)[:5])
    invoice_ids = st.one_of(st.sampled_from(own + others), st.integers(0, 2**63 - 1))
    visitor = st.sampled_from(["citizen", "citizen", "anonymous"])

    @hypothesis_settings(500)
    @given(
        who=visitor,
        action=st.sampled_from(["ajouter", "retirer"]),
        pk=invoice_ids,
        data=st.fixed_dictionaries({"next": st.one_of(NEXT_URLS, st.just(MISSING))}),
        extra=st.dictionaries(KEY_NAME, ANY_VALUE, max_size=2),
    )
    def cart(who, action, pk, data, extra):
        fuzzer = Fuzzer(visitors[who], HOST)
        path = f"/paiement/panier/{action}/{pk}/"
        response = fuzzer.send(
            "payments: cart add/remove", "post", path, with_csrf_field({**extra, **present(data)})
        )
        assert response.status_code in (302, 404)

    @hypothesis_settings(60)
    @given(who=visitor, extra=st.dictionaries(KEY_NAME, ANY_VALUE, max_size=3))
    def checkout(who, extra):
        fuzzer = Fuzzer(visitors[who], HOST, away=("http://carvin.localhost",))
        response = fuzzer.send(
            "payments: cart checkout", "post", "/paiement/panier/payer/", with_csrf_field(extra)
        )
        assert response.status_code in (200, 302)
        Transaction.objects.filter(status=TransactionStatus.WAITING).update(
            status=TransactionStatus.CANCELLED
        )

    invoice = Invoice.objects.filter(site__hostname=HOST).exclude(payment_key="").first()
    numbers = st.sampled_from([invoice.number, invoice.number.lower(), "CAR-0"])
    keys = st.sampled_from([invoice.payment_key, invoice.payment_key.lower(), "ABCD"])

    @hypothesis_settings(250)
    @given(
        data=st.fixed_dictionaries(
            {
                "number": st.one_of(numbers, SCALAR_JUNK, st.just(MISSING)),
                "key": st.one_of(keys, SCALAR_JUNK, st.just(MISSING)),
            }
        ),
        extra=st.dictionaries(KEY_NAME, ANY_VALUE, max_size=2),
    )
    def lookup(data, extra):
        fuzzer = Fuzzer(Client(), HOST)
        response = fuzzer.send(
            "payments: pay an invoice (number and key)",
            "post",
            "/paiement/payer-une-facture/",
            with_csrf_field({**extra, **present(data)}),
        )
        if response.status_code == 429:
            assert response.context["refusal"] in response.content.decode()
        elif response.status_code == 200:
            assert_refusal_explained(response)
        else:
            assert response.status_code == 302

    lookup_client = Client()
    lookup_client.post(
        "/paiement/payer-une-facture/",
        with_csrf_field({"number": invoice.number, "key": invoice.payment_key}),
        HTTP_HOST=HOST,
    )

    @hypothesis_settings(150)
    @given(
        email=st.one_of(
            st.sampled_from(["amelie@example.org", "a@b", "x" * 300 + "@example.org"]),
            SCALAR_JUNK,
            st.just(MISSING),
        ),
        extra=st.dictionaries(KEY_NAME, ANY_VALUE, max_size=2),
    )
    def pay(email, extra):
        fuzzer = Fuzzer(lookup_client, HOST, away=("http://carvin.localhost",))
        response = fuzzer.send(
            "payments: pay an invoice (e-mail)",
            "post",
            "/paiement/payer-une-facture/paiement/",
            with_csrf_field({**extra, **present({"email": email})}),
        )
        shown = response.status_code == 200 and "form" in response.context
        if shown and (response.context["form"].errors or response.context["invoice"].is_payable):
            assert_refusal_explained(response)
        Transaction.objects.filter(status=TransactionStatus.WAITING).update(
            status=TransactionStatus.CANCELLED
        )

    cart()
    checkout()
    lookup()
    pay()


@pytest.mark.django_db
def test_payment_pages_take_any_address_and_query_string():
    visitors = {"citizen": citizen_client(), "anonymous": Client()}
    transaction = Transaction.objects.filter(site__hostname=HOST).first()
    public_ids = st.one_of(
        st.uuids().map(str),
        st.just(str(transaction.public_id) if transaction else str(uuid.uuid4())),
    )

    @hypothesis_settings(400)
    @given(
        who=st.sampled_from(list(visitors)),
        path=st.one_of(
            st.sampled_from(
                [
                    "/paiement/",
                    "/paiement/releve/",
                    "/paiement/panier/",
                    "/paiement/payer-une-facture/",
                    "/paiement/payer-une-facture/paiement/",
                ]
            ),
            public_ids.map(lambda p: f"/paiement/transaction/{p}/"),
            public_ids.map(lambda p: f"/paiement/transaction/{p}/recu/"),
            st.integers(0, 2**63 - 1).map(lambda n: f"/paiement/facture/{n}/pdf/"),
            TEXT.map(lambda s: f"/paiement/banque-de-test/{s or 'x'}/".replace("?", "")),
        ),
        query=st.dictionaries(
            st.one_of(st.sampled_from(["check", "next", "page"]), KEY_NAME),
            st.one_of(st.just("1"), SCALAR_JUNK),
            max_size=3,
        ),
    )
    def get(who, path, query):
        fuzzer = Fuzzer(visitors[who], HOST)
        response = fuzzer.send("payments pages (GET)", "get", path, query)
        assert response.status_code in (200, 302, 400, 404)

    get()


def testbank_fields():
    """What the test bank signs, made up: forged, or signed with its key."""
    raw = st.fixed_dictionaries(
        {
            "bank_order_id": st.one_of(st.sampled_from(["TB-1", ""]), SCALAR_JUNK),
            "order_id": st.one_of(st.just("P1"), SCALAR_JUNK),
            "status": st.one_of(st.sampled_from(TransactionStatus.values), SCALAR_JUNK),
            "amount": st.one_of(
                st.sampled_from(["3835", "-1", "1e9", "NaN"]), EXTREME_NUMBERS, SCALAR_JUNK
            ),
            "test": st.sampled_from(["1", "0", ""]),
        }
    )
    forged = raw.map(lambda f: {**f, "signature": "x" * 64})
    signed = raw.map(lambda f: {**f, "signature": testbank.signature(f)})
    return st.one_of(forged, signed, st.dictionaries(KEY_NAME, SCALAR_JUNK, max_size=4))


BANK_FIELDS = {
    "testbank": testbank_fields(),
    "payfip": st.fixed_dictionaries(
        {"idOp": st.one_of(st.uuids().map(lambda u: u.hex), SCALAR_JUNK, st.just(MISSING))},
        optional={"idop": SCALAR_JUNK, "numcli": SCALAR_JUNK},
    ),
    "systempay": st.dictionaries(
        st.one_of(
            st.sampled_from(
                [
                    "vads_result",
                    "vads_amount",
                    "vads_trans_id",
                    "vads_ext_info_eopayment_trans_id",
                    "vads_ctx_mode",
                    "vads_trans_date",
                    "signature",
                ]
            ),
            KEY_NAME,
        ),
        st.one_of(SCALAR_JUNK, WRONG_TYPES),
        max_size=8,
    ),
    "paybox": st.dictionaries(
        st.one_of(
            st.sampled_from(["montant", "reference", "erreur", "signature", "auto"]), KEY_NAME
        ),
        st.one_of(SCALAR_JUNK, WRONG_TYPES),
        max_size=6,
    ),
}


@pytest.mark.django_db
def test_forged_bank_messages_are_refused_without_a_server_error(tmp_path, settings):
    payfip = FakePayFiP(tmp_path).start()
    settings.PAYFIP_WSDL_URL = payfip.wsdl_url
    site = Regie.objects.filter(site__hostname=HOST).first().site
    regies = {
        "testbank": Regie.objects.filter(site=site, backend="testbank").first(),
        "payfip": Regie.objects.create(
            site=site, name="PayFiP", backend="payfip", backend_options={"numcli": "123456"}
        ),
        "systempay": Regie.objects.create(
            site=site, name="Systempay", backend="systempay", backend_options=SYSTEMPAY
        ),
        "paybox": Regie.objects.create(
            site=site, name="Paybox", backend="paybox", backend_options=PAYBOX
        ),
    }
    transactions = {
        backend: Transaction.objects.create(
            site=site,
            regie=regie,
            backend=backend,
            order_id=f"FUZZ{backend.upper()}",
            amount=Decimal("38.35"),
            email="a@example.org",
        )
        for backend, regie in regies.items()
    }
    fuzzer = Fuzzer(Client(), HOST)

    @hypothesis_settings(1200)
    @given(
        backend=st.sampled_from(list(regies)),
        where=st.sampled_from(["notification", "notification", "retour"]),
        method=st.sampled_from(["post", "post", "get"]),
        unknown=st.sampled_from([False, False, False, True]),
        fields=st.data(),
        body=st.one_of(st.just(MISSING), st.binary(max_size=300), LONG),
    )
    def bank(backend, where, method, unknown, fields, body):
        data = present(fields.draw(BANK_FIELDS[backend]))
        if where == "notification":
            public_id = regies[backend].public_id
        else:
            public_id = transactions[backend].public_id
        path = f"/paiement/{where}/{uuid.uuid4() if unknown else public_id}/"
        kwargs = {"data": data}
        if body is not MISSING and method == "post":
            kwargs = {"data": body, "content_type": "application/x-www-form-urlencoded"}
        response = fuzzer.send(f"bank {where}: {backend}", method, path, **kwargs)
        if method == "get" and has_nul(data):
            assert response.status_code == 400  # an address holding NUL
        elif unknown:
            assert response.status_code == 404
        elif where == "retour":
            assert response.status_code == 302
        else:
            assert response.status_code in (200, 400, 503)
            assert response.content, "a refusal without its reason"

    try:
        bank()
    finally:
        payfip.stop()


JSON_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False),
        TEXT,
        WRONG_TYPES,
        st.just("\x00"),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(TEXT, children, max_size=3)
    ),
    max_leaves=10,
)
INVOICE = st.fixed_dictionaries(
    {
        "number": st.one_of(st.sampled_from(["CAR-2026-9001", "CAR-2026-9002"]), JSON_VALUES),
        "domain": st.one_of(st.sampled_from(["school", "periscolaire", "crèche"]), JSON_VALUES),
        "label": st.one_of(st.just("Cantine"), JSON_VALUES),
        "amount": st.one_of(
            st.sampled_from(["12,50", "12.50", 12.5, "-3", 1e26, 10**40]),
            EXTREME_NUMBERS,
            st.floats(allow_nan=False, allow_infinity=False),
            JSON_VALUES,
        ),
        "issued_on": st.one_of(st.sampled_from(["2026-01-31", "31/01/2026"]), JSON_VALUES),
    },
    optional={
        "account": st.one_of(st.just("amelie.lire@example.org"), JSON_VALUES),
        "payer_name": JSON_VALUES,
        "due_on": JSON_VALUES,
        "status": JSON_VALUES,
        "paid_on": JSON_VALUES,
        "payment_key": JSON_VALUES,
        "pdf": st.one_of(st.just("JVBERi0xLjQK"), JSON_VALUES),
    },
)


def deep(depth: int) -> str:
    return '{"invoices": ' + "[" * depth + "]" * depth + "}"


BODIES = st.one_of(
    st.builds(lambda items: json.dumps({"invoices": items}), st.lists(INVOICE, max_size=3)),
    st.builds(lambda items: json.dumps({"invoices": items}), st.lists(JSON_VALUES, max_size=3)),
    JSON_VALUES.map(json.dumps),
    st.binary(max_size=200),
    TEXT,
    st.integers(1, 100_000).map(deep),
    st.sampled_from(['{"invoices": [', "\x00", '{"invoices": "\\u0000"}', "", "null"]),
    st.just(json.dumps({"invoices": [{"number": "N"}] * 5}) + " " * (5 * 1024 * 1024)),
)


@pytest.mark.django_db
def test_invoice_push_api_explains_each_refusal_in_json():
    regie = Regie.objects.filter(site__hostname=HOST).first()
    regie.api_token_hash = token_hash(TOKEN)
    regie.save(update_fields=["api_token_hash"])
    fuzzer = Fuzzer(Client(), HOST)
    path = f"/paiement/api/regies/{regie.public_id}/factures/"

    @hypothesis_settings(1500)
    @given(
        token=st.one_of(
            st.just(f"Bearer {TOKEN}"),
            st.just(f"Bearer {TOKEN}"),
            st.just(TOKEN),
            st.just(MISSING),
            TEXT.map(lambda s: "Bearer " + s),
        ),
        body=BODIES,
        content_type=st.sampled_from(
            ["application/json", "application/json", "text/plain", "multipart/form-data"]
        ),
    )
    def push(token, body, content_type):
        headers = {} if token is MISSING else {"HTTP_AUTHORIZATION": token}
        response = fuzzer.send(
            "invoice push API", "post", path, data=body, content_type=content_type, **headers
        )
        if response.status_code >= 400:
            assert_json_refusal_explained(response)
        else:
            assert response.status_code == 200

    push()
