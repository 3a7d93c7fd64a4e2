"""Virus scanning by a real clamd with a test signature (see conftest.py)."""

import io
import logging
import socket
import threading
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cms import antivirus
from services.models import Attachment, Submission, SubmissionStatus
from services.services import submission_change_status
from tests.accounts.factories import citizen, member
from tests.cms.conftest import FOUND_AS, MARKER, running_clamd
from tests.services.factories import PDF, pdf_file, service_page
from tests.services.tracking_factories import detail_url, parent, school_request

pytestmark = pytest.mark.django_db

INFECTED = PDF + b"%" + MARKER + b"\n"


@pytest.fixture
def family(carvin):
    return citizen(
        carvin, validated=True, members=[member("Léa"), member("Hugo", relationship="child")]
    )


@pytest.fixture
def school(carvin):
    return service_page(carvin)


def step_path(page, number):
    return urlsplit(f"{page.url}etape/{number}/").path


def post_step_2(client, carvin, family, school, files):
    client.force_login(family)
    lea = family.household_members.get(first_name="Léa")
    client.post(
        step_path(school, 1),
        {"enfant": str(lea.pk), "prenom": "Léa", "classe": "CP", "allergies": "no"},
        HTTP_HOST=carvin.hostname,
    )
    return client.post(
        step_path(school, 2),
        {**files, "certifie": "on", "action": "next"},
        HTTP_HOST=carvin.hostname,
    )


def error_of(response, key):
    return response.context["form"].errors.as_data()[key][0]


def test_a_clean_file_passes_the_scan(clamav):
    antivirus.scan(io.BytesIO(PDF))


def test_the_marker_is_found_by_its_signature_name(clamav):
    with pytest.raises(antivirus.VirusFound) as found:
        antivirus.scan(io.BytesIO(INFECTED))
    assert found.value.virus == FOUND_AS


def test_a_step_keeps_clean_files_and_refuses_an_infected_one(
    client, carvin, family, school, clamav, caplog
):
    with caplog.at_level(logging.WARNING, logger="cms.antivirus"):
        response = post_step_2(
            client,
            carvin,
            family,
            school,
            {"domicile": pdf_file("facture.pdf"), "livret": pdf_file("livret.pdf", INFECTED)},
        )

    assert response.status_code == 200
    error = error_of(response, "livret")
    assert error.code == "virus"
    assert error.params == {"name": "livret.pdf", "virus": FOUND_AS}
    assert "livret.pdf" in response.content.decode()
    draft = Submission.objects.get(account=family)
    assert list(draft.attachments.values_list("name", flat=True)) == ["facture.pdf"]
    assert draft.progress["raw"]["certifie"] == ["on"]
    assert FOUND_AS in caplog.text


def test_a_step_goes_on_when_every_file_is_clean(client, carvin, family, school, clamav):
    response = post_step_2(
        client,
        carvin,
        family,
        school,
        {"domicile": pdf_file("facture.pdf"), "livret": pdf_file("livret.pdf")},
    )

    assert response.status_code == 302
    assert response["Location"].endswith("verification/")
    assert Attachment.objects.count() == 2


def test_with_the_scanner_down_files_are_refused_and_answers_kept(
    client, carvin, family, school, settings, tmp_path
):
    settings.CLAMAV_ADDRESS = f"unix://{tmp_path / 'nobody-listens.sock'}"

    response = post_step_2(client, carvin, family, school, {"domicile": pdf_file("facture.pdf")})

    assert response.status_code == 200
    error = error_of(response, "domicile")
    assert error.code == "scanner_unavailable"
    assert error.params == {"name": "facture.pdf"}
    draft = Submission.objects.get(account=family)
    assert not draft.attachments.exists()
    assert draft.progress["raw"]["certifie"] == ["on"]


