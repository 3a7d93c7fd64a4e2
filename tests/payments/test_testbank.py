"""Paying through the local test bank, from the cart to the return page and
the receipt; its notifications are signed, so forged or tampered ones never
mark anything paid."""

from datetime import timedelta
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from payments.backends.testbank import signature
from payments.models import (
    CartItem,
    EventOutcome,
    Invoice,
    InvoiceStatus,
    LocalBankOperation,
    Transaction,
    TransactionEvent,
    TransactionStatus,
)
from tests.fuzzing import refuse_nul_like_postgresql

from .factories import invoice

HOST = {"HTTP_HOST": "carvin.localhost"}


@pytest.fixture
def bill(ville, amelie):
    return invoice(ville, amelie, number="CAR-V-0042", amount="38.35")


def to_bank(client, *bills) -> LocalBankOperation:
    for bill in bills:
        client.post(f"/paiement/panier/ajouter/{bill.pk}/")
    response = client.post("/paiement/panier/payer/")
    assert response.status_code == 302
    operation = LocalBankOperation.objects.latest("pk")
    assert (
        response["Location"]
        == f"http://carvin.localhost/paiement/banque-de-test/{operation.bank_order_id}/"
    )
    return operation


def decide(client, operation, decision, captured):
    with captured(execute=True):
        back = client.post(
            f"/paiement/banque-de-test/{operation.bank_order_id}/", {"decision": decision}
        )
        assert back.status_code == 302
        return client.get(back["Location"], follow=True)


def signed(fields):
    return {**fields, "signature": signature(fields)}


def test_paying_moves_the_invoice_to_the_statement_and_emails_the_receipt(
    amelie_client, bill, django_capture_on_commit_callbacks
):
    operation = to_bank(amelie_client, bill)
    bank_page = unescape(
        amelie_client.get(f"/paiement/banque-de-test/{operation.bank_order_id}/").content.decode()
    )
    assert "38,35\xa0€" in bank_page

    response = decide(amelie_client, operation, "pay", django_capture_on_commit_callbacks)

    html = unescape(response.content.decode())
    transaction = Transaction.objects.get()
    assert "Paiement accepté" in html
    assert (
        "Merci : votre paiement de 38,35\xa0€ est enregistré sous le numéro "
        f"{transaction.order_id}." in html
    )
    assert Invoice.objects.get(pk=bill.pk).status == InvoiceStatus.PAID_ONLINE
    assert CartItem.objects.count() == 0
    statement = amelie_client.get("/paiement/releve/").content.decode()
    assert "CAR-V-0042" in statement
    assert f'href="/paiement/transaction/{transaction.public_id}/recu/"' in statement
    assert "CAR-V-0042" not in amelie_client.get("/paiement/").content.decode()
    (message,) = mail.outbox
    assert message.to == ["amélie.lire@example.org"]
    assert message.subject == f"Carvin – Reçu de votre paiement {transaction.order_id}"
    assert "CAR-V-0042" in message.body
    name, content, mime = message.attachments[0]
    assert (name, mime) == (f"recu-{transaction.order_id}.pdf", "application/pdf")
    assert content.startswith(b"%PDF-")


def test_the_receipt_is_downloadable_and_shown(
    amelie_client, bill, django_capture_on_commit_callbacks
):
    operation = to_bank(amelie_client, bill)
    decide(amelie_client, operation, "pay", django_capture_on_commit_callbacks)
    transaction = Transaction.objects.get()

    page = unescape(
        amelie_client.get(f"/paiement/transaction/{transaction.public_id}/recu/").content.decode()
    )
    pdf = amelie_client.get(f"/paiement/transaction/{transaction.public_id}/recu.pdf")

    assert "Reçu de paiement" in page and "CAR-V-0042" in page and transaction.order_id in page
    assert pdf["Content-Type"] == "application/pdf"
    name = f"recu-{transaction.order_id}.pdf"
    assert pdf["Content-Disposition"] == f"attachment; filename=\"{name}\"; filename*=UTF-8''{name}"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("decision", "status", "heading"),
    [
        ("refuse", TransactionStatus.REFUSED, "Paiement refusé"),
        ("cancel", TransactionStatus.CANCELLED, "Paiement annulé"),
    ],
)
def test_a_refused_or_cancelled_payment_keeps_the_invoices_to_pay(
    amelie_client, bill, django_capture_on_commit_callbacks, decision, status, heading
):
    operation = to_bank(amelie_client, bill)

    response = decide(amelie_client, operation, decision, django_capture_on_commit_callbacks)

    assert heading in unescape(response.content.decode())
    assert Transaction.objects.get().status == status
    assert Invoice.objects.get(pk=bill.pk).status == InvoiceStatus.TO_PAY
    assert CartItem.objects.count() == 1
    assert mail.outbox == []


