"""An invoice has one payment under way at most, whatever the backend: a
second "Pay" (the back button, a double click, two tabs, the cart and the
paper invoice) goes back to the bank's page of the first, or is refused
until the bank has answered. A citizen is never charged twice."""

from datetime import timedelta
from html import unescape

import pytest
from django import forms
from django.utils import timezone, translation

from payments.backends import registry
from payments.backends.base import BankRedirect, PaymentResult, PaymentStart
from payments.exceptions import PaymentUnderWay
from payments.models import (
    Invoice,
    InvoiceStatus,
    LocalBankOperation,
    Transaction,
    TransactionStatus,
)
from payments.services import (
    PAYMENT_UNDER_WAY,
    START_TIMEOUT,
    PaymentURLs,
    cart_add_invoice,
    cart_get_or_create,
    transaction_start_for_invoice,
    transaction_start_from_cart,
)
from tests.concurrency import run_together

from .factories import invoice, regie

HOST = {"HTTP_HOST": "carvin.localhost"}
URLS = PaymentURLs(base_url="http://carvin.localhost")
PAYMENT_UNDER_WAY_FR = (
    "Un paiement déjà commencé auprès de la banque attend sa réponse : une facture ne peut "
    "pas être payée deux fois. Si vous n'avez pas terminé ce paiement, vous pourrez payer de "
    "nouveau dès que la banque l'aura clos : veuillez réessayer plus tard."
)
THREADS = 8


@pytest.fixture
def no_captcha(monkeypatch):
    monkeypatch.setattr(
        "payments.forms.captcha_field", lambda request: forms.CharField(required=False)
    )


@pytest.fixture
def bill(ville, amelie):
    return invoice(ville, amelie, number="CAR-V-0042", key="K7QX2M9R", amount="38.35")


def pay_without_account(client, number, key, email):
    client.post("/paiement/payer-une-facture/", {"number": number, "key": key}, **HOST)
    return client.post("/paiement/payer-une-facture/paiement/", {"email": email}, **HOST)


def bank_page(operation):
    return f"http://carvin.localhost/paiement/banque-de-test/{operation.bank_order_id}/"


def test_the_refusal_is_said_word_for_word():
    with translation.override("fr"):
        assert str(PAYMENT_UNDER_WAY) == PAYMENT_UNDER_WAY_FR


# --- Through the pages -----------------------------------------------------------------


def test_paying_the_cart_twice_goes_back_to_the_same_bank_page(amelie_client, bill):
    amelie_client.post(f"/paiement/panier/ajouter/{bill.pk}/")

    first = amelie_client.post("/paiement/panier/payer/")
    second = amelie_client.post("/paiement/panier/payer/")

    operation = LocalBankOperation.objects.get()
    assert first["Location"] == second["Location"] == bank_page(operation)
    assert Transaction.objects.count() == 1


def test_paying_an_invoice_without_account_twice_goes_back_to_the_same_bank_page(
    client, no_captcha, ville
):
    invoice(ville, None, number="CAR-V-00900", key="K7QX2M9R", amount="27.90")

    first = pay_without_account(client, "CAR-V-00900", "K7QX2M9R", "durand@example.org")
    second = pay_without_account(client, "CAR-V-00900", "K7QX2M9R", "Durand@example.org ")

    operation = LocalBankOperation.objects.get()
    assert first["Location"] == second["Location"] == bank_page(operation)
    assert Transaction.objects.count() == 1


def test_another_payer_of_an_invoice_being_paid_is_refused(client, no_captcha, ville):
    invoice(ville, None, number="CAR-V-00900", key="K7QX2M9R", amount="27.90")
    pay_without_account(client, "CAR-V-00900", "K7QX2M9R", "durand@example.org")

    response = pay_without_account(client, "CAR-V-00900", "K7QX2M9R", "autre@example.org")

    assert response.status_code == 200
    assert PAYMENT_UNDER_WAY_FR in unescape(response.content.decode())
    assert Transaction.objects.count() == LocalBankOperation.objects.count() == 1


def test_the_paper_invoice_is_refused_while_the_household_pays_it_from_its_cart(
    amelie_client, client, no_captcha, bill
):
    amelie_client.post(f"/paiement/panier/ajouter/{bill.pk}/")
    amelie_client.post("/paiement/panier/payer/")

    response = pay_without_account(client, "CAR-V-0042", "K7QX2M9R", "durand@example.org")

    assert PAYMENT_UNDER_WAY_FR in unescape(response.content.decode())
    assert Transaction.objects.count() == LocalBankOperation.objects.count() == 1


