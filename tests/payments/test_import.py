"""Invoices from the billing software: CSV in the admin and from the command
line, JSON pushed with the régie's token; idempotent on the invoice number,
all or nothing, every wrong line reported."""

import base64
import io
import json
from datetime import date
from decimal import Decimal
from html import unescape

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse

from cms.models import AuditLogEntry
from payments.exceptions import InvoiceImportError
from payments.importer import read_csv
from payments.models import Invoice, InvoiceDomain, InvoiceStatus
from payments.services import invoices_import, regie_token_create
from tests.accounts.factories import citizen

from .factories import invoice

GOOD = (
    "numéro;compte;payeur;domaine;libellé;montant;date_émission;date_échéance;statut;clé\n"
    "CAR-V-0001;amélie.lire;Famille Lire;Scolaire;Cantine de mars;38,35;01/03/2026;31/03/2026;"
    "à payer;ABCD2345\n"
    "CAR-V-0002;amélie.lire@example.org;Famille Lire;Périscolaire;Garderie de mars;21;"
    "01/03/2026;31/03/2026;;\n"
    "CAR-V-0003;;Famille Durand;petite enfance;Crèche de mars;1 250,00;01/03/2026;;"
    "payée par un autre moyen;\n"
)


def run(regie, text):
    return invoices_import(regie=regie, records=read_csv(text))


def test_a_good_file_creates_the_invoices(ville, amelie):
    report = run(ville, GOOD)

    assert report.created == ["CAR-V-0001", "CAR-V-0002", "CAR-V-0003"]
    first, second, third = Invoice.objects.order_by("number")
    assert (first.account, first.amount, first.domain) == (amelie, Decimal("38.35"), "school")
    assert (first.issued_on, first.due_on, first.payment_key) == (
        date(2026, 3, 1),
        date(2026, 3, 31),
        "ABCD2345",
    )
    assert second.account == amelie and second.domain == InvoiceDomain.AFTER_SCHOOL
    assert len(second.payment_key) == 8
    assert third.account is None and third.amount == Decimal("1250.00")
    assert third.status == InvoiceStatus.PAID_ELSEWHERE and third.paid_at is not None


def test_importing_the_same_file_again_changes_nothing(ville, amelie):
    run(ville, GOOD)
    before = list(Invoice.objects.order_by("pk").values())

    report = run(ville, GOOD)

    assert (report.created, report.updated) == ([], [])
    assert report.unchanged == ["CAR-V-0001", "CAR-V-0002", "CAR-V-0003"]
    after = list(Invoice.objects.order_by("pk").values())
    for row in before + after:
        row.pop("updated_at")
    assert after == before


def test_a_corrected_file_updates_the_invoices(ville, amelie):
    run(ville, GOOD)
    corrected = GOOD.replace("38,35", "36,35").replace("payée par un autre moyen", "annulée")

    report = run(ville, corrected)

    assert report.updated == ["CAR-V-0001", "CAR-V-0003"]
    assert report.unchanged == ["CAR-V-0002"]
    assert Invoice.objects.get(number="CAR-V-0001").amount == Decimal("36.35")
    assert Invoice.objects.get(number="CAR-V-0003").status == InvoiceStatus.CANCELLED


def test_every_wrong_line_is_reported_and_nothing_is_imported(ville, amelie):
    text = GOOD + (
        "CAR-V-0004;inconnu.personne;;Scolaire;Cantine;12,5;01/03/2026;;;\n"
        "CAR-V-0005;;;cantine;Cantine;-3;32/03/2026;;;\n"
        "CAR-V-0001;;;Scolaire;Doublon;12;01/03/2026;;;\n"
        "CAR V 0006;;;CCAS;;12,345;01/03/2026;01/02/2026;payée en ligne;!!\n"
    )

    with pytest.raises(InvoiceImportError) as error:
        run(ville, text)

    lines = dict(error.value.errors)
    assert sorted(lines) == [5, 6, 7, 8]
    assert "« inconnu.personne »" in lines[5]
    assert (
        "Le domaine « cantine » n'est aucun de : Scolaire, Périscolaire, Petite enfance, CCAS."
        in lines[6]
    )
    assert "Le montant « -3 »" in lines[6] and "La date d'émission « 32/03/2026 »" in lines[6]
    assert "La facture CAR-V-0001 figure déjà à la ligne 2." in lines[7]
    assert "Le numéro de facture « CAR V 0006 »" in lines[8]
    assert "Le libellé manque." in lines[8]
    assert "La date d'échéance précède la date d'émission." in lines[8]
    assert "La clé de paiement « !! »" in lines[8]
    assert not Invoice.objects.exists()


