"""An invoice's life beyond the billing software's: issued by the portal (the
fee of an online procedure), cancelled for a reason, paid (the apps above
are told once, after the payment is saved), and given back."""

import csv
import io
import logging
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.users.models import UserProfile

from cms.models import AuditLogEntry
from payments.backends.testbank import signed_fields
from payments.exceptions import InvoiceChangeRefused, UnableToTakePayment
from payments.models import (
    Cart,
    CartItem,
    Invoice,
    InvoiceDomain,
    InvoiceStatus,
    LocalBankOperation,
    Transaction,
    TransactionStatus,
)
from payments.services import (
    CANCEL_NOT_TO_PAY,
    CANCEL_PAYMENT_UNDER_WAY,
    CANCEL_REASON_REQUIRED,
    REFUND_NOT_DUE,
    PaymentURLs,
    cart_add_invoice,
    cart_get_or_create,
    invoice_cancel,
    invoice_issue,
    invoice_refund_due,
    invoice_refund_record,
    transaction_start_for_invoice,
)
from payments.signals import invoice_paid
from tests.accounts.factories import citizen

from .factories import invoice
from .test_admin import paid_transaction

URLS = PaymentURLs(base_url="http://carvin.localhost")
HOST = {"HTTP_HOST": "carvin.localhost"}


def english(message) -> str:
    with translation.override("en"):
        return str(message)


def refused_in_english(call, **kwargs) -> str:
    with translation.override("en"):
        with pytest.raises(InvoiceChangeRefused) as refusal:
            call(**kwargs)
        return str(refusal.value)


# --- Issuing ---------------------------------------------------------------------


def test_the_portal_issues_an_invoice_today_with_its_own_payment_key(carvin, ville, amelie):
    first = invoice_issue(
        regie=ville,
        account=amelie,
        payer_name="Amélie Lire",
        number="DEM-1",
        label="Carte de stationnement résident",
        amount=Decimal("25.00"),
    )
    second = invoice_issue(
        regie=ville, account=None, payer_name="Famille Durand", number="DEM-2", label="x", amount=5
    )

    first.refresh_from_db()
    assert (first.site_id, first.regie_id, first.account_id) == (carvin.pk, ville.pk, amelie.pk)
    assert (first.issued_on, first.due_on) == (timezone.localdate(), None)
    assert (first.domain, first.status, first.amount) == (
        InvoiceDomain.DEMARCHE,
        InvoiceStatus.TO_PAY,
        Decimal("25.00"),
    )
    assert len(first.payment_key) == 8 and first.payment_key != second.payment_key


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-3.50")])
def test_an_invoice_is_issued_for_more_than_nothing(ville, amelie, amount):
    with pytest.raises(ValueError):
        invoice_issue(
            regie=ville, account=amelie, payer_name="", number="DEM-0", label="x", amount=amount
        )

    assert not Invoice.objects.exists()


# --- Cancelling ------------------------------------------------------------------


def test_an_invoice_is_cancelled_for_a_reason_only(ville, amelie):
    bill = invoice(ville, amelie)

    message = refused_in_english(invoice_cancel, invoice=bill, reason="  \n ")

    assert message == "Say why the invoice is cancelled."
    assert message == english(CANCEL_REASON_REQUIRED)
    assert Invoice.objects.get(pk=bill.pk).status == InvoiceStatus.TO_PAY


def test_cancelling_takes_the_invoice_out_of_the_cart_and_writes_the_log(
    carvin, ville, amelie, staff_of
):
    agent = staff_of(carvin, "Agents")
    bill = invoice(ville, amelie, number="DEM-7")
    kept = invoice(ville, amelie)
    cart = cart_get_or_create(site=carvin, account=amelie)
    cart_add_invoice(cart=cart, invoice=bill)
    cart_add_invoice(cart=cart, invoice=kept)

    cancelled = invoice_cancel(invoice=bill, reason=" Demande retirée ", author=agent)

    assert (cancelled.status, cancelled.cancel_reason) == (
        InvoiceStatus.CANCELLED,
        "Demande retirée",
    )
    assert list(CartItem.objects.values_list("invoice_id", flat=True)) == [kept.pk]
    entry = AuditLogEntry.objects.get(action="payments.invoice_cancel")
    assert (entry.user, entry.site_id, entry.object_id) == (agent, carvin.pk, str(bill.pk))
    assert entry.data["reason"] == "Demande retirée"


