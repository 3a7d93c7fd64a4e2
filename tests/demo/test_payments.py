"""The demo régies and invoices that load_demo gives each commune."""

import io

from django.core.management import call_command
from wagtail.models import Site

from payments.models import Invoice, InvoiceDomain, InvoiceStatus, Regie, Transaction
from payments.selectors import invoices_to_pay, statement


def snapshot():
    return {
        "regies": list(Regie.objects.values_list("site__hostname", "name", "backend")),
        "invoices": list(Invoice.objects.values_list("number", "status", "amount", "payment_key")),
        "transactions": Transaction.objects.count(),
    }


def test_each_commune_gets_ville_and_ccas_on_the_test_bank(demo):
    for site in Site.objects.all():
        assert set(Regie.objects.filter(site=site).values_list("name", "backend")) == {
            ("Ville", "testbank"),
            ("CCAS", "testbank"),
        }


def test_validated_households_have_invoices_of_both_regies_paid_and_to_pay(demo):
    from accounts.models import User

    for username in ("amélie.lire", "élodie.martin"):
        household = User.objects.get(username=username)
        site = household.site
        to_pay = list(invoices_to_pay(site=site, account=household))
        paid = list(statement(site=site, account=household))
        everything = Invoice.objects.filter(account=household)
        assert {invoice.regie.name for invoice in to_pay} == {"Ville", "CCAS"}
        assert {invoice.status for invoice in paid} == {
            InvoiceStatus.PAID_ONLINE,
            InvoiceStatus.PAID_ELSEWHERE,
        }
        older = everything.filter(status=InvoiceStatus.PAID_ONLINE).exclude(
            pk__in=[invoice.pk for invoice in paid]
        )
        assert older.exists(), "one invoice was paid more than 3 months ago"
        # The billing software's invoices come with their PDF; the amounts
        # of requests have their request's page and the payment's receipt.
        billed = everything.exclude(domain=InvoiceDomain.DEMARCHE)
        assert all(invoice.pdf for invoice in billed)
        assert everything.filter(domain=InvoiceDomain.DEMARCHE).exists()


def test_an_invoice_to_pay_without_an_account(demo):
    invoice = Invoice.objects.get(number="CAR-V-00900")

    assert invoice.account is None and invoice.payment_key == "K7QX2M9R" and invoice.is_payable


def test_loading_the_demo_again_changes_nothing(demo):
    before = snapshot()

    call_command("load_demo", stdout=io.StringIO())

    assert snapshot() == before