def test_only_the_portal_records_online_payments(ville):
    text = (
        "numero;domaine;libelle;montant;date_emission;statut\n"
        "A1;CCAS;Aide;12;01/03/2026;payée en ligne\n"
    )

    with pytest.raises(InvoiceImportError) as error:
        run(ville, text)

    assert error.value.errors == [
        (
            2,
            "Seul le portail enregistre les paiements en ligne : "
            "indiquez plutôt « payée par un autre moyen ».",
        )
    ]


def test_missing_and_unknown_columns_are_reported(ville):
    with pytest.raises(InvoiceImportError) as error:
        run(ville, "numero;libelle;prix\nA1;Cantine;12\n")

    assert error.value.errors == [
        (1, "Colonnes inconnues : prix."),
        (1, "Colonnes manquantes : domaine, montant, date_emission."),
    ]


def test_an_invoice_paid_online_keeps_its_payment_and_amount(ville, amelie):
    run(ville, GOOD)
    Invoice.objects.filter(number="CAR-V-0001").update(status=InvoiceStatus.PAID_ONLINE)

    report = run(ville, GOOD)
    assert "CAR-V-0001" in report.unchanged
    assert Invoice.objects.get(number="CAR-V-0001").status == InvoiceStatus.PAID_ONLINE
    with pytest.raises(InvoiceImportError) as error:
        run(ville, GOOD.replace("38,35", "40,00"))
    assert "a été payée en ligne : son montant ne peut plus changer" in error.value.errors[0][1]


def test_the_same_number_in_two_regies_is_two_invoices(ville, ccas, amelie):
    run(ville, GOOD)
    run(ccas, GOOD)

    assert Invoice.objects.count() == 6


def test_a_spreadsheet_export_in_windows_1252_with_commas(ville):
    from payments.importer import decode

    data = (
        "numero,domaine,libelle,montant,date_emission\nB1,CCAS,Aide à domicile,35.00,2026-03-01\n"
    )

    report = invoices_import(regie=ville, records=read_csv(decode(data.encode("cp1252"))))

    assert report.created == ["B1"]
    assert Invoice.objects.get().label == "Aide à domicile"


def test_a_new_pdf_replaces_the_old_one_which_is_deleted_once_the_import_is_committed(
    ville, amelie, django_capture_on_commit_callbacks
):
    records = read_csv(GOOD)
    invoices_import(regie=ville, records=records, pdfs={"CAR-V-0001": b"%PDF-1.4 mars"})
    old = Invoice.objects.get(number="CAR-V-0001").pdf
    corrected = {"CAR-V-0001": b"%PDF-1.4 mars, corrigee"}

    with pytest.raises(RuntimeError), transaction.atomic():
        invoices_import(regie=ville, records=records, pdfs=corrected)
        raise RuntimeError("the server stops before the import commits")
    assert Invoice.objects.get(number="CAR-V-0001").pdf.name == old.name
    assert old.storage.exists(old.name)

    with django_capture_on_commit_callbacks(execute=True):
        invoices_import(regie=ville, records=records, pdfs=corrected)
    assert Invoice.objects.get(number="CAR-V-0001").pdf.read() == b"%PDF-1.4 mars, corrigee"
    assert not old.storage.exists(old.name)


# --- The command ------------------------------------------------------------------


def test_import_invoices_command(tmp_path, carvin, ville, amelie):
    path = tmp_path / "factures.csv"
    path.write_text(GOOD, encoding="utf-8")
    pdfs = tmp_path / "pdf"
    pdfs.mkdir()
    (pdfs / "CAR-V-0001.pdf").write_bytes(b"%PDF-1.4 facture")
    (pdfs / "AUTRE.pdf").write_bytes(b"%PDF-1.4 autre")
    out = io.StringIO()

    call_command(
        "import_invoices", str(path), "--site", "carvin.localhost", "--regie", "ville",
        "--pdf-dir", str(pdfs), stdout=out,
    )  # fmt: skip
    call_command(
        "import_invoices", str(path), "--site", "carvin.localhost", "--regie", "Ville", stdout=out
    )

    assert "Ville – Factures créées : 3, mises à jour : 0, inchangées : 0." in out.getvalue()
    assert "Ville – Factures créées : 0, mises à jour : 0, inchangées : 3." in out.getvalue()
    assert Invoice.objects.get(number="CAR-V-0001").pdf.read() == b"%PDF-1.4 facture"


