"""Payments in the Wagtail admin: agents and supervisors of a commune see its
invoices and transactions, export its accounts and (supervisors) configure
its régies; another commune's records do not exist for them."""

import csv
import io
from datetime import timedelta
from html import unescape

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from wagtail.models import GroupSitePermission

from payments.models import InvoiceStatus, Regie, Transaction, TransactionLine, TransactionStatus
from tests.accounts.factories import citizen

from .factories import invoice, regie


def granted(group_name):
    return set(
        GroupSitePermission.objects.filter(group__name=group_name).values_list(
            "site__site_name", "permission__codename"
        )
    )


def test_commune_groups_hold_the_payments_permissions_of_their_commune_only(carvin, saint_andre):
    agents, supervisors = granted("Carvin — Agents"), granted("Carvin — Supervisors")

    assert {("Carvin", p) for p in ("view_invoice", "view_transaction")} <= agents
    assert {("Carvin", p) for p in ("add_regie", "change_regie", "add_invoice")} <= supervisors
    assert {("Carvin", "view_transaction")} <= supervisors
    assert {site for site, _ in agents | supervisors} == {"Carvin"}
    assert (
        Group.objects.get(name="Carvin — Supervisors")
        .permissions.filter(codename="access_admin")
        .exists()
    )


@pytest.fixture
def agent(client, carvin, staff_of):
    client.force_login(staff_of(carvin, "Agents"))
    return client


@pytest.fixture
def supervisor(client, carvin, staff_of):
    client.force_login(staff_of(carvin, "Supervisors"))
    return client


@pytest.fixture
def elsewhere(saint_andre):
    other = regie(saint_andre, "Ville")
    return invoice(other, citizen(saint_andre, "Yann", "Le Goff", validated=True), number="SAE-1")


def paid_transaction(bill, *, days_ago=1):
    paid_at = timezone.now() - timedelta(days=days_ago)
    transaction = Transaction.objects.create(
        site_id=bill.site_id,
        regie=bill.regie,
        account=bill.account,
        order_id=f"P{bill.pk:010d}",
        email="amelie@example.org",
        payer_name="Amélie Lire",
        amount=bill.amount,
        backend="testbank",
        status=TransactionStatus.PAID,
        bank_transaction_id="=cmd|' /C calc'!A0",
        paid_at=paid_at,
    )
    TransactionLine.objects.create(
        transaction=transaction, invoice=bill, amount=bill.amount, credited=True
    )
    bill.status = InvoiceStatus.PAID_ONLINE
    bill.paid_at = paid_at
    bill.save()
    return transaction


def test_agents_list_their_communes_invoices_only(agent, ville, amelie, elsewhere):
    invoice(ville, amelie, number="CAR-1")

    html = agent.get(reverse("wagtailsnippets_payments_invoice:list")).content.decode()

    assert "CAR-1" in html
    assert "SAE-1" not in html
    assert "Importer des factures" not in unescape(html)


def test_the_money_is_configured_by_supervisors_only(carvin):
    """Régies (their payment backend, the billing software's push token)
    and invoice imports: supervisors; agents follow the payments."""
    money = {"add_regie", "change_regie", "delete_regie", "add_invoice", "change_invoice"}
    agents = {codename for _, codename in granted("Carvin — Agents")}
    supervisors = {codename for _, codename in granted("Carvin — Supervisors")}

    assert not agents & money
    assert {"add_regie", "change_regie", "add_invoice"} <= supervisors


def test_supervisors_are_offered_the_invoice_import(supervisor, ville):
    html = supervisor.get(reverse("wagtailsnippets_payments_invoice:list")).content.decode()

    assert reverse("payments_invoice_import") in html


def test_another_communes_invoice_is_a_404(agent, elsewhere):
    url = reverse("wagtailsnippets_payments_invoice:inspect", args=[elsewhere.pk])

    assert agent.get(url).status_code == 404


def test_invoices_are_not_edited_in_the_admin(agent, ville, amelie):
    bill = invoice(ville, amelie)

    assert (
        agent.get(reverse("wagtailsnippets_payments_invoice:edit", args=[bill.pk])).status_code
        == 404
    )
    assert (
        agent.get(reverse("wagtailsnippets_payments_invoice:inspect", args=[bill.pk])).status_code
        == 200
    )