def test_a_cart_emptied_by_a_cancellation_takes_another_regie(carvin, ville, amelie):
    bill = invoice(ville, amelie)
    cart = cart_get_or_create(site=carvin, account=amelie)
    cart_add_invoice(cart=cart, invoice=bill)

    invoice_cancel(invoice=bill, reason="Erreur de facturation")

    assert Cart.objects.get(pk=cart.pk).regie is None


def test_an_invoice_being_paid_at_the_bank_cannot_be_cancelled(ville, amelie):
    bill = invoice(ville, amelie)
    transaction_start_for_invoice(invoice=bill, email=amelie.email, urls=URLS, account=amelie)

    message = refused_in_english(invoice_cancel, invoice=bill, reason="Demande retirée")

    assert message == english(CANCEL_PAYMENT_UNDER_WAY)
    assert "under way at the bank" in message
    assert Invoice.objects.get(pk=bill.pk).status == InvoiceStatus.TO_PAY


def test_a_paid_invoice_is_not_cancelled(ville, amelie):
    bill = invoice(ville, amelie, status=InvoiceStatus.PAID_ONLINE)

    message = refused_in_english(invoice_cancel, invoice=bill, reason="Demande retirée")

    assert message == english(CANCEL_NOT_TO_PAY)
    assert Invoice.objects.get(pk=bill.pk).status == InvoiceStatus.PAID_ONLINE


# --- Paying from another page, and telling the apps above -------------------------


def test_a_household_pays_its_invoice_directly_as_itself(ville, amelie):
    bill = invoice(ville, amelie)

    transaction, _bank = transaction_start_for_invoice(
        invoice=bill, email=amelie.email, urls=URLS, account=amelie
    )

    assert (transaction.account, transaction.payer_name) == (amelie, "Amélie Lire")
    assert transaction.status == TransactionStatus.WAITING


def test_a_household_does_not_pay_another_households_invoice_as_itself(carvin, ville, amelie):
    other = invoice(ville, citizen(carvin, "Jean-Noël", "Darc", validated=True))

    with translation.override("en"):
        with pytest.raises(UnableToTakePayment) as refusal:
            transaction_start_for_invoice(
                invoice=other, email=amelie.email, urls=URLS, account=amelie
            )
        message = str(refusal.value)

    assert message == "This invoice is not one of your household's."
    assert not Transaction.objects.exists()


def test_an_invoice_paid_with_its_number_and_key_has_no_account(ville, amelie):
    bill = invoice(ville, amelie)

    transaction, _bank = transaction_start_for_invoice(
        invoice=bill, email="voisin@example.org", urls=URLS
    )

    assert transaction.account is None
    assert transaction.payer_name == bill.payer_name


@pytest.fixture
def told():
    """What ``invoice_paid`` said, receiver by receiver."""
    calls = []

    def receiver(sender, signal, **kwargs):
        calls.append({"sender": sender, **kwargs})

    invoice_paid.connect(receiver, weak=False, dispatch_uid="test-told")
    yield calls
    invoice_paid.disconnect(dispatch_uid="test-told")


def at_the_bank(bill, account):
    transaction, _bank = transaction_start_for_invoice(
        invoice=bill, email=account.email, urls=URLS, account=account
    )
    LocalBankOperation.objects.update(status=TransactionStatus.PAID)
    return transaction, LocalBankOperation.objects.get()


def notify(client, regie, operation):
    response = client.post(
        reverse("payments_bank:notification", args=[regie.public_id]),
        signed_fields(operation),
        **HOST,
    )
    assert response.status_code == 200
    return response


def test_a_payment_tells_once_after_commit_which_invoices_it_credited(
    client, ville, amelie, told, django_capture_on_commit_callbacks
):
    bill = invoice(ville, amelie)
    transaction, operation = at_the_bank(bill, amelie)

    with django_capture_on_commit_callbacks() as callbacks:
        notify(client, ville, operation)
    assert told == []
    for callback in callbacks:
        callback()
    with django_capture_on_commit_callbacks(execute=True):
        notify(client, ville, operation)

    assert told == [{"sender": Invoice, "invoice_ids": [bill.pk], "transaction_id": transaction.pk}]
    assert Invoice.objects.get(pk=bill.pk).status == InvoiceStatus.PAID_ONLINE


