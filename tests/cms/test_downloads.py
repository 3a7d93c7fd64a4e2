"""Every file the portal sends is an attachment with a safe name."""

import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from wagtail.documents import get_document_model

from payments.models import InvoiceStatus, Transaction, TransactionLine, TransactionStatus
from services.admin.exports import archive_pdf_url
from tests.payments.factories import invoice, regie
from tests.services.factories import PDF, service_page
from tests.services.tracking_factories import (
    attachment_pk,
    birth_page,
    birth_request,
    detail_url,
    parent,
    school_request,
    tracking_url,
)

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
DISPOSITION = re.compile(
    r"attachment; filename=\"([A-Za-z0-9._()+ -]+)\"; filename\*=UTF-8''([A-Za-z0-9%._~-]+)"
)


@pytest.fixture
def world(carvin, admin_user):
    owner = parent(carvin)
    page = service_page(carvin)
    sent = school_request(page, owner)
    anonymous = birth_request(birth_page(carvin))
    ville = regie(carvin)
    bill = invoice(ville, owner, number="CAR-2026/0001")
    bill.pdf.save("ignored.pdf", ContentFile(PDF))
    paid = invoice(ville, owner, number="CAR-2026/0002", status=InvoiceStatus.PAID_ONLINE)
    transaction = Transaction.objects.create(
        site_id=carvin.pk,
        regie=ville,
        account=owner,
        order_id="P0000000001",
        email="amelie@example.org",
        payer_name="Amélie Lire",
        amount=paid.amount,
        backend="testbank",
        status=TransactionStatus.PAID,
        paid_at=timezone.now() - timedelta(days=1),
    )
    TransactionLine.objects.create(
        transaction=transaction, invoice=paid, amount=paid.amount, credited=True
    )
    document = get_document_model().objects.create(
        title="Compte rendu du conseil",
        file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="compte-rendu-été.pdf"),
    )
    return {
        "carvin": carvin,
        "owner": owner,
        "admin": admin_user,
        "page": page,
        "sent": sent,
        "anonymous": anonymous,
        "ville": ville,
        "bill": bill,
        "transaction": transaction,
        "document": document,
    }


def as_owner(client, world):
    client.force_login(world["owner"])


def as_admin(client, world):
    client.force_login(world["admin"])


def as_visitor(client, world):
    pass


DOWNLOADS = {
    "request receipt": (as_owner, lambda w: detail_url(w["sent"], "submission_receipt")),
    "request cover sheet": (as_owner, lambda w: detail_url(w["sent"], "submission_cover_sheet")),
    "request document": (
        as_owner,
        lambda w: detail_url(w["sent"], "submission_document", pk=attachment_pk(w["sent"])),
    ),
    "tracked receipt": (as_visitor, lambda w: tracking_url(w["anonymous"], "tracking_receipt")),
    "agent's copy of a document": (
        as_admin,
        lambda w: reverse(
            "wagtailsnippets_services_submission:download",
            args=[w["sent"].pk, attachment_pk(w["sent"])],
        ),
    ),
    "archive PDF": (as_admin, lambda w: archive_pdf_url(w["sent"])),
    "procedure CSV export": (
        as_admin,
        lambda w: reverse("services_export_procedure", args=[w["page"].pk]) + "?export=csv",
    ),
    "procedure XLSX export": (
        as_admin,
        lambda w: reverse("services_export_procedure", args=[w["page"].pk]) + "?export=xlsx",
    ),
    "invoice PDF": (as_owner, lambda w: reverse("payments:invoice_pdf", args=[w["bill"].pk])),
    "payment receipt": (
        as_owner,
        lambda w: reverse("payments:receipt_pdf", args=[w["transaction"].public_id]),
    ),
    "invoices XLSX export": (
        as_admin,
        lambda w: reverse("wagtailsnippets_payments_invoice:list_results") + "?export=xlsx",
    ),
    "transactions CSV export": (
        as_admin,
        lambda w: reverse("wagtailsnippets_payments_transaction:list_results") + "?export=csv",
    ),
    "personal data": (as_owner, lambda w: reverse("accounts:personal_data_download")),
    "Wagtail document": (
        as_visitor,
        lambda w: reverse("wagtaildocs_serve", args=[w["document"].pk, w["document"].filename]),
    ),
}


@pytest.mark.parametrize("kind", DOWNLOADS)
def test_every_download_is_an_attachment_with_a_safe_name(client, world, kind):
    login, url = DOWNLOADS[kind]
    login(client, world)

    response = client.get(url(world), HTTP_HOST=world["carvin"].hostname)

    assert response.status_code == 200, kind
    match = DISPOSITION.fullmatch(response["Content-Disposition"])
    assert match, response["Content-Disposition"]
    assert unquote(match.group(2)).isprintable()
    assert response["X-Content-Type-Options"] == "nosniff"
    content_type = response["Content-Type"]
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content_type.startswith("application/pdf"):
        assert content.startswith(b"%PDF-")
    elif content_type.startswith("text/csv"):
        assert b";" in content or b"," in content
    elif "spreadsheetml" in content_type or content_type == "application/zip":
        assert content.startswith(b"PK")
    else:
        raise AssertionError(f"{kind}: unexpected {content_type}")


def test_no_view_sends_a_file_but_through_the_download_helpers():
    """New download views use ``cms.uploads.download`` or ``as_attachment``:
    the test above then only needs a line for them."""
    pattern = re.compile(r"FileResponse\(|StreamingHttpResponse\(|\[\"Content-Disposition\"\]")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for app in ("accounts", "cms", "faq", "home", "payments", "fees", "services")
        for path in (ROOT / app).rglob("*.py")
        if path.name != "uploads.py"
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if pattern.search(line)
    ]
    assert offenders == []