def test_agents_see_a_transaction_with_every_message_received(agent, ville, amelie):
    transaction = paid_transaction(invoice(ville, amelie, number="CAR-7"))
    transaction.events.create(
        regie=ville, source="notification", outcome="applied", verified=True, payload="x=1"
    )

    html = unescape(
        agent.get(
            reverse("wagtailsnippets_payments_transaction:inspect", args=[transaction.pk])
        ).content.decode()
    )

    assert "CAR-7" in html
    assert "Notification de la banque" in html and "Appliqué" in html


def test_transactions_of_another_commune_do_not_exist_for_agents(agent, elsewhere):
    transaction = paid_transaction(elsewhere)

    listing = agent.get(reverse("wagtailsnippets_payments_transaction:list")).content.decode()
    inspect = agent.get(
        reverse("wagtailsnippets_payments_transaction:inspect", args=[transaction.pk])
    )

    assert transaction.order_id not in listing
    assert inspect.status_code == 404


def test_accounting_export_per_regie_and_period(agent, ville, ccas, amelie):
    recent = paid_transaction(invoice(ville, amelie, number="CAR-V-1", amount="38.35"))
    paid_transaction(invoice(ville, amelie, number="CAR-V-OLD"), days_ago=60)
    paid_transaction(invoice(ccas, amelie, number="CAR-C-1"))
    today = timezone.localdate()

    response = agent.post(
        reverse("payments_accounting_export"),
        {"regie": ville.pk, "start": today - timedelta(days=7), "end": today},
    )

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:5] == [
        "Payée le",
        "Numéro de commande",
        "Référence bancaire",
        "Régie",
        "Numéro de facture",
    ]
    assert [row[1] for row in rows[1:-1]] == [recent.order_id]
    assert rows[1][2] == "'=cmd|' /C calc'!A0"
    assert rows[1][4:] == [
        "CAR-V-1",
        "Scolaire",
        "Restauration scolaire",
        "Amélie Lire",
        "38,35",
        "oui",
        "",
    ]
    assert rows[-1][-4:-2] == ["Total", "38,35"]
    assert len(rows[-1]) == len(rows[0])


def test_the_accounting_export_offers_the_users_communes_only(agent, ville, elsewhere):
    html = agent.get(reverse("payments_accounting_export")).content.decode()
    refused = agent.post(
        reverse("payments_accounting_export"),
        {"regie": elsewhere.regie_id, "start": "2026-01-01", "end": "2026-01-31"},
    )

    assert "Saint-André" not in html
    assert refused["Content-Type"].startswith("text/html")


def test_agents_do_not_configure_regies(agent, ville):
    response = agent.get(reverse("wagtailsnippets_payments_regie:edit", args=[ville.pk]))

    assert response.status_code in (302, 403, 404)


def test_a_supervisor_configures_payfip_with_a_form_made_from_its_description(supervisor, carvin):
    url = reverse("wagtailsnippets_payments_regie:add")
    form = unescape(supervisor.get(url).content.decode())
    assert "tipi" not in form.lower()

    chosen = supervisor.post(url, {"site": carvin.pk, "name": "Ville", "backend": "payfip"})
    html = unescape(chosen.content.decode())
    assert "Numéro client PayFiP" in html and "Mode" in html
    wrong = supervisor.post(
        url,
        {
            "site": carvin.pk,
            "name": "Ville",
            "backend": "payfip",
            "option__numcli": "12",
            "option__saisie": "T",
        },
    )
    assert "Un numéro client PayFiP compte 6 chiffres." in unescape(wrong.content.decode())

    supervisor.post(
        url,
        {
            "site": carvin.pk,
            "name": "Ville",
            "backend": "payfip",
            "option__numcli": "123456",
            "option__saisie": "T",
            "is_active": "on",
        },
    )

    saved = Regie.objects.get()
    assert (saved.backend, saved.backend_options) == ("payfip", {"numcli": "123456", "saisie": "T"})


