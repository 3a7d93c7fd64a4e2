"""The registry of payment backends and what each makes of the bank's answers."""

from decimal import Decimal

import eopayment
import pytest
from django.core import mail
from django.utils import timezone

from payments.backends import registry
from payments.backends.base import IncomingMessage, PaymentRequest
from payments.exceptions import InvalidNotification
from payments.models import TransactionStatus
from payments.receipts import receipt_email_send

from .factories import invoice

SYSTEMPAY = {
    "vads_site_id": "12345678",
    "vads_ctx_mode": "TEST",
    "secret_test": "1122334455667788",
    "signature_algo": "sha1",
    "service_url": "https://paiement.systempay.fr/vads-payment/",
}
REQUEST = PaymentRequest(
    order_id="P260301ABCDEFGH",
    amount=Decimal("38.35"),
    email="amelie@example.org",
    subject="Factures CAR-1",
    return_url="http://carvin.localhost/paiement/retour/x/",
    notification_url="http://carvin.localhost/paiement/notification/y/",
    regie_public_id="00000000-0000-0000-0000-000000000000",
    year=2026,
)


def test_the_registry_offers_our_backends_and_never_tipi():
    ids = {plugin.id for plugin in registry}

    assert ids == {"payfip", "systempay", "payzen", "paybox", "testbank"}
    assert "tipi" not in dict(registry.choices())


def test_the_test_bank_is_offered_only_where_enabled(settings):
    settings.PAYMENTS_TESTBANK_ENABLED = False

    assert "testbank" not in dict(registry.choices())
    assert "testbank" in dict(registry.choices(keep="testbank"))


@pytest.mark.parametrize("plugin_id", ["payfip", "systempay", "payzen", "paybox"])
def test_option_fields_come_from_eopaymentss_description(plugin_id):
    plugin = registry[plugin_id]
    described = {
        parameter["name"]: parameter
        for parameter in eopayment.get_backend(plugin.kind).description["parameters"]
    }

    for option in plugin.get_options():
        assert option.name in described
        assert option.required == bool(described[option.name].get("required"))
        assert "return_url" not in option.name


def systempay_answer(fields, key=SYSTEMPAY["secret_test"]):
    payment = eopayment.Payment("systempayv2", {**SYSTEMPAY, "secret_test": key})
    answer = {
        "vads_ctx_mode": "TEST",
        "vads_result": "00",
        "vads_auth_result": "00",
        "vads_trans_date": "20260301120000",
        "vads_trans_id": "abc123",
        "vads_ext_info_eopayment_trans_id": REQUEST.order_id,
        "vads_amount": "3835",
        **fields,
    }
    answer["signature"] = payment.backend.signature(answer)
    return answer


def message(fields):
    from urllib.parse import urlencode

    body = urlencode(fields)
    return IncomingMessage(method="POST", query_string="", body=body, fields=fields)


def test_systempay_starts_with_a_signed_form_carrying_our_order():
    start = registry["systempay"].start_payment(options=SYSTEMPAY, request=REQUEST)

    fields = dict(start.redirect.fields)
    assert start.redirect.method == "POST"
    assert start.bank_order_id == REQUEST.order_id
    assert fields["vads_amount"] == "3835" and fields["vads_order_id"] == REQUEST.order_id
    assert fields["signature"]


def test_a_signed_systempay_answer_is_verified():
    result = registry["systempay"].handle_webhook(
        options=SYSTEMPAY, message=message(systempay_answer({}))
    )

    assert result.verified and result.test
    assert (result.status, result.amount) == (TransactionStatus.PAID, Decimal("38.35"))
    assert result.bank_order_id == REQUEST.order_id


def test_a_tampered_systempay_answer_is_not_verified():
    answer = systempay_answer({})
    answer["vads_amount"] = "1"

    result = registry["systempay"].handle_webhook(options=SYSTEMPAY, message=message(answer))

    assert not result.verified


def test_a_systempay_answer_signed_with_another_key_is_not_verified():
    answer = systempay_answer({}, key="9999999999999999")

    assert (
        not registry["systempay"]
        .handle_webhook(options=SYSTEMPAY, message=message(answer))
        .verified
    )


def test_an_unreadable_answer_is_an_invalid_notification():
    with pytest.raises(InvalidNotification):
        registry["systempay"].handle_webhook(options=SYSTEMPAY, message=message({"x": "1"}))


def test_an_unsigned_paybox_answer_is_not_verified():
    options = {
        "site": "1999888",
        "rang": "32",
        "identifiant": "107904482",
        "shared_secret": "0123456789ABCDEF",
        "platform": "test",
    }
    fields = {"montant": "3835", "reference": "x!P260301ABCDEFGH", "erreur": "00000"}

    result = registry["paybox"].handle_webhook(options=options, message=message(fields))

    assert not result.verified
    assert result.status == TransactionStatus.PAID


def test_the_receipt_is_emailed_once_even_if_asked_twice(carvin, ville, amelie):
    from payments.models import Transaction, TransactionLine

    bill = invoice(ville, amelie)
    transaction = Transaction.objects.create(
        site=carvin,
        regie=ville,
        account=amelie,
        order_id="P1",
        email="a@example.org",
        amount=bill.amount,
        backend="testbank",
        status=TransactionStatus.PAID,
        paid_at=timezone.now(),
    )
    TransactionLine.objects.create(transaction=transaction, invoice=bill, amount=bill.amount)

    assert receipt_email_send(transaction_id=transaction.pk) is True
    assert receipt_email_send(transaction_id=transaction.pk) is False
    assert len(mail.outbox) == 1