def test_the_cart_is_refused_while_the_paper_invoice_is_being_paid(
    amelie_client, client, no_captcha, bill
):
    pay_without_account(client, "CAR-V-0042", "K7QX2M9R", "durand@example.org")
    amelie_client.post(f"/paiement/panier/ajouter/{bill.pk}/")

    response = amelie_client.post("/paiement/panier/payer/", follow=True)

    assert PAYMENT_UNDER_WAY_FR in unescape(response.content.decode())
    assert Transaction.objects.count() == LocalBankOperation.objects.count() == 1


def test_a_cart_holding_more_than_the_payment_under_way_is_refused(
    amelie_client, bill, ville, amelie
):
    amelie_client.post(f"/paiement/panier/ajouter/{bill.pk}/")
    amelie_client.post("/paiement/panier/payer/")
    other = invoice(ville, amelie, amount="12.00")
    amelie_client.post(f"/paiement/panier/ajouter/{other.pk}/")

    response = amelie_client.post("/paiement/panier/payer/", follow=True)

    assert PAYMENT_UNDER_WAY_FR in unescape(response.content.decode())
    assert Transaction.objects.count() == 1


def test_after_a_cancelled_payment_the_invoice_can_be_paid_again(amelie_client, bill):
    amelie_client.post(f"/paiement/panier/ajouter/{bill.pk}/")
    amelie_client.post("/paiement/panier/payer/")
    first = LocalBankOperation.objects.get()
    amelie_client.post(bank_page(first), {"decision": "cancel"})

    response = amelie_client.post("/paiement/panier/payer/")

    second = LocalBankOperation.objects.latest("pk")
    assert second != first
    assert response["Location"] == bank_page(second)
    assert list(Transaction.objects.order_by("pk").values_list("status", flat=True)) == [
        TransactionStatus.CANCELLED,
        TransactionStatus.WAITING,
    ]


def test_once_the_bank_page_expired_the_bank_is_asked_then_a_new_payment_starts(
    amelie_client, bill
):
    amelie_client.post(f"/paiement/panier/ajouter/{bill.pk}/")
    amelie_client.post("/paiement/panier/payer/")
    long_ago = timezone.now() - timedelta(minutes=31)
    Transaction.objects.update(created_at=long_ago)
    LocalBankOperation.objects.update(created_at=long_ago)

    response = amelie_client.post("/paiement/panier/payer/")

    assert response["Location"] == bank_page(LocalBankOperation.objects.latest("pk"))
    assert list(Transaction.objects.order_by("pk").values_list("status", flat=True)) == [
        TransactionStatus.EXPIRED,
        TransactionStatus.WAITING,
    ]


def test_a_payment_paid_at_the_bank_but_not_yet_notified_is_never_paid_again(
    amelie_client, bill, django_capture_on_commit_callbacks
):
    amelie_client.post(f"/paiement/panier/ajouter/{bill.pk}/")
    amelie_client.post("/paiement/panier/payer/")
    operation = LocalBankOperation.objects.get()
    amelie_client.post(bank_page(operation), {"decision": "pay_without_notice"})

    with django_capture_on_commit_callbacks(execute=True):
        again = amelie_client.post("/paiement/panier/payer/", follow=True)

    assert "Votre panier est vide." in unescape(again.content.decode())
    assert Invoice.objects.get(pk=bill.pk).status == InvoiceStatus.PAID_ONLINE
    assert Transaction.objects.get().status == TransactionStatus.PAID
    assert LocalBankOperation.objects.count() == 1


def test_a_start_that_never_finished_holds_the_invoice_for_a_few_minutes_only(amelie_client, bill):
    amelie_client.post(f"/paiement/panier/ajouter/{bill.pk}/")
    amelie_client.post("/paiement/panier/payer/")
    Transaction.objects.update(status=TransactionStatus.CREATED, bank_order_id="", bank_url="")

    refused = amelie_client.post("/paiement/panier/payer/", follow=True)
    Transaction.objects.update(created_at=timezone.now() - START_TIMEOUT)
    started = amelie_client.post("/paiement/panier/payer/")

    assert PAYMENT_UNDER_WAY_FR in unescape(refused.content.decode())
    assert started["Location"] == bank_page(LocalBankOperation.objects.latest("pk"))
    assert list(Transaction.objects.order_by("pk").values_list("status", flat=True)) == [
        TransactionStatus.ERROR,
        TransactionStatus.WAITING,
    ]