def test_import_invoices_command_lists_the_errors(tmp_path, carvin, ville):
    path = tmp_path / "factures.csv"
    path.write_text("numero;domaine;libelle;montant;date_emission\nA1;;Cantine;x;01/03/2026\n")
    err = io.StringIO()

    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command(
            "import_invoices", str(path), "--site", "carvin.localhost", "--regie", "Ville",
            stderr=err,
        )  # fmt: skip

    assert f"{path}:2: Le domaine manque." in err.getvalue()


def test_import_invoices_command_says_which_regies_exist(tmp_path, carvin, ville, ccas):
    with pytest.raises(
        CommandError, match="Carvin has no régie 'Crèche' \\(it has: CCAS, Ville\\)"
    ):
        call_command("import_invoices", "x.csv", "--site", "carvin.localhost", "--regie", "Crèche")


def test_import_invoices_has_help():
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("import_invoices", "--help", stdout=out)


# --- The admin --------------------------------------------------------------------


@pytest.fixture
def supervisor_client(client, carvin, staff_of):
    client.force_login(staff_of(carvin, "Supervisors"))
    return client


def test_a_supervisor_imports_a_csv_file_in_the_admin(supervisor_client, ville, amelie):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = supervisor_client.post(
        reverse("payments_invoice_import"),
        {"regie": ville.pk, "document": SimpleUploadedFile("f.csv", GOOD.encode())},
        follow=True,
    )

    assert "Ville – Factures créées : 3, mises à jour : 0, inchangées : 0." in unescape(
        response.content.decode()
    )
    assert Invoice.objects.count() == 3


def test_an_invoice_import_is_in_the_log_with_what_it_did(supervisor_client, carvin, ville, amelie):
    from django.core.files.uploadedfile import SimpleUploadedFile

    supervisor_client.post(
        reverse("payments_invoice_import"),
        {"regie": ville.pk, "document": SimpleUploadedFile("f.csv", GOOD.encode())},
    )

    page = unescape(supervisor_client.get(reverse("cms_audit")).content.decode())

    entry = AuditLogEntry.objects.get(action="payments.invoices_import")
    assert (entry.site, entry.object_id) == (carvin, str(ville.pk))
    assert entry.data == {"created": 3, "updated": 0, "unchanged": 0}
    assert "Factures importées — créées : 3, mises à jour : 0, inchangées : 0" in page


def test_agents_do_not_import_invoices(client, carvin, staff_of, ville, amelie):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(staff_of(carvin, "Agents"))
    url = reverse("payments_invoice_import")

    form = client.get(url)
    upload = client.post(
        url, {"regie": ville.pk, "document": SimpleUploadedFile("f.csv", GOOD.encode())}
    )
    listing = client.get(reverse("wagtailsnippets_payments_invoice:list")).content.decode()

    assert form.status_code == 404
    assert upload.status_code == 404
    assert url not in listing
    assert not Invoice.objects.exists()


def test_agents_do_not_create_the_regies_push_token(client, carvin, staff_of, ville):
    client.force_login(staff_of(carvin, "Agents"))
    url = reverse("wagtailsnippets_payments_regie:token", args=[ville.pk])

    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    ville.refresh_from_db()
    assert not ville.api_token_hash


def test_the_admin_import_lists_the_wrong_lines(supervisor_client, ville, amelie):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = GOOD + "CAR-V-0009;;;Scolaire;Cantine;abc;01/03/2026;;;\n"
    response = supervisor_client.post(
        reverse("payments_invoice_import"),
        {"regie": ville.pk, "document": SimpleUploadedFile("f.csv", bad.encode())},
    )

    html = unescape(response.content.decode())
    assert "Rien n'a été importé dans « Ville » : 1 ligne comporte une erreur." in html
    assert "Ligne 5 :" in html and "Le montant « abc »" in html
    assert not Invoice.objects.exists()


def test_a_supervisor_cannot_import_into_another_communes_regie(supervisor_client, saint_andre):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .factories import regie

    other = regie(saint_andre, "Ville")
    response = supervisor_client.post(
        reverse("payments_invoice_import"),
        {"regie": other.pk, "document": SimpleUploadedFile("f.csv", GOOD.encode())},
    )

    assert response.status_code == 200
    assert "Saint-André" not in response.content.decode()
    assert not Invoice.objects.exists()


# --- The push endpoint -----------------------------------------------------------------


