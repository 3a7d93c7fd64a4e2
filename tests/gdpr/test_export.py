"""The citizen's copy of their data: a ZIP with the JSON and their documents."""

import io
import json
import zipfile

import pytest
from django.core.files.base import ContentFile

from accounts.exports import safe_part
from services.models import MessageAttachment, RequestMessage
from tests.services.factories import PDF, service_page
from tests.services.tracking_factories import CARVIN, content_of, parent, school_request

URL = "/compte/donnees/telecharger/"


@pytest.fixture
def school(carvin):
    return service_page(carvin, processing_purpose="Inscrire un enfant à l'école.")


def download(client, user) -> zipfile.ZipFile:
    client.force_login(user)
    response = client.get(URL, **CARVIN)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="mes-donnees-')
    return zipfile.ZipFile(io.BytesIO(content_of(response)))


def test_the_archive_holds_the_data_the_documents_and_the_receipts(client, carvin, school):
    amelie = parent(carvin)
    request = school_request(school, amelie, livret_by_post=False, allergies="Arachides")

    archive = download(client, amelie)

    names = archive.namelist()
    data = json.loads(archive.read("donnees.json"))
    assert data["account"]["username"] == amelie.username
    assert data["account"]["notify_messages"] is True
    assert data["account"]["sms_phone_verified_at"] is None
    assert data["household"][0]["first_name"] == "Léa"
    sent = data["requests"][0]
    assert sent["reference"] == request.reference
    assert {"question": "Précisez les allergies", "answer": "Arachides"}.items() <= next(
        answer for answer in sent["answers"] if answer["question"] == "Précisez les allergies"
    ).items()
    folder = f"demandes/{request.reference}"
    documents = [name for name in names if name.startswith(folder) and "recepisse" not in name]
    assert sorted(documents) == [f"{folder}/01-domicile.pdf", f"{folder}/02-livret.pdf"]
    assert archive.read(f"{folder}/01-domicile.pdf") == PDF
    assert [d["file"] for d in sent["documents"]] == sorted(documents)
    assert archive.read(f"{folder}/recepisse-{request.reference}.pdf").startswith(b"%PDF")
    assert data["payments"] == {"invoices": [], "payments": []}


def test_the_archive_holds_the_messages_and_the_files_sent_with_them(client, carvin, school):
    amelie = parent(carvin)
    request = school_request(school, amelie)
    question = RequestMessage.objects.create(
        site=carvin,
        submission=request,
        sender=RequestMessage.Sender.CITIZEN,
        author=amelie,
        text="Faut-il un certificat de radiation ?",
    )
    MessageAttachment.objects.create(
        site=carvin,
        message=question,
        file=ContentFile(PDF, name="x.pdf"),
        name="ancienne école.pdf",
        size=len(PDF),
        content_type="application/pdf",
    )
    RequestMessage.objects.create(
        site=carvin,
        submission=request,
        sender=RequestMessage.Sender.TOWN_HALL,
        signature="Service scolaire",
        text="Oui, de l'ancienne école.",
    )

    archive = download(client, amelie)

    messages = json.loads(archive.read("donnees.json"))["requests"][0]["messages"]
    folder = f"demandes/{request.reference}"
    assert [(m["from"], m["signed"], m["text"]) for m in messages] == [
        ("Citoyen", "", "Faut-il un certificat de radiation ?"),
        ("Mairie", "Service scolaire", "Oui, de l'ancienne école."),
    ]
    assert messages[0]["files"] == [
        {"file": f"{folder}/messages/01.pdf", "name": "ancienne école.pdf"}
    ]
    assert archive.read(f"{folder}/messages/01.pdf") == PDF


def test_nothing_of_another_household_is_in_the_archive(client, carvin, school):
    amelie = parent(carvin)
    bruno = parent(carvin, "Bruno", email="bruno@example.org")
    own = school_request(school, amelie)
    other = school_request(school, bruno, allergies="Gluten")

    archive = download(client, amelie)

    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert own.reference.encode() in everything
    assert other.reference.encode() not in everything
    assert b"Gluten" not in everything and b"Bruno" not in everything
    assert not any(other.reference in name for name in archive.namelist())


def test_archive_paths_are_made_by_the_portal():
    assert safe_part("../../etc/passwd") == "etc-passwd"
    assert safe_part("Facture électricité (1).pdf") == "Facture-electricite-1-.pdf"
    assert "/" not in safe_part("a/b\\c") and "\\" not in safe_part("a/b\\c")
    assert safe_part("") == "fichier"


def test_the_personal_data_page_says_what_the_archive_contains(client, carvin):
    from django.utils import translation

    amelie = parent(carvin)
    client.force_login(amelie)
    with translation.override("en"):
        response = client.get("/compte/donnees/", HTTP_ACCEPT_LANGUAGE="en", **CARVIN)

    assert response.status_code == 200
    assert b"donnees.json" in response.content
    assert b"ZIP" in response.content