def test_without_notification_the_payment_is_being_checked_until_the_periodic_job(
    amelie_client, bill, django_capture_on_commit_callbacks
):
    operation = to_bank(amelie_client, bill)

    response = decide(
        amelie_client, operation, "pay_without_notice", django_capture_on_commit_callbacks
    )

    assert "Paiement en cours de vérification" in unescape(response.content.decode())
    Transaction.objects.update(created_at=timezone.now() - timedelta(minutes=20))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("payments_reconcile")
    assert Transaction.objects.get().status == TransactionStatus.PAID
    assert Invoice.objects.get(pk=bill.pk).status == InvoiceStatus.PAID_ONLINE
    assert len(mail.outbox) == 1


def test_check_again_asks_the_bank(amelie_client, bill, django_capture_on_commit_callbacks):
    operation = to_bank(amelie_client, bill)
    decide(amelie_client, operation, "pay_without_notice", django_capture_on_commit_callbacks)
    transaction = Transaction.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        html = amelie_client.get(
            f"/paiement/transaction/{transaction.public_id}/?check=1"
        ).content.decode()

    assert "Paiement accepté" in unescape(html)


def test_a_signed_notification_pays_once(
    amelie_client, client, ville, bill, django_capture_on_commit_callbacks
):
    operation = to_bank(amelie_client, bill)
    LocalBankOperation.objects.filter(pk=operation.pk).update(status="paid")
    fields = signed(
        {
            "bank_order_id": operation.bank_order_id,
            "order_id": operation.order_id,
            "amount": "3835",
            "status": "paid",
            "test": "1",
        }
    )

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(f"/paiement/notification/{ville.public_id}/", fields, **HOST)
        second = client.post(f"/paiement/notification/{ville.public_id}/", fields, **HOST)

    assert (first.status_code, second.status_code) == (200, 200)
    assert Transaction.objects.get().status == TransactionStatus.PAID
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    "tampering",
    [
        {"amount": "1"},
        {"order_id": "P260101OTHER"},
        {"status": "paid", "signature": ""},
        {"signature": "0" * 64},
    ],
    ids=["amount", "order", "unsigned", "wrong-signature"],
)
def test_forged_or_tampered_notifications_never_mark_anything_paid(
    amelie_client, client, ville, bill, django_capture_on_commit_callbacks, tampering
):
    operation = to_bank(amelie_client, bill)
    fields = signed(
        {
            "bank_order_id": operation.bank_order_id,
            "order_id": operation.order_id,
            "amount": "3835",
            "status": "paid",
            "test": "1",
        }
    )
    fields.update(tampering)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/paiement/notification/{ville.public_id}/", fields, **HOST)
        back = client.get(
            f"/paiement/retour/{Transaction.objects.get().public_id}/", fields, **HOST
        )

    assert response.status_code == 400
    assert back.status_code == 302
    assert Transaction.objects.get().status == TransactionStatus.WAITING
    assert Invoice.objects.get(pk=bill.pk).status == InvoiceStatus.TO_PAY
    assert mail.outbox == []
    received = Transaction.objects.get().events.exclude(source="start")
    assert set(received.values_list("outcome", flat=True)) == {EventOutcome.UNVERIFIED}


def test_a_signed_notification_for_a_production_transaction_is_refused(
    amelie_client, client, ville, bill, django_capture_on_commit_callbacks
):
    operation = to_bank(amelie_client, bill)
    Transaction.objects.update(test_mode=False)
    fields = signed(
        {
            "bank_order_id": operation.bank_order_id,
            "order_id": operation.order_id,
            "amount": "3835",
            "status": "paid",
            "test": "1",
        }
    )

    response = client.post(f"/paiement/notification/{ville.public_id}/", fields, **HOST)

    assert response.status_code == 400
    assert Transaction.objects.get().events.latest("pk").outcome == EventOutcome.MODE_MISMATCH
    assert Invoice.objects.get(pk=bill.pk).status == InvoiceStatus.TO_PAY


