"""Démarches that cost money, as the citizen and the agents live them: the
price on the recap, paying at sending (the request reaches the town hall
once paid) or when the workflow asks, through the test bank; the request
moves on once however often the bank tells it; an unpaid request is
abandoned with its answers kept; an agent cancels an amount; a paid
request refused is to refund."""

from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from fees.models import DemarcheFee, PaymentTime, RequestPayment
from fees.services import unpaid_requests_abandon
from payments.backends.testbank import signature
from payments.models import Invoice, InvoiceStatus, LocalBankOperation, Transaction
from services.models import StatusChange, Submission, Workflow
from services.services import submission_change_status
from services.statuses import (
    StatusColour,
    StatusGroup,
    StatusInfo,
    Transition,
)
from services.workflows import fill_from
from tests.accounts.factories import citizen
from tests.payments.factories import regie
from tests.services.factories import field, service_page, step, submission

HOST = {"HTTP_HOST": "carvin.localhost"}

ROOM_FORM = [
    step(
        "Réservation",
        field("choice", "Salle", "salle", choices="Salle des fêtes\nSalle Jean-Moulin"),
        field("number", "Nombre de jours", "jours", min_value=1, max_value=10),
        field("yes_no", "Habitez-vous Carvin ?", "resident"),
    )
]
ROOM_LINES = [
    (
        "line",
        {
            "label": "{choix} ({quantite} jours)",
            "choice_field": "salle",
            "choice_prices": [
                {"option": "Salle des fêtes", "amount": Decimal("185")},
                {"option": "Salle Jean-Moulin", "amount": Decimal("120")},
            ],
            "quantity_field": "jours",
            "condition_field": "resident",
            "condition_operator": "equals",
            "condition_value": "Oui",
        },
    ),
    (
        "line",
        {
            "label": "{choix} ({quantite} jours, hors commune)",
            "choice_field": "salle",
            "choice_prices": [
                {"option": "Salle des fêtes", "amount": Decimal("250")},
                {"option": "Salle Jean-Moulin", "amount": Decimal("160")},
            ],
            "quantity_field": "jours",
            "condition_field": "resident",
            "condition_operator": "differs",
            "condition_value": "Oui",
        },
    ),
]
ANSWERS = {"salle": "Salle des fêtes", "jours": 2, "resident": True}

BOOKING = (
    StatusInfo(
        value="new",
        label="Nouvelle",
        citizen_label="Reçue",
        group=StatusGroup.TO_PROCESS,
        colour=StatusColour.BLUE,
        transitions=(Transition("confirmed", "Confirmer"), Transition("refused", "Refuser")),
    ),
    StatusInfo(
        value="confirmed",
        label="Confirmée, à payer",
        citizen_label="Confirmée : à payer",
        group=StatusGroup.WITH_CITIZEN,
        colour=StatusColour.AMBER,
        transitions=(Transition("refused", "Refuser"),),
        actions=({"type": "ask_payment", "value": {"amount": "price", "paid_to": "paid"}},),
    ),
    StatusInfo(
        value="paid",
        label="Payée",
        citizen_label="Réservation payée",
        group=StatusGroup.FINAL,
        colour=StatusColour.GREEN,
        transitions=(Transition("refused", "Refuser"),),
    ),
    StatusInfo(
        value="refused",
        label="Refusée",
        citizen_label="Refusée",
        group=StatusGroup.FINAL,
        colour=StatusColour.RED,
    ),
)


@pytest.fixture
def amelie(carvin):
    return citizen(carvin, validated=True)


@pytest.fixture
def ville(carvin):
    return regie(carvin, "Ville")


def _room(carvin, ville, when, workflow=None):
    page = service_page(carvin, "Réservation de salle", ROOM_FORM, workflow=workflow)
    DemarcheFee.objects.create(
        site=carvin, page=page, regie=ville, label="Location de salle", when=when, lines=ROOM_LINES
    )
    return page


@pytest.fixture
def at_sending(carvin, ville):
    return _room(carvin, ville, PaymentTime.SUBMISSION)


@pytest.fixture
def booking(carvin, ville):
    workflow = Workflow.objects.create(site=carvin, name="Réservation")
    fill_from(workflow, BOOKING)
    return _room(carvin, ville, PaymentTime.REQUEST, workflow=workflow)


