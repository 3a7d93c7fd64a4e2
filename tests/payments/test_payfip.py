"""The real PayFiP backend (eopayment's ``payfip_ws``) against a fake PayFiP
SOAP service on 127.0.0.1: every notification is checked by asking PayFiP."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.core import mail
from django.utils import timezone

from payments.models import (
    EventOutcome,
    Invoice,
    InvoiceStatus,
    Transaction,
    TransactionEvent,
    TransactionStatus,
)
from payments.services import AMOUNT_TOO_LOW, transactions_reconcile

from .factories import invoice, regie

HOST = {"HTTP_HOST": "carvin.localhost"}
PAYFIP_PAGE = "https://www.payfip.gouv.fr/tpa/paiementws.web?idop="
PAYMENT_UNDER_WAY_FR = (
    "Un paiement déjà commencé auprès de la banque attend sa réponse : une facture ne peut "
    "pas être payée deux fois. Si vous n'avez pas terminé ce paiement, vous pourrez payer de "
    "nouveau dès que la banque l'aura clos : veuillez réessayer plus tard."
)


@pytest.fixture
def ville(carvin):
    return regie(carvin, "Ville", backend="payfip", options={"numcli": "123456", "saisie": "T"})


@pytest.fixture
def bill(ville, amelie):
    return invoice(ville, amelie, number="CAR-2026-0042", amount="30.00")


def pay(client, bill) -> Transaction:
    client.post(f"/paiement/panier/ajouter/{bill.pk}/")
    response = client.post("/paiement/panier/payer/")
    # PayFiP is another origin: a page that follows a link to it, since the
    # policy's form-action ('self') would block a redirection after the form.
    assert response.status_code == 200
    html = response.content.decode()
    link = re.search(r'<a href="([^"]+)" class="button" data-auto-follow>', html)
    assert unescape(link.group(1)).startswith(PAYFIP_PAGE)
    assert "form-action 'self';" in response["Content-Security-Policy"] + ";"
    return Transaction.objects.latest("pk")


def notify(client, regie, idop, captured, **extra):
    with captured(execute=True):
        return client.post(
            f"/paiement/notification/{regie.public_id}/", {"idOp": idop, **extra}, **HOST
        )


def test_the_payment_is_created_at_payfip_with_our_order_and_amount(
    amelie_client, payfip, ville, bill
):
    transaction = pay(amelie_client, bill)

    (operation, arguments), *_ = payfip.calls
    assert operation == "creerPaiementSecurise"
    assert arguments["numcli"] == "123456"
    assert arguments["montant"] == "3000"
    assert arguments["refdet"] == transaction.order_id
    assert arguments["saisie"] == "T"
    assert arguments["mel"] == "amélie.lire@example.org"
    assert (
        arguments["urlnotif"] == f"http://carvin.localhost/paiement/notification/{ville.public_id}/"
    )
    assert arguments["urlredirect"].endswith(f"/paiement/retour/{transaction.public_id}/")
    assert transaction.bank_order_id == payfip.last_idop
    assert transaction.status == TransactionStatus.WAITING
    assert transaction.test_mode is True


def test_paid_notification_pays_the_invoice_and_sends_the_receipt(
    amelie_client, payfip, ville, bill, django_capture_on_commit_callbacks
):
    transaction = pay(amelie_client, bill)
    payfip.decide(transaction.bank_order_id, "P")

    response = notify(
        amelie_client, ville, transaction.bank_order_id, django_capture_on_commit_callbacks
    )

    assert response.status_code == 200
    transaction.refresh_from_db()
    assert transaction.status == TransactionStatus.PAID
    assert "112233" in transaction.bank_transaction_id
    assert Invoice.objects.get(pk=bill.pk).status == InvoiceStatus.PAID_ONLINE
    assert [m.attachments[0][0] for m in mail.outbox] == [f"recu-{transaction.order_id}.pdf"]
    assert payfip.calls[-1] == (
        "recupererDetailPaiementSecurise",
        {"idOp": transaction.bank_order_id},
    )


def test_the_citizen_back_from_payfip_sees_the_payment_accepted(
    amelie_client, payfip, bill, django_capture_on_commit_callbacks
):
    transaction = pay(amelie_client, bill)
    payfip.decide(transaction.bank_order_id, "P")

    with django_capture_on_commit_callbacks(execute=True):
        response = amelie_client.post(
            f"/paiement/retour/{transaction.public_id}/",
            {"idOp": transaction.bank_order_id},
            follow=True,
        )

    assert "Paiement accepté" in response.content.decode()
    assert len(mail.outbox) == 1


def test_refused_payment_leaves_the_invoice_to_pay_in_the_cart(
    amelie_client, payfip, ville, bill, django_capture_on_commit_callbacks
):
    transaction = pay(amelie_client, bill)
    payfip.decide(transaction.bank_order_id, "R")

    notify(amelie_client, ville, transaction.bank_order_id, django_capture_on_commit_callbacks)
    page = amelie_client.get(f"/paiement/transaction/{transaction.public_id}/")

    transaction.refresh_from_db()
    assert transaction.status == TransactionStatus.REFUSED
    assert Invoice.objects.get(pk=bill.pk).status == InvoiceStatus.TO_PAY
    assert "Paiement refusé" in page.content.decode()
    assert bill.number in amelie_client.get("/paiement/panier/").content.decode()
    assert mail.outbox == []


def test_cancelled_payment_is_cancelled_once_payfip_has_settled_it(
    amelie_client, payfip, ville, bill, django_capture_on_commit_callbacks
):
    transaction = pay(amelie_client, bill)
    payfip.decide(transaction.bank_order_id, "A", minutes_ago=0)

    notify(amelie_client, ville, transaction.bank_order_id, django_capture_on_commit_callbacks)
    transaction.refresh_from_db()
    assert transaction.status == TransactionStatus.WAITING

    payfip.decide(transaction.bank_order_id, "A", minutes_ago=10)
    notify(amelie_client, ville, transaction.bank_order_id, django_capture_on_commit_callbacks)
    transaction.refresh_from_db()
    assert transaction.status == TransactionStatus.CANCELLED
    assert (
        "Paiement annulé"
        in amelie_client.get(f"/paiement/transaction/{transaction.public_id}/").content.decode()
    )


def test_an_operation_payfip_forgot_is_expired(
    amelie_client, payfip, ville, bill, django_capture_on_commit_callbacks
):
    transaction = pay(amelie_client, bill)
    payfip.fail(transaction.bank_order_id, "P1")

    notify(amelie_client, ville, transaction.bank_order_id, django_capture_on_commit_callbacks)

    transaction.refresh_from_db()
    assert transaction.status == TransactionStatus.EXPIRED
    assert Invoice.objects.get(pk=bill.pk).status == InvoiceStatus.TO_PAY


def test_the_periodic_check_expires_an_abandoned_payment_and_finds_a_paid_one(
    amelie_client, payfip, ville, amelie, django_capture_on_commit_callbacks
):
    first = invoice(ville, amelie, amount="10.00")
    abandoned = pay(amelie_client, first)
    amelie_client.post(f"/paiement/panier/retirer/{first.pk}/")
    paid = pay(amelie_client, invoice(ville, amelie, amount="20.00"))
    Transaction.objects.filter(pk=abandoned.pk).update(
        created_at=timezone.now() - timedelta(hours=3)
    )
    Transaction.objects.filter(pk=paid.pk).update(created_at=timezone.now() - timedelta(hours=1))
    payfip.decide(paid.bank_order_id, "P")

    with django_capture_on_commit_callbacks(execute=True):
        report = transactions_reconcile(min_age=timedelta(minutes=15))

    assert report == {"expired": [abandoned.order_id], "paid": [paid.order_id]}
    assert len(mail.outbox) == 1


def test_a_still_running_operation_stays_waiting(
    amelie_client, payfip, ville, bill, django_capture_on_commit_callbacks
):
    transaction = pay(amelie_client, bill)

    response = notify(
        amelie_client, ville, transaction.bank_order_id, django_capture_on_commit_callbacks
    )

    assert response.status_code == 200
    transaction.refresh_from_db()
    assert transaction.status == TransactionStatus.WAITING
    assert (
        "en cours de vérification"
        in amelie_client.get(f"/paiement/transaction/{transaction.public_id}/").content.decode()
    )


def test_a_notification_of_an_unknown_operation_changes_nothing(
    amelie_client, payfip, ville, bill, django_capture_on_commit_callbacks
):
    transaction = pay(amelie_client, bill)

    response = notify(amelie_client, ville, "99999999-forged", django_capture_on_commit_callbacks)

    assert response.status_code == 400
    transaction.refresh_from_db()
    assert transaction.status == TransactionStatus.WAITING
    event = TransactionEvent.objects.latest("pk")
    assert (event.transaction, event.outcome) == (None, EventOutcome.UNKNOWN_ORDER)
    assert "99999999-forged" in event.payload


def test_duplicate_notifications_pay_once_and_send_one_receipt(
    amelie_client, payfip, ville, bill, django_capture_on_commit_callbacks
):
    transaction = pay(amelie_client, bill)
    payfip.decide(transaction.bank_order_id, "P")

    first = notify(
        amelie_client, ville, transaction.bank_order_id, django_capture_on_commit_callbacks
    )
    second = notify(
        amelie_client, ville, transaction.bank_order_id, django_capture_on_commit_callbacks
    )

    assert (first.status_code, second.status_code) == (200, 200)
    assert len(mail.outbox) == 1
    assert list(
        transaction.events.filter(source="notification").values_list("outcome", flat=True)
    ) == [EventOutcome.APPLIED, EventOutcome.DUPLICATE]


@pytest.mark.parametrize(
    ("changes", "outcome"),
    [
        ({"montant": "100"}, EventOutcome.AMOUNT_MISMATCH),
        ({"saisie": "W"}, EventOutcome.MODE_MISMATCH),
        ({"refdet": "P2601010THEIRS"}, EventOutcome.UNKNOWN_ORDER),
        ({"numcli": "654321"}, EventOutcome.UNVERIFIED),
    ],
    ids=["amount", "production-mode", "other-order", "other-customer"],
)
def test_a_payment_payfip_reports_differently_is_never_marked_paid(
    amelie_client, payfip, ville, bill, django_capture_on_commit_callbacks, changes, outcome
):
    transaction = pay(amelie_client, bill)
    payfip.decide(transaction.bank_order_id, "P", **changes)

    response = notify(
        amelie_client, ville, transaction.bank_order_id, django_capture_on_commit_callbacks
    )

    assert response.status_code == 400
    transaction.refresh_from_db()
    assert transaction.status == TransactionStatus.WAITING
    assert Invoice.objects.get(pk=bill.pk).status == InvoiceStatus.TO_PAY
    assert transaction.events.latest("pk").outcome == outcome
    assert mail.outbox == []


def test_a_notification_without_operation_is_refused(amelie_client, payfip, ville):
    response = amelie_client.post(
        f"/paiement/notification/{ville.public_id}/", {"amount": "30.00"}, **HOST
    )

    assert response.status_code == 400
    assert TransactionEvent.objects.get().outcome == EventOutcome.UNVERIFIED


@pytest.mark.parametrize("idop", ["\x1f", "<idOp/>", "x" * 65])
def test_a_notification_with_no_payfip_identifier_is_refused_not_taken_for_an_outage(
    amelie_client, payfip, ville, idop
):
    response = amelie_client.post(
        f"/paiement/notification/{ville.public_id}/", {"idOp": idop}, **HOST
    )

    assert response.status_code == 400
    assert TransactionEvent.objects.get().outcome == EventOutcome.UNVERIFIED


def test_payfip_out_of_reach_keeps_the_cart_and_says_so(amelie_client, payfip, bill):
    amelie_client.post(f"/paiement/panier/ajouter/{bill.pk}/")
    payfip.stop()

    response = amelie_client.post("/paiement/panier/payer/", follow=True)

    html = unescape(response.content.decode())
    assert "Le service de paiement n'a pas pu être joint" in html
    assert bill.number in html
    assert Transaction.objects.get().status == TransactionStatus.ERROR


def test_paying_again_goes_back_to_the_same_payfip_operation(amelie_client, payfip, bill):
    first = pay(amelie_client, bill)

    again = pay(amelie_client, bill)

    assert again == first
    operations = [operation for operation, _arguments in payfip.calls]
    assert operations.count("creerPaiementSecurise") == 1
    assert Transaction.objects.count() == 1


def test_once_the_payfip_operation_is_no_longer_valid_paying_again_waits_for_payfip(
    amelie_client, payfip, bill
):
    first = pay(amelie_client, bill)
    Transaction.objects.filter(pk=first.pk).update(
        created_at=timezone.now() - timedelta(minutes=16)
    )
    payfip.fail(first.bank_order_id, "P5")

    response = amelie_client.post("/paiement/panier/payer/", follow=True)

    assert PAYMENT_UNDER_WAY_FR in unescape(response.content.decode())
    assert Transaction.objects.count() == 1


def test_payfip_takes_no_payment_under_one_euro(amelie_client, payfip, ville, amelie):
    small = invoice(ville, amelie, amount="0.80")
    amelie_client.post(f"/paiement/panier/ajouter/{small.pk}/")

    response = amelie_client.post("/paiement/panier/payer/", follow=True)

    assert str(AMOUNT_TOO_LOW % {"amount": "1,00\xa0€"}) in unescape(response.content.decode())
    assert payfip.calls == []