def test_backend_secrets_are_never_shown_back_and_kept_when_left_empty(supervisor, carvin):
    systempay = regie(
        carvin,
        "CCAS",
        backend="systempay",
        options={
            "vads_site_id": "12345678",
            "vads_ctx_mode": "TEST",
            "secret_test": "SecretDeTest123",
            "secret_production": "",
            "signature_algo": "sha1",
            "service_url": "https://paiement.systempay.fr/vads-payment/",
        },
    )
    url = reverse("wagtailsnippets_payments_regie:edit", args=[systempay.pk])

    html = unescape(supervisor.get(url).content.decode())
    supervisor.post(
        url,
        {
            "site": carvin.pk,
            "name": "CCAS",
            "backend": "systempay",
            "is_active": "on",
            "option__vads_site_id": "12345678",
            "option__vads_ctx_mode": "TEST",
            "option__secret_test": "",
            "option__secret_production": "",
            "option__signature_algo": "hmac_sha256",
            "option__service_url": "https://paiement.systempay.fr/vads-payment/",
        },
    )

    assert "SecretDeTest123" not in html
    assert "Une valeur est enregistrée ; elle n'est jamais affichée." in html
    assert f"/paiement/notification/{systempay.public_id}/" in html
    systempay.refresh_from_db()
    assert systempay.backend_options["secret_test"] == "SecretDeTest123"
    assert systempay.backend_options["signature_algo"] == "hmac_sha256"


def test_a_supervisor_cannot_touch_another_communes_regie(supervisor, elsewhere):
    url = reverse("wagtailsnippets_payments_regie:edit", args=[elsewhere.regie_id])

    assert supervisor.get(url).status_code == 404


@pytest.mark.parametrize("view", ["usage", "history", "history_results"])
def test_another_communes_regie_has_no_usage_nor_history(supervisor, ville, elsewhere, view):
    name = f"wagtailsnippets_payments_regie:{view}"

    assert supervisor.get(reverse(name, args=[ville.pk])).status_code == 200
    assert supervisor.get(reverse(name, args=[elsewhere.regie_id])).status_code == 404


def test_the_push_token_is_shown_once(supervisor, ville):
    url = reverse("wagtailsnippets_payments_regie:token", args=[ville.pk])

    html = supervisor.post(url).content.decode()

    ville.refresh_from_db()
    assert ville.api_token_hash
    assert "affiché qu&#x27;une fois" in html or "affiché qu'une fois" in unescape(html)
    assert ville.api_token_hash not in html


def test_an_agent_asks_the_bank_about_a_waiting_transaction(
    agent, carvin, ville, amelie, django_capture_on_commit_callbacks
):
    from payments.models import LocalBankOperation
    from payments.services import (
        PaymentURLs,
        cart_add_invoice,
        cart_get_or_create,
        transaction_start_from_cart,
    )

    cart = cart_get_or_create(site=carvin, account=amelie)
    cart_add_invoice(cart=cart, invoice=invoice(ville, amelie))
    transaction_start_from_cart(cart=cart, urls=PaymentURLs(base_url="http://carvin.localhost"))
    LocalBankOperation.objects.update(status=TransactionStatus.PAID)
    transaction = Transaction.objects.get()
    inspect = reverse("wagtailsnippets_payments_transaction:inspect", args=[transaction.pk])
    assert "Interroger la banque" in agent.get(inspect).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = agent.post(
            reverse("wagtailsnippets_payments_transaction:check", args=[transaction.pk]),
            follow=True,
        )

    assert "La banque répond : Payée." in unescape(response.content.decode())
    transaction.refresh_from_db()
    assert transaction.status == TransactionStatus.PAID


def test_the_invoices_csv_writes_amounts_with_a_decimal_comma(supervisor, ville, amelie):
    invoice(ville, amelie, number="CAR-V-1", amount="38.35")

    response = supervisor.get(reverse("wagtailsnippets_payments_invoice:list"), {"export": "csv"})

    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert rows[1][0] == "CAR-V-1"
    assert "38,35" in rows[1]