# --- Every backend ---------------------------------------------------------------------


@pytest.fixture
def counting_bank(monkeypatch):
    """Every backend of the registry talks to a bank that counts the
    operations it opens, answers with a link or a form to post, and says
    each operation is still waiting when asked."""
    opened = []

    def install(plugin, *, form: bool):
        def start_payment(*, options, request):
            opened.append(request.order_id)
            bank_order_id = f"OP{len(opened)}"
            url = f"https://bank.example/pay/{bank_order_id}"
            fields = (("order", request.order_id),) if form else ()
            return PaymentStart(
                bank_order_id=bank_order_id,
                redirect=BankRedirect(url=url, method="POST" if form else "GET", fields=fields),
            )

        def payment_status(*, options, transaction):
            return PaymentResult(
                bank_order_id=transaction.bank_order_id,
                status=TransactionStatus.WAITING,
                verified=True,
                test=transaction.test_mode,
            )

        monkeypatch.setattr(plugin, "start_payment", start_payment)
        monkeypatch.setattr(plugin, "payment_status", payment_status)
        return opened

    return install


def second_start_opens_nothing(start, first):
    """A second start gives the first transaction back, or is refused."""
    try:
        again, _redirect = start()
    except PaymentUnderWay as refusal:
        assert str(refusal) == str(PAYMENT_UNDER_WAY)
        assert refusal.transaction == first
    else:
        assert again == first


@pytest.mark.parametrize("form", [False, True], ids=["link", "form"])
@pytest.mark.parametrize("plugin_id", [plugin.id for plugin in registry])
def test_no_backend_ever_opens_a_second_operation_for_an_invoice_being_paid(
    carvin, amelie, counting_bank, plugin_id, form
):
    plugin = registry[plugin_id]
    opened = counting_bank(plugin, form=form)
    office = regie(carvin, "Régie", backend=plugin_id)
    household = invoice(office, amelie, number="H-1", key="HOUSEHOLD", amount="30.00")
    paper = invoice(office, None, number="P-1", key="PAPER", amount="30.00")
    cart = cart_get_or_create(site=carvin, account=amelie)
    cart_add_invoice(cart=cart, invoice=household)

    from_cart, _redirect = transaction_start_from_cart(cart=cart, urls=URLS)
    second_start_opens_nothing(lambda: transaction_start_from_cart(cart=cart, urls=URLS), from_cart)
    second_start_opens_nothing(
        lambda: transaction_start_for_invoice(invoice=household, email=amelie.email, urls=URLS),
        from_cart,
    )
    for_paper, _redirect = transaction_start_for_invoice(
        invoice=paper, email="durand@example.org", urls=URLS
    )
    for email in ("durand@example.org", "autre@example.org"):
        second_start_opens_nothing(
            lambda email=email: transaction_start_for_invoice(
                invoice=paper, email=email, urls=URLS
            ),
            for_paper,
        )

    assert len(opened) == 2
    assert Transaction.objects.count() == 2


# --- At the same time ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["cart", "invoice"])
def test_concurrent_payments_of_the_same_invoice_open_one_bank_operation(
    carvin, ville, amelie, path
):
    bill = invoice(ville, amelie, number="CAR-V-0042", amount="38.35")
    cart = cart_get_or_create(site=carvin, account=amelie)
    cart_add_invoice(cart=cart, invoice=bill)
    transactions, refusals = [], []

    def pay():
        try:
            if path == "cart":
                started, _redirect = transaction_start_from_cart(cart=cart, urls=URLS)
            else:
                started, _redirect = transaction_start_for_invoice(
                    invoice=bill, email=amelie.email, urls=URLS
                )
            transactions.append(started.pk)
        except PaymentUnderWay as refusal:
            refusals.append(str(refusal))

    errors = run_together(pay, threads=THREADS)

    assert errors == []
    assert len(transactions) + len(refusals) == THREADS
    assert len(set(transactions)) == 1
    assert set(refusals) <= {str(PAYMENT_UNDER_WAY)}
    assert Transaction.objects.count() == LocalBankOperation.objects.count() == 1
    assert Invoice.objects.get(pk=bill.pk).status == InvoiceStatus.TO_PAY