@pytest.fixture
def agent(carvin, staff_of):
    return staff_of(carvin, "Agents")


def pay_at_the_test_bank(client, submission, payment, captured, *, decision="pay"):
    response = client.post(f"/compte/demandes/{submission.reference}/payer/{payment.pk}/", **HOST)
    assert response.status_code == 302, response.content
    operation = LocalBankOperation.objects.latest("pk")
    assert response["Location"].endswith(f"/paiement/banque-de-test/{operation.bank_order_id}/")
    with captured(execute=True):
        back = client.post(
            f"/paiement/banque-de-test/{operation.bank_order_id}/", {"decision": decision}, **HOST
        )
        return operation, client.get(back["Location"], follow=True, **HOST)


def test_the_recap_shows_the_price_computed_from_the_answers(client, carvin, amelie, at_sending):
    client.force_login(amelie)
    client.post(
        f"{at_sending.url}etape/1/",
        {"salle": "Salle des fêtes", "jours": "2", "resident": "yes", "action": "next"},
        **HOST,
    )

    page = unescape(client.get(f"{at_sending.url}verification/", **HOST).content.decode())

    assert "Montant à payer : 370,00\xa0€" in page
    assert "Salle des fêtes (2 jours)" in page
    assert "2 × " in page


def test_paid_at_sending_the_request_reaches_the_town_hall_once_paid(
    client, carvin, amelie, ville, at_sending, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sent = submission(at_sending, amelie, data=ANSWERS)

    sent.refresh_from_db()
    assert sent.status == "awaiting_payment"
    assert sent.stage == StatusGroup.WITH_CITIZEN
    payment = RequestPayment.objects.get(submission=sent)
    invoice = payment.invoice
    assert (invoice.amount, invoice.account, invoice.regie) == (Decimal("370.00"), amelie, ville)
    assert invoice.number == f"{sent.reference}-P1"
    assert [m.subject for m in mail.outbox] == [f"Carvin – Votre demande {sent.reference}"]
    assert "une fois payée" in mail.outbox[0].body or "once paid" in mail.outbox[0].body
    mail.outbox.clear()

    client.force_login(amelie)
    assert invoice.number in client.get("/paiement/", **HOST).content.decode()
    _operation, back = pay_at_the_test_bank(
        client, sent, payment, django_capture_on_commit_callbacks
    )

    assert back.status_code == 200
    sent.refresh_from_db()
    assert sent.status == "submitted"
    assert Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.PAID_ONLINE
    assert list(sent.history.values_list("status", flat=True)) == ["awaiting_payment", "submitted"]
    detail = unescape(client.get(f"/compte/demandes/{sent.reference}/", **HOST).content.decode())
    transaction = Transaction.objects.get()
    assert f"/paiement/transaction/{transaction.public_id}/recu/" in detail
    assert invoice.number in client.get("/paiement/releve/", **HOST).content.decode()
    assert any("Reçu de votre paiement" in m.subject for m in mail.outbox)


def test_a_second_notification_of_the_same_payment_moves_the_request_once(
    client, carvin, amelie, ville, at_sending, django_capture_on_commit_callbacks
):
    sent = submission(at_sending, amelie, data=ANSWERS)
    payment = RequestPayment.objects.get(submission=sent)
    client.force_login(amelie)
    operation, _back = pay_at_the_test_bank(
        client, sent, payment, django_capture_on_commit_callbacks
    )
    fields = {
        "bank_order_id": operation.bank_order_id,
        "order_id": operation.order_id,
        "amount": "37000",
        "status": "paid",
        "test": "1",
    }
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            late = client.post(
                f"/paiement/notification/{ville.public_id}/",
                {**fields, "signature": signature(fields)},
                **HOST,
            )
            assert late.status_code == 200

    assert StatusChange.objects.filter(submission=sent, status="submitted").count() == 1
    assert mail.outbox == []


def test_a_refused_payment_keeps_the_request_waiting_and_offers_to_pay_again(
    client, carvin, amelie, at_sending, django_capture_on_commit_callbacks
):
    sent = submission(at_sending, amelie, data=ANSWERS)
    payment = RequestPayment.objects.get(submission=sent)
    client.force_login(amelie)

    pay_at_the_test_bank(
        client, sent, payment, django_capture_on_commit_callbacks, decision="refuse"
    )

    sent.refresh_from_db()
    assert sent.status == "awaiting_payment"
    detail = unescape(client.get(f"/compte/demandes/{sent.reference}/", **HOST).content.decode())
    assert "Votre dernier paiement n’a pas abouti" in detail
    assert f"/payer/{payment.pk}/" in detail


def test_asked_once_confirmed_then_paid_the_booking_moves_on_by_itself(
    client, carvin, amelie, agent, booking, django_capture_on_commit_callbacks
):
    sent = submission(booking, amelie, data={**ANSWERS, "resident": False})
    assert sent.status == "new"
    assert not RequestPayment.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        submission_change_status(submission=sent, status="confirmed", author=agent)

    payment = RequestPayment.objects.get(submission=sent)
    assert payment.invoice.amount == Decimal("500.00")
    assert payment.lines[0]["label"] == "Salle des fêtes (2 jours, hors commune)"
    (told,) = [m for m in mail.outbox if "Confirmée : à payer" in m.subject]
    assert "500,00" in told.body
    client.force_login(amelie)
    pay_at_the_test_bank(client, sent, payment, django_capture_on_commit_callbacks)

    sent.refresh_from_db()
    assert sent.status == "paid"
    last = sent.history.order_by("-pk").first()
    assert (last.status, last.automatic) == ("paid", True)
    detail = unescape(client.get(f"/compte/demandes/{sent.reference}/", **HOST).content.decode())
    assert "Payée le " in detail


def test_an_amount_typed_by_the_agent_needs_its_reason(
    carvin, amelie, agent, booking, django_capture_on_commit_callbacks
):
    workflow = booking.workflow
    status = workflow.statuses.get(key="confirmed")
    status.actions = [("ask_payment", {"amount": "typed", "paid_to": "paid"})]
    status.save()
    workflow.save()
    sent = submission(booking, amelie, data=ANSWERS)

    from services.services import SubmissionError

    with translation.override("en"), pytest.raises(SubmissionError, match="Type the amount"):
        submission_change_status(submission=sent, status="confirmed", author=agent)
    with django_capture_on_commit_callbacks(execute=True):
        submission_change_status(
            submission=sent,
            status="confirmed",
            author=agent,
            amount=Decimal("42.50"),
            amount_reason="Ménage supplémentaire",
        )

    payment = RequestPayment.objects.get(submission=sent)
    assert payment.invoice.amount == Decimal("42.50")
    assert payment.lines == [
        {"label": "Ménage supplémentaire", "quantity": "1", "unit": "42.50", "amount": "42.50"}
    ]


def test_unpaid_in_time_the_request_is_abandoned_with_its_answers(
    carvin, amelie, at_sending, django_capture_on_commit_callbacks
):
    sent = submission(at_sending, amelie, data=ANSWERS)
    payment = RequestPayment.objects.get(submission=sent)
    mail.outbox.clear()

    assert unpaid_requests_abandon(now=timezone.now() + timedelta(days=2)) == []
    with django_capture_on_commit_callbacks(execute=True):
        abandoned = unpaid_requests_abandon(now=timezone.now() + timedelta(days=3, minutes=1))

    assert abandoned == [sent.reference]
    sent.refresh_from_db()
    assert sent.status == "unpaid"
    assert sent.data == ANSWERS
    assert Invoice.objects.get(pk=payment.invoice_id).status == InvoiceStatus.CANCELLED
    (message,) = mail.outbox
    assert sent.reference in message.subject
    assert unpaid_requests_abandon(now=timezone.now() + timedelta(days=30)) == []


def test_an_agent_cancels_the_amount_and_the_request_reaches_the_town_hall(
    client, carvin, amelie, agent, at_sending, django_capture_on_commit_callbacks
):
    sent = submission(at_sending, amelie, data=ANSWERS)
    payment = RequestPayment.objects.get(submission=sent)
    client.force_login(agent)
    url = reverse("fees_admin:cancel", args=[payment.pk])

    refused = client.post(url, {f"cancel-{payment.pk}-reason": " "})
    assert refused.status_code == 302
    assert Submission.objects.get(pk=sent.pk).status == "awaiting_payment"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {f"cancel-{payment.pk}-reason": "Gratuit pour le CCAS"})

    sent.refresh_from_db()
    assert sent.status == "submitted"
    invoice = Invoice.objects.get(pk=payment.invoice_id)
    assert (invoice.status, invoice.cancel_reason) == (
        InvoiceStatus.CANCELLED,
        "Gratuit pour le CCAS",
    )