def test_a_stopped_scanner_refuses_the_file_and_keeps_the_answers(
    client, carvin, family, school, settings, tmp_path
):
    with running_clamd(tmp_path) as server:
        settings.CLAMAV_ADDRESS = server.address
        antivirus.scan(io.BytesIO(PDF))

    response = post_step_2(client, carvin, family, school, {"domicile": pdf_file("facture.pdf")})

    assert error_of(response, "domicile").code == "scanner_unavailable"
    draft = Submission.objects.get(account=family)
    assert not draft.attachments.exists()
    assert draft.progress["raw"]["classe"] == ["CP"]
    assert draft.progress["raw"]["certifie"] == ["on"]


class FakeClamd:
    """A socket that answers every connection with ``answer`` (or never)."""

    def __init__(self, path, answer: bytes | None):
        self.server = socket.socket(socket.AF_UNIX)
        self.server.bind(str(path))
        self.server.listen()
        self.answer = answer
        self.connections = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            self.connections.append(connection)
            if self.answer is not None:
                try:
                    connection.recv(1 << 20)
                    connection.sendall(self.answer)
                finally:
                    connection.close()

    def close(self):
        self.server.close()
        for connection in self.connections:
            connection.close()


@pytest.mark.parametrize(
    "answer",
    [None, b"stream: something else entirely\n", b"INSTREAM size limit exceeded. ERROR\n"],
    ids=["no answer", "odd answer", "error"],
)
def test_a_scanner_that_does_not_answer_properly_refuses_the_file(settings, tmp_path, answer):
    path = tmp_path / "clamd.sock"
    fake = FakeClamd(path, answer)
    settings.CLAMAV_ADDRESS = f"unix://{path}"
    settings.CLAMAV_TIMEOUT = 0.5
    try:
        with pytest.raises(antivirus.ScannerUnavailable):
            antivirus.scan(io.BytesIO(PDF))
    finally:
        fake.close()


def test_the_correction_form_scans_its_documents(client, carvin, clamav):
    owner = parent(carvin)
    sent = school_request(service_page(carvin, "Cantine"), owner)
    submission_change_status(
        submission=sent,
        status=SubmissionStatus.INCOMPLETE,
        author=None,
        message="Envoyez le livret de famille.",
        requested=["livret"],
    )
    client.force_login(owner)

    response = client.post(
        detail_url(sent), {"livret": pdf_file("livret.pdf", INFECTED)}, HTTP_HOST=carvin.hostname
    )

    assert response.status_code == 200
    assert error_of(response, "livret").code == "virus"
    sent.refresh_from_db()
    assert sent.status == SubmissionStatus.INCOMPLETE
    assert not sent.attachments.filter(key="livret").exists()


def test_the_invoice_import_scans_its_file(client, carvin, admin_user, clamav):
    from tests.payments.factories import regie

    client.force_login(admin_user)
    csv = b"numero;compte\n" + MARKER + b";1\n"

    response = client.post(
        reverse("payments_invoice_import"),
        {
            "regie": regie(carvin).pk,
            "document": SimpleUploadedFile("factures.csv", csv, "text/csv"),
        },
    )

    assert response.status_code == 200
    error = response.context["form"].errors.as_data()["document"][0]
    assert error.code == "virus" and error.params["virus"] == FOUND_AS


def test_a_wagtail_document_is_scanned(client, admin_user, clamav):
    from wagtail.documents import get_document_model

    client.force_login(admin_user)

    response = client.post(
        reverse("wagtaildocs:add"),
        {
            "title": "Compte rendu",
            "file": SimpleUploadedFile("compte-rendu.txt", b"Conseil\n" + MARKER, "text/plain"),
            "collection": 1,
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors.as_data()["file"][0].code == "virus"
    assert not get_document_model().objects.exists()


def test_health_reports_the_scanner_when_it_is_configured(client, clamav, settings, tmp_path):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json()["checks"]["antivirus"]["status"] == "ok"

    settings.CLAMAV_ADDRESS = f"unix://{tmp_path / 'down.sock'}"
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json()["checks"]["antivirus"]["status"].startswith("error")


def test_health_says_nothing_of_a_scanner_not_configured(client, db, settings):
    settings.CLAMAV_ADDRESS = ""
    assert "antivirus" not in client.get("/healthz/").json()["checks"]
