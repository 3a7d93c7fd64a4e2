"""The receipt (récépissé) and the cover sheet (bordereau) of a request."""

import re
import shutil

import pytest
from django.core.files.images import ImageFile
from wagtail.images.models import Image

from cms.models import CommuneSettings
from demo.logo import draw_logo
from services.pdf import cover_sheet_pdf, receipt_pdf
from tests.services.factories import service_page
from tests.services.tracking_factories import (
    CARVIN,
    birth_page,
    birth_request,
    content_of,
    detail_url,
    parent,
    pdf_text,
    school_request,
    tracking_url,
)

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is needed"
)


@pytest.fixture
def commune(carvin):
    settings = CommuneSettings.for_site(carvin)
    settings.official_name = "Ville de Carvin"
    settings.address_lines = "Hôtel de ville\nPlace du Général de Gaulle"
    settings.postcode = "62220"
    settings.city = "Carvin"
    settings.logo = Image.objects.create(
        title="Logo", file=ImageFile(draw_logo("Carvin", "#1d4f91"), name="logo.png")
    )
    settings.save()
    return settings


@pytest.fixture
def owner(carvin):
    return parent(carvin)


@pytest.fixture
def request_sent(carvin, commune, owner):
    return school_request(service_page(carvin), owner)


def flat(text: str) -> str:
    return " ".join(text.split())


def test_receipt_carries_the_reference_the_requester_and_the_answers(request_sent):
    text = flat(pdf_text(receipt_pdf(request_sent)))

    assert request_sent.reference in text
    assert "Inscription scolaire" in text
    assert "Amélie Lire" in text
    assert "amélie.lire@example.org" in text
    assert "Léa Lire" in text
    for label, answer in [("Classe", "CP"), ("Précisez les allergies", "Arachides")]:
        assert f"{label} {answer}" in text
    assert text.index("L'enfant") < text.index("Classe") < text.index("Justificatifs")


def test_receipt_has_the_commune_header_and_logo(request_sent):
    content = receipt_pdf(request_sent)
    text = flat(pdf_text(content))

    assert "Ville de Carvin" in text
    assert "Place du Général de Gaulle" in text
    assert "62220 Carvin" in text
    assert b"/Subtype /Image" in content


def test_receipt_lists_documents_attached_and_promised_by_post(request_sent):
    text = flat(pdf_text(receipt_pdf(request_sent)))

    assert "Justificatif de domicile facture électricité.pdf" in text
    assert "Livret de famille" in text


def test_receipt_prints_what_the_citizen_typed_as_text(carvin, commune, owner):
    request = school_request(service_page(carvin), owner, allergies='<img src="http://x/y.png">')

    text = flat(pdf_text(receipt_pdf(request)))

    assert '<img src="http://x/y.png">' in text


def test_receipt_of_a_request_without_account_names_its_contact(carvin, commune):
    request = birth_request(birth_page(carvin))

    text = flat(pdf_text(receipt_pdf(request)))

    assert "Jean Dupont" in text
    assert "jean.dupont@example.org" in text
    assert "06 12 34 56 78" in text
    assert "3 rue Haute 75001 Paris" in text


def test_cover_sheet_exists_only_when_documents_come_by_post(carvin, commune, owner):
    page = service_page(carvin)

    by_post = school_request(page, owner)
    all_attached = school_request(page, owner, livret_by_post=False)

    assert cover_sheet_pdf(by_post) is not None
    assert cover_sheet_pdf(all_attached) is None


def test_cover_sheet_carries_reference_subject_name_documents_and_address(request_sent):
    text = flat(pdf_text(cover_sheet_pdf(request_sent)))

    assert request_sent.reference in text
    assert "Inscription scolaire" in text
    assert "Amélie Lire" in text
    assert "Livret de famille" in text
    assert "Justificatif de domicile" not in text
    assert "Ville de Carvin Hôtel de ville Place du Général de Gaulle 62220 Carvin" in text


def test_cover_sheet_is_one_a4_page(request_sent):
    pages = re.findall(
        r'<page width="([\d.]+)" height="([\d.]+)"',
        pdf_text(cover_sheet_pdf(request_sent), "-bbox"),
    )

    assert [(round(float(w)), round(float(h))) for w, h in pages] == [(595, 842)]


def test_receipt_is_downloaded_as_a_private_pdf_attachment(client, owner, request_sent):
    client.force_login(owner)

    response = client.get(detail_url(request_sent, "submission_receipt"), **CARVIN)

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert request_sent.reference in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    assert request_sent.reference in pdf_text(content_of(response))


def test_cover_sheet_is_downloaded_through_the_private_link_too(client, carvin, commune):
    page = birth_page(carvin)
    request = birth_request(page)
    request.data["identite"] = {"by_post": True}
    request.save(update_fields=["data"])

    response = client.get(tracking_url(request, "tracking_cover_sheet"), **CARVIN)

    assert response.status_code == 200
    assert "Pièce d'identité" in pdf_text(content_of(response))