def test_an_agent_of_another_commune_cannot_cancel(
    client, carvin, saint_andre, amelie, at_sending, staff_of
):
    sent = submission(at_sending, amelie, data=ANSWERS)
    payment = RequestPayment.objects.get(submission=sent)
    client.force_login(staff_of(saint_andre, "Supervisors"))

    response = client.post(
        reverse("fees_admin:cancel", args=[payment.pk]), {f"cancel-{payment.pk}-reason": "x"}
    )

    assert response.status_code == 404
    assert Invoice.objects.get(pk=payment.invoice_id).status == InvoiceStatus.TO_PAY


def test_a_paid_booking_refused_is_to_refund(
    client, carvin, amelie, agent, booking, django_capture_on_commit_callbacks
):
    sent = submission(booking, amelie, data=ANSWERS)
    with django_capture_on_commit_callbacks(execute=True):
        submission_change_status(submission=sent, status="confirmed", author=agent)
    payment = RequestPayment.objects.get(submission=sent)
    client.force_login(amelie)
    pay_at_the_test_bank(client, sent, payment, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        submission_change_status(
            submission=Submission.objects.get(pk=sent.pk),
            status="refused",
            author=agent,
            message="La salle est indisponible.",
        )

    invoice = Invoice.objects.get(pk=payment.invoice_id)
    assert invoice.status == InvoiceStatus.PAID_ONLINE
    assert invoice.refund_due_since is not None
    assert sent.reference in invoice.refund_reason


def test_a_request_refused_before_payment_has_nothing_left_to_pay(
    carvin, amelie, agent, booking, django_capture_on_commit_callbacks
):
    sent = submission(booking, amelie, data=ANSWERS)
    with django_capture_on_commit_callbacks(execute=True):
        submission_change_status(submission=sent, status="confirmed", author=agent)
        submission_change_status(
            submission=Submission.objects.get(pk=sent.pk),
            status="refused",
            author=agent,
            message="Finalement indisponible.",
        )

    invoice = RequestPayment.objects.get(submission=sent).invoice
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CANCELLED
    assert invoice.refund_due_since is None


def test_without_an_account_the_private_link_leads_to_the_payment(
    client, carvin, ville, django_capture_on_commit_callbacks
):
    from services.services import Contact, access_key

    page = service_page(carvin, "Marché de Noël", ROOM_FORM, requires_account=False)
    DemarcheFee.objects.create(
        site=carvin, page=page, regie=ville, label="Emplacement", lines=ROOM_LINES
    )
    contact = Contact(first_name="Marie", last_name="Curie", email="marie@example.org", phone="")
    with django_capture_on_commit_callbacks(execute=True):
        sent = submission(page, data=ANSWERS, contact=contact)
    key = access_key(sent)
    assert f"/suivi/{key}/" in mail.outbox[0].body
    payment = RequestPayment.objects.get(submission=sent)
    assert payment.invoice.account is None

    response = client.post(f"/suivi/{key}/payer/{payment.pk}/", **HOST)
    assert response.status_code == 302
    assert "/paiement/banque-de-test/" in response["Location"]
    assert Transaction.objects.get().email == "marie@example.org"
    assert client.post(f"/suivi/{key}x/payer/{payment.pk}/", **HOST).status_code == 404


def test_another_households_payment_is_a_404(client, carvin, amelie, at_sending):
    sent = submission(at_sending, amelie, data=ANSWERS)
    payment = RequestPayment.objects.get(submission=sent)
    other = citizen(carvin, "Paul", "Autre", validated=True)
    client.force_login(other)

    response = client.post(f"/compte/demandes/{sent.reference}/payer/{payment.pk}/", **HOST)

    assert response.status_code == 404
    assert not Transaction.objects.exists()