def test_a_notification_to_another_communes_address_is_a_404(client, ville, saint_andre):
    response = client.post(
        f"/paiement/notification/{ville.public_id}/",
        {"bank_order_id": "x", "status": "paid"},
        HTTP_HOST="saint-andre-des-eaux.localhost",
    )

    assert response.status_code == 404


def test_the_return_page_of_another_household_is_a_404(
    amelie_client, client, carvin, bill, django_capture_on_commit_callbacks
):
    from tests.accounts.factories import citizen

    to_bank(amelie_client, bill)
    transaction = Transaction.objects.get()
    client.force_login(citizen(carvin, "Paul", "Voisin", validated=True))

    response = client.get(f"/paiement/transaction/{transaction.public_id}/", **HOST)

    assert response.status_code == 404


def test_the_bank_is_told_where_to_send_the_citizen_back_and_to_notify(amelie_client, ville, bill):
    operation = to_bank(amelie_client, bill)
    transaction = Transaction.objects.get()

    assert (
        operation.return_url == f"http://carvin.localhost/paiement/retour/{transaction.public_id}/"
    )
    assert (
        operation.notification_url
        == f"http://carvin.localhost/paiement/notification/{ville.public_id}/"
    )
    assert dict(parse_qsl(urlsplit(operation.return_url).query)) == {}


def test_a_closed_regie_takes_no_payment(amelie_client, ville, bill):
    amelie_client.post(f"/paiement/panier/ajouter/{bill.pk}/")
    ville.is_active = False
    ville.save()

    response = amelie_client.post("/paiement/panier/payer/", follow=True)

    assert "Le paiement en ligne des factures de « Ville » est fermé pour le moment." in unescape(
        response.content.decode()
    )
    assert not Transaction.objects.exists()


def test_the_test_bank_is_off_where_it_is_not_enabled(amelie_client, bill, settings):
    settings.PAYMENTS_TESTBANK_ENABLED = False
    amelie_client.post(f"/paiement/panier/ajouter/{bill.pk}/")

    response = amelie_client.post("/paiement/panier/payer/", follow=True)

    assert "Ce service de paiement n'est pas disponible sur ce portail." in unescape(
        response.content.decode()
    )


def test_a_notification_holding_nul_characters_is_kept_without_them(client, ville):
    fields = {"bank_order_id": "TB\x00", "status": "paid\x00", "x\x00": "1"}

    with connection.execute_wrapper(refuse_nul_like_postgresql):
        response = client.post(f"/paiement/notification/{ville.public_id}/", fields, **HOST)
        back = client.post(
            f"/paiement/notification/{ville.public_id}/",
            "a=\x00",
            **HOST,
            content_type="application/x-www-form-urlencoded",
        )

    assert (response.status_code, back.status_code) == (400, 400)
    events = TransactionEvent.objects.filter(regie=ville)
    assert set(events.values_list("outcome", flat=True)) == {EventOutcome.UNVERIFIED}
    assert all("\x00" not in event.payload for event in events)


@pytest.mark.parametrize("amount", ["NaN", "sNaN", "Infinity", "9" * 30, "1e400"])
def test_a_notification_whose_amount_is_no_amount_is_refused(
    amelie_client, client, ville, bill, amount
):
    operation = to_bank(amelie_client, bill)
    fields = signed(
        {
            "bank_order_id": operation.bank_order_id,
            "order_id": operation.order_id,
            "amount": amount,
            "status": "paid",
            "test": "1",
        }
    )

    response = client.post(f"/paiement/notification/{ville.public_id}/", fields, **HOST)

    assert response.status_code == 400
    assert Transaction.objects.get().status == TransactionStatus.WAITING
    event = TransactionEvent.objects.filter(source="notification").get()
    assert event.reported_amount is None


def test_the_test_bank_page_of_another_communes_operation_is_a_404(
    amelie_client, bill, saint_andre
):
    operation = to_bank(amelie_client, bill)

    response = amelie_client.get(
        f"/paiement/banque-de-test/{operation.bank_order_id}/",
        HTTP_HOST="saint-andre-des-eaux.localhost",
    )

    assert response.status_code == 404