def test_a_payment_crediting_nothing_tells_nothing(
    client, ville, amelie, told, django_capture_on_commit_callbacks
):
    bill = invoice(ville, amelie)
    _transaction, operation = at_the_bank(bill, amelie)
    Invoice.objects.filter(pk=bill.pk).update(status=InvoiceStatus.PAID_ELSEWHERE)

    with django_capture_on_commit_callbacks(execute=True):
        notify(client, ville, operation)

    assert told == []
    assert Transaction.objects.get().anomaly


def test_a_failing_receiver_neither_undoes_the_payment_nor_silences_the_others(
    client, ville, amelie, told, caplog, django_capture_on_commit_callbacks
):
    def broken(sender, **kwargs):
        raise RuntimeError("the démarche is gone")

    bill = invoice(ville, amelie)
    _transaction, operation = at_the_bank(bill, amelie)
    invoice_paid.connect(broken, weak=False, dispatch_uid="test-broken")
    try:
        with (
            caplog.at_level(logging.ERROR, logger="payments.signals"),
            django_capture_on_commit_callbacks(execute=True),
        ):
            notify(client, ville, operation)
    finally:
        invoice_paid.disconnect(dispatch_uid="test-broken")

    assert Invoice.objects.get(pk=bill.pk).status == InvoiceStatus.PAID_ONLINE
    assert [call["invoice_ids"] for call in told] == [[bill.pk]]
    (record,) = [r for r in caplog.records if r.name == "payments.signals"]
    assert isinstance(record.exc_info[1], RuntimeError)


# --- Refunds ---------------------------------------------------------------------


def test_a_paid_invoice_becomes_to_refund_once(ville, amelie):
    bill = invoice(ville, amelie, status=InvoiceStatus.PAID_ONLINE)

    first = invoice_refund_due(invoice=bill, reason="Demande refusée par la mairie")
    again = invoice_refund_due(invoice=bill, reason="Autre motif")

    assert first.refund_due_since is not None and first.refund_pending
    assert (again.refund_due_since, again.refund_reason) == (
        first.refund_due_since,
        "Demande refusée par la mairie",
    )


def test_an_invoice_paid_at_the_town_hall_is_refunded_too(ville, amelie):
    bill = invoice(ville, amelie, status=InvoiceStatus.PAID_ELSEWHERE)

    assert invoice_refund_due(invoice=bill, reason="Demande refusée").refund_pending


@pytest.mark.parametrize("status", [InvoiceStatus.TO_PAY, InvoiceStatus.CANCELLED])
def test_an_invoice_not_paid_has_nothing_to_refund(ville, amelie, status):
    bill = invoice(ville, amelie, status=status)

    unchanged = invoice_refund_due(invoice=bill, reason="Demande refusée")

    assert (unchanged.refund_due_since, unchanged.refund_reason) == (None, "")
    assert Invoice.objects.get(pk=bill.pk).refund_due_since is None


def test_a_refund_is_recorded_once_and_only_when_due(carvin, ville, amelie, staff_of):
    agent = staff_of(carvin, "Agents")
    bill = invoice(ville, amelie, status=InvoiceStatus.PAID_ONLINE)

    assert refused_in_english(invoice_refund_record, invoice=bill, author=agent) == english(
        REFUND_NOT_DUE
    )
    invoice_refund_due(invoice=bill, reason="Demande refusée")
    recorded = invoice_refund_record(invoice=bill, author=agent)
    assert refused_in_english(invoice_refund_record, invoice=bill, author=agent) == english(
        REFUND_NOT_DUE
    )

    assert (recorded.refunded_by, recorded.refund_pending) == (agent, False)
    assert recorded.refunded_at is not None
    entry = AuditLogEntry.objects.get(action="payments.invoice_refund")
    assert (entry.user, entry.site_id, entry.object_id) == (agent, carvin.pk, str(bill.pk))


# --- The admin -------------------------------------------------------------------


def working_in_english(user):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


@pytest.fixture
def agent_user(carvin, staff_of):
    return working_in_english(staff_of(carvin, "Agents"))


@pytest.fixture
def agent(client, agent_user):
    client.force_login(agent_user)
    return client


@pytest.fixture
def to_refund(ville, amelie):
    bill = invoice(ville, amelie, number="DEM-42", status=InvoiceStatus.PAID_ONLINE)
    return invoice_refund_due(invoice=bill, reason="Demande refusée par la mairie")


def inspect_url(bill):
    return reverse("wagtailsnippets_payments_invoice:inspect", args=[bill.pk])


def refund_url(bill):
    return reverse("wagtailsnippets_payments_invoice:refund", args=[bill.pk])