def push(client, regie, payload, token):
    return client.post(
        f"/paiement/api/regies/{regie.public_id}/factures/",
        json.dumps(payload),
        content_type="application/json",
        HTTP_HOST="carvin.localhost",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


PUSHED = {
    "invoices": [
        {
            "number": "CAR-V-0100",
            "account": "amélie.lire",
            "payer_name": "Famille Lire",
            "domain": "school",
            "label": "Cantine d'avril",
            "amount": "41.20",
            "issued_on": "2026-04-01",
            "due_on": "2026-04-30",
            "pdf": base64.b64encode(b"%PDF-1.4 avril").decode(),
        }
    ]
}


def test_the_billing_software_pushes_invoices_with_the_regies_token(client, ville, amelie):
    token = regie_token_create(regie=ville)

    first = push(client, ville, PUSHED, token)
    again = push(client, ville, PUSHED, token)

    assert first.status_code == 200
    assert first.json() == {"created": ["CAR-V-0100"], "updated": [], "unchanged": []}
    assert again.json() == {"created": [], "updated": [], "unchanged": ["CAR-V-0100"]}
    pushed = Invoice.objects.get()
    assert (pushed.account, pushed.amount) == (amelie, Decimal("41.20"))
    assert pushed.pdf.read() == b"%PDF-1.4 avril"


def test_a_push_without_the_right_token_is_refused(client, ville, ccas):
    regie_token_create(regie=ville)
    other_token = regie_token_create(regie=ccas)

    assert push(client, ville, PUSHED, "").status_code == 401
    assert push(client, ville, PUSHED, other_token).status_code == 401
    assert not Invoice.objects.exists()


def test_a_wrong_push_lists_its_errors_and_imports_nothing(client, ville):
    token = regie_token_create(regie=ville)
    payload = {"invoices": [PUSHED["invoices"][0] | {"account": ""}, {"number": "X1"}]}

    response = push(client, ville, payload, token)

    assert response.status_code == 400
    ((index, reason),) = [(e["index"], e["reason"]) for e in response.json()["errors"]]
    assert index == 2 and "Le domaine manque." in reason
    assert not Invoice.objects.exists()


def test_a_push_nested_too_deeply_is_refused_with_its_reason(client, ville):
    token = regie_token_create(regie=ville)

    response = client.post(
        f"/paiement/api/regies/{ville.public_id}/factures/",
        '{"invoices": ' + "[" * 100_000 + "]" * 100_000 + "}",
        content_type="application/json",
        HTTP_HOST="carvin.localhost",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )

    assert response.status_code == 400
    assert response.json() == {"error": "the body is nested too deeply"}


def test_a_new_token_replaces_the_old_one(client, ville):
    old = regie_token_create(regie=ville)
    new = regie_token_create(regie=ville)

    assert (
        push(
            client, ville, PUSHED | {"invoices": [PUSHED["invoices"][0] | {"account": ""}]}, old
        ).status_code
        == 401
    )
    assert (
        push(
            client, ville, {"invoices": [PUSHED["invoices"][0] | {"account": ""}]}, new
        ).status_code
        == 200
    )


def test_invoices_of_an_erased_account_stay_payable_with_their_key(carvin, ville):
    from accounts.services import account_erase

    household = citizen(carvin, "Paul", "Voisin", validated=True)
    bill = invoice(ville, household)

    account_erase(user=household)

    bill.refresh_from_db()
    assert bill.account is None and bill.status == InvoiceStatus.TO_PAY


def test_a_push_holding_a_nul_character_is_refused_with_its_reason(client, ville):
    token = regie_token_create(regie=ville)
    invoice = PUSHED["invoices"][0]
    payload = {"invoices": [invoice | {"account": "amélie\x00"}, invoice | {"number": "A\x00"}]}

    response = push(client, ville, payload, token)

    assert response.status_code == 400
    assert [e["index"] for e in response.json()["errors"]] == [1, 2]
    assert not Invoice.objects.exists()


def test_a_push_of_up_to_5_mb_is_read_and_a_larger_one_refused_in_json(client, ville, amelie):
    token = regie_token_create(regie=ville)

    def send(padding):
        return client.post(
            f"/paiement/api/regies/{ville.public_id}/factures/",
            json.dumps(PUSHED) + " " * padding,
            content_type="application/json",
            HTTP_HOST="carvin.localhost",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )

    assert send(4 * 1024 * 1024).status_code == 200
    too_large = send(5 * 1024 * 1024)
    assert too_large.status_code == 413
    assert too_large.json() == {"error": "body larger than 5 MB"}
