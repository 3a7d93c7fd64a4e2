"""Paying an invoice without an account: its number and the key printed on
it find it, behind the commune's anti-robot check and a limit of attempts."""

from html import unescape

import altcha
import pytest
from django import forms
from django.core import mail

from accounts.captcha import CAPTCHA_REQUIRED, altcha_challenge_create
from payments.forms import INVOICE_NOT_FOUND
from payments.models import Invoice, InvoiceStatus, LocalBankOperation, Transaction
from payments.views import LOOKUP_FAILURE_LIMIT

from .factories import invoice

HOST = {"HTTP_HOST": "carvin.localhost"}


@pytest.fixture
def no_captcha(monkeypatch):
    monkeypatch.setattr(
        "payments.forms.captcha_field", lambda request: forms.CharField(required=False)
    )


@pytest.fixture
def paper_bill(ville):
    return invoice(ville, None, number="CAR-V-00900", key="K7QX2M9R", amount="27.90")


def look_up(client, number, key, **extra):
    return client.post(
        "/paiement/payer-une-facture/", {"number": number, "key": key, **extra}, **HOST
    )


def test_the_number_and_key_find_the_invoice(client, no_captcha, paper_bill):
    response = look_up(client, "car-v-00900", " k7qx 2m9r ")

    assert response.status_code == 302
    html = unescape(client.get(response["Location"], **HOST).content.decode())
    assert "CAR-V-00900" in html and "Famille Durand" in html
    assert "Payer 27,90\xa0€ par carte bancaire" in html


def test_a_wrong_key_tells_nothing_about_the_invoice(client, no_captcha, paper_bill):
    response = look_up(client, "CAR-V-00900", "AAAAAAAA")

    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert str(INVOICE_NOT_FOUND) in html
    assert "Famille Durand" not in html
    assert 'value="CAR-V-00900"' in html


def test_an_invoice_of_another_commune_is_not_found(client, no_captcha, paper_bill):
    response = client.post(
        "/paiement/payer-une-facture/",
        {"number": "CAR-V-00900", "key": "K7QX2M9R"},
        HTTP_HOST="saint-andre-des-eaux.localhost",
    )

    assert str(INVOICE_NOT_FOUND) in unescape(response.content.decode())


def test_attempts_are_limited_per_address(client, no_captcha, paper_bill):
    for _ in range(LOOKUP_FAILURE_LIMIT):
        look_up(client, "CAR-V-00900", "WRONGKEY")

    response = look_up(client, "CAR-V-00900", "K7QX2M9R")

    assert response.status_code == 429
    assert "Trop de tentatives." in unescape(response.content.decode())


def test_the_anti_robot_check_is_required(client, paper_bill):
    response = look_up(client, "CAR-V-00900", "K7QX2M9R")

    assert response.status_code == 200
    assert str(CAPTCHA_REQUIRED) in unescape(response.content.decode())


def test_with_the_anti_robot_check_solved(client, paper_bill):
    challenge = altcha_challenge_create()
    payload = altcha.Payload(challenge, altcha.solve_challenge(challenge)).to_base64()

    response = look_up(client, "CAR-V-00900", "K7QX2M9R", captcha=payload)

    assert response.status_code == 302


def test_paying_without_account_sends_the_receipt_to_the_address_given(
    client, no_captcha, paper_bill, django_capture_on_commit_callbacks
):
    look_up(client, "CAR-V-00900", "K7QX2M9R")
    response = client.post(
        "/paiement/payer-une-facture/paiement/", {"email": "durand@example.org"}, **HOST
    )
    operation = LocalBankOperation.objects.get()
    assert response["Location"].endswith(f"/paiement/banque-de-test/{operation.bank_order_id}/")

    with django_capture_on_commit_callbacks(execute=True):
        back = client.post(
            f"/paiement/banque-de-test/{operation.bank_order_id}/", {"decision": "pay"}, **HOST
        )
        html = unescape(client.get(back["Location"], follow=True, **HOST).content.decode())

    transaction = Transaction.objects.get()
    assert transaction.account is None
    assert "Paiement accepté" in html
    assert Invoice.objects.get(pk=paper_bill.pk).status == InvoiceStatus.PAID_ONLINE
    assert [message.to for message in mail.outbox] == [["durand@example.org"]]
    receipt = client.get(f"/paiement/transaction/{transaction.public_id}/recu.pdf", **HOST)
    assert b"".join(receipt.streaming_content).startswith(b"%PDF-")


def test_an_email_address_is_required(client, no_captcha, paper_bill):
    look_up(client, "CAR-V-00900", "K7QX2M9R")

    response = client.post("/paiement/payer-une-facture/paiement/", {"email": "durand"}, **HOST)

    assert response.status_code == 200
    assert "Saisissez une adresse de courriel valide." in unescape(response.content.decode())
    assert not Transaction.objects.exists()


def test_a_paid_invoice_says_it_is_no_longer_to_pay(client, no_captcha, ville):
    invoice(ville, None, number="CAR-V-00901", key="PAIDPAID", status=InvoiceStatus.PAID_ELSEWHERE)

    look_up(client, "CAR-V-00901", "PAIDPAID")
    html = unescape(client.get("/paiement/payer-une-facture/paiement/", **HOST).content.decode())

    assert "Cette facture n'est plus à payer : Payée par un autre moyen." in html


def test_the_payment_page_without_a_found_invoice_goes_back_to_the_search(client, carvin):
    response = client.get("/paiement/payer-une-facture/paiement/", **HOST)

    assert response["Location"] == "/paiement/payer-une-facture/"


def test_the_login_page_and_box_lead_to_paying_without_an_account(client, carvin):
    html = client.get("/compte/connexion/", **HOST).content.decode()

    assert '<a href="/paiement/payer-une-facture/">Payer une facture sans compte</a>' in html