def test_an_agent_records_a_refund_from_the_invoice(agent, agent_user, to_refund):
    before = unescape(agent.get(inspect_url(to_refund)).content.decode())
    confirmation = unescape(agent.get(refund_url(to_refund)).content.decode())

    response = agent.post(refund_url(to_refund), follow=True)

    after = unescape(response.content.decode())
    assert "To refund since" in before and "Demande refusée par la mairie" in before
    assert refund_url(to_refund) in before
    assert "Record the refund" in confirmation and 'method="post"' in confirmation
    assert response.redirect_chain == [(inspect_url(to_refund), 302)]
    assert "The refund of invoice DEM-42 is recorded." in after
    assert refund_url(to_refund) not in after
    to_refund.refresh_from_db()
    assert (to_refund.refunded_by, to_refund.refund_pending) == (agent_user, False)


def test_an_invoice_with_no_refund_due_offers_none(agent, ville, amelie):
    bill = invoice(ville, amelie, status=InvoiceStatus.PAID_ONLINE)

    page = agent.get(inspect_url(bill)).content.decode()
    response = agent.get(refund_url(bill))
    posted = agent.post(refund_url(bill))

    assert refund_url(bill) not in page
    assert response.status_code == posted.status_code == 302
    assert Invoice.objects.get(pk=bill.pk).refunded_at is None


def test_the_refund_of_another_communes_invoice_is_a_404(client, saint_andre, staff_of, to_refund):
    client.force_login(staff_of(saint_andre, "Supervisors"))

    assert client.get(refund_url(to_refund)).status_code == 404
    assert client.post(refund_url(to_refund)).status_code == 404
    assert Invoice.objects.get(pk=to_refund.pk).refund_pending


def test_staff_who_do_not_see_the_accounts_record_no_refund(client, carvin, staff_of, to_refund):
    client.force_login(staff_of(carvin, "Communication"))

    assert client.post(refund_url(to_refund)).status_code == 404
    assert Invoice.objects.get(pk=to_refund.pk).refund_pending


def test_the_invoice_shows_why_it_was_cancelled(agent, ville, amelie):
    bill = invoice(ville, amelie)
    invoice_cancel(invoice=bill, reason="Demande retirée par l'usager")

    html = unescape(agent.get(inspect_url(bill)).content.decode())

    assert "Cancellation" in html and "Demande retirée par l'usager" in html


def test_the_invoices_are_filtered_by_refund(agent, agent_user, ville, amelie, to_refund):
    refunded = invoice(ville, amelie, number="DEM-43", status=InvoiceStatus.PAID_ONLINE)
    invoice_refund_due(invoice=refunded, reason="Demande refusée")
    invoice_refund_record(invoice=refunded, author=agent_user)
    invoice(ville, amelie, number="DEM-44", status=InvoiceStatus.PAID_ONLINE)
    listing = reverse("wagtailsnippets_payments_invoice:list")

    due = agent.get(listing, {"refund": "due"}).content.decode()
    done = agent.get(listing, {"refund": "done"}).content.decode()

    assert "DEM-42" in due and "DEM-43" not in due and "DEM-44" not in due
    assert "DEM-43" in done and "DEM-42" not in done and "DEM-44" not in done


def test_the_accounting_export_says_where_each_refund_stands(agent, agent_user, ville, amelie):
    kept = invoice(ville, amelie, number="DEM-1", amount="10.00")
    due = invoice(ville, amelie, number="DEM-2", amount="20.00")
    refunded = invoice(ville, amelie, number="DEM-3", amount="30.00")
    for bill in (kept, due, refunded):
        paid_transaction(bill)
    invoice_refund_due(invoice=due, reason="Demande refusée")
    invoice_refund_due(invoice=refunded, reason="Doublon")
    refunded = invoice_refund_record(invoice=refunded, author=agent_user)
    today = timezone.localdate()

    response = agent.post(
        reverse("payments_accounting_export"),
        {"regie": ville.pk, "start": today - timedelta(days=7), "end": today},
    )

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header, *lines, total = rows
    assert header[-1] == "Refund"
    refund_day = timezone.localtime(refunded.refunded_at).strftime("%d/%m/%Y")
    assert {line[4]: line[-1] for line in lines} == {
        "DEM-1": "",
        "DEM-2": "to refund: Demande refusée",
        "DEM-3": f"refunded on {refund_day}",
    }
    assert len(total) == len(header)
    assert total[header.index("Household")] == "Total"
    assert total[header.index("Amount")] == "60,00"
