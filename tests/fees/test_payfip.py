"""Démarche payments through the real PayFiP backend (eopayment's
``payfip_ws``) against the fake PayFiP service: a request paid at sending
reaches the town hall and a booking asked for its payment moves on, once
PayFiP confirms; its second notice changes nothing."""

import re
from decimal import Decimal
from html import unescape

import pytest
from django.core import mail

from fees.models import DemarcheFee, PaymentTime, RequestPayment
from payments.models import InvoiceStatus, Transaction
from services.models import StatusChange, Workflow
from services.services import submission_change_status
from services.workflows import fill_from
from tests.accounts.factories import citizen
from tests.fees.test_request_payments import ANSWERS, BOOKING, ROOM_FORM, ROOM_LINES
from tests.payments.factories import regie
from tests.services.factories import service_page, submission

HOST = {"HTTP_HOST": "carvin.localhost"}
PAYFIP_PAGE = "https://www.payfip.gouv.fr/tpa/paiementws.web?idop="


@pytest.fixture
def ville(carvin):
    return regie(carvin, "Ville", backend="payfip", options={"numcli": "123456", "saisie": "T"})


@pytest.fixture
def amelie(carvin):
    return citizen(carvin, validated=True)


def _room(carvin, ville, when, workflow=None):
    page = service_page(carvin, "Réservation de salle", ROOM_FORM, workflow=workflow)
    DemarcheFee.objects.create(
        site=carvin, page=page, regie=ville, label="Location", when=when, lines=ROOM_LINES
    )
    return page


def pay_at_payfip(client, sent, payment, payfip, captured) -> Transaction:
    response = client.post(f"/compte/demandes/{sent.reference}/payer/{payment.pk}/", **HOST)
    assert response.status_code == 200
    link = re.search(
        r'<a href="([^"]+)" class="button" data-auto-follow>', response.content.decode()
    )
    assert unescape(link.group(1)).startswith(PAYFIP_PAGE)
    transaction = Transaction.objects.latest("pk")
    assert (transaction.amount, transaction.account) == (payment.invoice.amount, sent.account)
    payfip.decide(transaction.bank_order_id, "P")
    for _ in range(2):
        with captured(execute=True):
            notified = client.post(
                f"/paiement/notification/{transaction.regie.public_id}/",
                {"idOp": transaction.bank_order_id},
                **HOST,
            )
        assert notified.status_code == 200
    return transaction


def test_paid_at_sending_through_payfip_the_request_reaches_the_town_hall_once(
    client, carvin, ville, amelie, payfip, django_capture_on_commit_callbacks
):
    page = _room(carvin, ville, PaymentTime.SUBMISSION)
    sent = submission(page, amelie, data=ANSWERS)
    payment = RequestPayment.objects.get(submission=sent)
    client.force_login(amelie)
    mail.outbox.clear()

    pay_at_payfip(client, sent, payment, payfip, django_capture_on_commit_callbacks)

    sent.refresh_from_db()
    assert sent.status == "submitted"
    assert StatusChange.objects.filter(submission=sent, status="submitted").count() == 1
    payment.invoice.refresh_from_db()
    assert payment.invoice.status == InvoiceStatus.PAID_ONLINE
    assert len([m for m in mail.outbox if "Reçu de votre paiement" in m.subject]) == 1


def test_asked_by_the_workflow_and_paid_through_payfip_the_booking_moves_on_once(
    client, carvin, ville, amelie, staff_of, payfip, django_capture_on_commit_callbacks
):
    workflow = Workflow.objects.create(site=carvin, name="Réservation")
    fill_from(workflow, BOOKING)
    page = _room(carvin, ville, PaymentTime.REQUEST, workflow=workflow)
    sent = submission(page, amelie, data=ANSWERS)
    with django_capture_on_commit_callbacks(execute=True):
        submission_change_status(
            submission=sent, status="confirmed", author=staff_of(carvin, "Agents")
        )
    payment = RequestPayment.objects.get(submission=sent)
    assert payment.invoice.amount == Decimal("370.00")
    client.force_login(amelie)
    mail.outbox.clear()

    pay_at_payfip(client, sent, payment, payfip, django_capture_on_commit_callbacks)

    sent.refresh_from_db()
    assert sent.status == "paid"
    assert StatusChange.objects.filter(submission=sent, status="paid").count() == 1
    told = [
        m for m in mail.outbox if sent.reference in m.subject and "Réservation payée" in m.subject
    ]
    assert len(told) == 1
