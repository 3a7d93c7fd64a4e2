""" "Mes comptes": the statement of the last 3 months and the invoices to pay,
shown only to the household, once its account is validated, with the FAQ's
explanations when there is none."""

from datetime import date, datetime, time
from html import unescape

import pytest
from django.utils import timezone

from payments.models import InvoiceStatus
from payments.selectors import invoices_to_pay, months_before, statement
from tests.accounts.factories import citizen

from .factories import invoice, regie


def paid_on(day: date):
    return timezone.make_aware(datetime.combine(day, time(12)))


def page(client, path):
    return unescape(client.get(path).content.decode())


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 5, 15), date(2026, 2, 15)),
        (date(2026, 5, 31), date(2026, 2, 28)),
        (date(2026, 2, 10), date(2025, 11, 10)),
    ],
)
def test_three_months_before(day, expected):
    assert months_before(day, 3) == expected


def test_statement_holds_the_paid_invoices_issued_in_the_last_three_months(carvin, ville, amelie):
    """As the FAQ says: "Les factures émises durant les 3 derniers mois"."""
    today = date(2026, 5, 15)
    inside = invoice(
        ville,
        amelie,
        status=InvoiceStatus.PAID_ONLINE,
        issued_on=date(2026, 2, 15),
        paid_at=paid_on(date(2026, 3, 2)),
    )
    elsewhere = invoice(
        ville,
        amelie,
        status=InvoiceStatus.PAID_ELSEWHERE,
        issued_on=date(2026, 3, 20),
        paid_at=paid_on(date(2026, 4, 1)),
    )
    invoice(
        ville,
        amelie,
        status=InvoiceStatus.PAID_ONLINE,
        issued_on=date(2026, 2, 14),
        paid_at=paid_on(date(2026, 3, 1)),
    )
    invoice(ville, amelie, issued_on=date(2026, 4, 1))
    invoice(ville, amelie, status=InvoiceStatus.CANCELLED, issued_on=date(2026, 4, 1))

    shown = list(statement(site=carvin, account=amelie, today=today))

    assert shown == [elsewhere, inside]


def test_invoices_to_pay_are_the_households_unpaid_ones(carvin, ville, ccas, amelie):
    neighbour = citizen(carvin, "Paul", "Voisin", validated=True)
    mine = [invoice(ville, amelie), invoice(ccas, amelie)]
    invoice(ville, neighbour)
    invoice(ville, amelie, status=InvoiceStatus.PAID_ONLINE)

    assert set(invoices_to_pay(site=carvin, account=amelie)) == set(mine)


def test_no_invoice_is_shown_before_the_account_is_validated(carvin, ville):
    pending = citizen(carvin, "Jean", "Attente")
    invoice(ville, pending)

    assert not invoices_to_pay(site=carvin, account=pending).exists()


def test_invoices_page_lists_invoices_to_pay_with_their_pdf(amelie_client, ville, amelie):
    from django.core.files.base import ContentFile

    bill = invoice(ville, amelie, number="CAR-V-0042", amount="38.35", label="Cantine de mars")
    bill.pdf.save("f.pdf", ContentFile(b"%PDF-1.4 demo"))

    html = page(amelie_client, "/paiement/")
    pdf = amelie_client.get(f"/paiement/facture/{bill.pk}/pdf/")

    assert "CAR-V-0042" in html and "Cantine de mars" in html and "38,35\xa0€" in html
    assert f"/paiement/facture/{bill.pk}/pdf/" in html
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content) == b"%PDF-1.4 demo"


def test_an_invoice_pdf_of_another_household_is_a_404(amelie_client, carvin, ville):
    from django.core.files.base import ContentFile

    other = invoice(ville, citizen(carvin, "Paul", "Voisin", validated=True))
    other.pdf.save("f.pdf", ContentFile(b"%PDF-1.4 secret"))

    assert amelie_client.get(f"/paiement/facture/{other.pk}/pdf/").status_code == 404


def test_statement_page_shows_paid_invoices(amelie_client, ville, amelie):
    invoice(ville, amelie, number="CAR-V-0001", status=InvoiceStatus.PAID_ONLINE)
    invoice(ville, amelie, number="CAR-V-0002")

    html = page(amelie_client, "/paiement/releve/")

    assert "Consulter votre relevé" in html
    assert "Les factures émises durant les 3 derniers mois et déjà payées." in html
    assert '<th scope="col">Statut</th>' in html
    assert "CAR-V-0001" in html and "Payée en ligne" in html
    assert "CAR-V-0002" not in html


def test_a_validated_household_without_invoice_is_told_why_in_the_faqs_words(amelie_client):
    html = page(amelie_client, "/paiement/")

    assert "Aucune facture n'a encore été émise pour votre foyer." in html
    assert "Pour visualiser des factures vous devez réunir 2 conditions :" in html
    assert (
        "Avoir bénéficié de prestations dans les domaines du scolaire, périscolaire, "
        "petite enfance ou CCAS et qui soient soumises à une facturation" in html
    )


def test_a_household_awaiting_validation_is_told_why_it_sees_no_invoice(client, carvin, ville):
    pending = citizen(carvin, "Jean", "Attente")
    invoice(ville, pending, number="CAR-V-0099")
    client.force_login(pending)

    html = unescape(client.get("/paiement/", HTTP_HOST="carvin.localhost").content.decode())

    assert "Votre compte est en attente de validation par la mairie" in html
    assert "2 jours ouvrés" in html
    assert "CAR-V-0099" not in html


def test_nothing_to_pay_says_so(amelie_client, ville, amelie):
    invoice(ville, amelie, status=InvoiceStatus.PAID_ONLINE)

    assert "Vous n'avez aucune facture à payer." in page(amelie_client, "/paiement/")


def test_a_statement_without_recent_payment_says_so(amelie_client, ville, amelie):
    invoice(ville, amelie)

    html = page(amelie_client, "/paiement/releve/")

    assert "Aucune facture émise durant les 3 derniers mois n'est payée." in html


def test_the_account_tab_and_the_home_panel(amelie_client, ville, amelie):
    invoice(ville, amelie, amount="10.00")
    invoice(ville, amelie, amount="5.50")

    html = page(amelie_client, "/compte/")

    assert '<a href="/paiement/">Mes comptes</a>' in html
    assert "2 factures à payer, 15,50\xa0€ au total." in html


def test_another_communes_portal_shows_nothing_of_this_household(client, saint_andre, amelie):
    client.force_login(amelie)

    response = client.get("/paiement/", HTTP_HOST="saint-andre-des-eaux.localhost")

    assert response.status_code == 302


def test_invoices_of_another_commune_never_show(amelie_client, saint_andre, amelie):
    invoice(regie(saint_andre), amelie, number="SAE-V-0001")

    assert "SAE-V-0001" not in page(amelie_client, "/paiement/")
