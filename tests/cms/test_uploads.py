"""Uploads: limits while receiving, names never used as paths."""

import io
import re
import tracemalloc
from urllib.parse import unquote, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from cms.uploads import RefusedUpload, ascii_filename, content_disposition
from services.models import Attachment, Submission, SubmissionStatus
from services.services import submission_change_status
from tests.accounts.factories import citizen, member
from tests.services.factories import PDF, field, service_page, step
from tests.services.tracking_factories import detail_url, parent, school_request

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
CHUNK = 64 * 1024
BOUNDARY = "----portal-test-boundary"


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


def at_step_2(client, carvin, family, school):
    client.force_login(family)
    lea = family.household_members.get(first_name="Léa")
    client.post(
        step_path(school, 1),
        {"enfant": str(lea.pk), "prenom": "Léa", "classe": "CP", "allergies": "no"},
        HTTP_HOST=carvin.hostname,
    )


class MultipartBody(io.RawIOBase):
    """A multipart/form-data body made on the fly: fields, and files whose
    content may be a size to fill with zeros after a PDF header, so that a
    body of any size costs no memory to send."""

    def __init__(self, parts):
        self.segments = []
        for name, value in parts:
            if isinstance(value, tuple):
                filename, content = value
                self._add(
                    f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; '
                    f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
                )
                if isinstance(content, int):
                    self._add(PDF)
                    self.segments.append((None, content - len(PDF)))
                else:
                    self._add(content)
                self._add(b"\r\n")
            else:
                self._add(
                    f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                    f"{value}\r\n".encode()
                )
        self._add(f"--{BOUNDARY}--\r\n".encode())
        self.length = sum(size for _, size in self.segments)
        self.read_bytes = 0

    def _add(self, data: bytes):
        self.segments.append((data, len(data)))

    def read(self, size=-1):
        if size is None or size < 0:
            size = self.length
        out = []
        while size > 0 and self.segments:
            data, left = self.segments[0]
            take = min(size, left)
            if data is None:
                out.append(bytes(take))
            else:
                out.append(data[:take])
                data = data[take:]
            left -= take
            size -= take
            if left:
                self.segments[0] = (data, left)
            else:
                self.segments.pop(0)
        chunk = b"".join(out)
        self.read_bytes += len(chunk)
        return chunk


def post_body(client, path, body, host):
    return client.request(
        REQUEST_METHOD="POST",
        PATH_INFO=path,
        CONTENT_TYPE=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH=str(body.length),
        HTTP_HOST=host,
        **{"wsgi.input": body},
    )


def test_an_oversized_file_is_dropped_while_received_and_the_rest_of_the_step_kept(
    client, carvin, family, school, settings, tmp_path
):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    at_step_2(client, carvin, family, school)
    size = 100 * MB
    body = MultipartBody(
        [
            ("certifie", "on"),
            ("domicile", ("énorme.pdf", size)),
            ("livret", ("livret.pdf", PDF)),
            ("action", "next"),
        ]
    )

    tracemalloc.start()
    try:
        response = post_body(client, step_path(school, 2), body, carvin.hostname)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert response.status_code == 200
    refused = response.wsgi_request.FILES["domicile"]
    assert isinstance(refused, RefusedUpload)
    # The field's own limit (1 MB) applied while streaming: at most 1 MB was
    # ever kept, and nothing of it is left, in memory or on disk.
    assert refused.limit == 1 * MB
    assert refused.kept <= 1 * MB
    assert refused.size == size
    assert peak < 16 * MB, f"peak memory {peak / MB:.1f} MB for a {size // MB} MB upload"
    assert list(tmp_path.iterdir()) == []
    error = response.context["form"].errors.as_data()["domicile"][0]
    assert error.code == "too_big"
    assert error.params["name"] == "énorme.pdf"
    assert error.params["limit"] == 1
    assert "100" in error.params["size"]
    # The fields before and after it are kept, and so is the file that passed.
    draft = Submission.objects.get(account=family)
    assert draft.progress["raw"]["certifie"] == ["on"]
    assert list(draft.attachments.values_list("key", "name")) == [("livret", "livret.pdf")]
    assert body.read_bytes == body.length


def test_the_global_ceiling_applies_below_a_fields_own_limit(client, carvin, family, settings):
    settings.UPLOAD_MAX_SIZE_MB = 1
    page = service_page(
        carvin,
        "Dossier",
        form=[
            step("Pièces", field("document", "Justificatif", "piece", types=["pdf"], max_size=10))
        ],
    )
    client.force_login(family)
    body = MultipartBody([("piece", ("gros.pdf", 3 * MB)), ("action", "next")])

    response = post_body(client, step_path(page, 1), body, carvin.hostname)

    refused = response.wsgi_request.FILES["piece"]
    assert isinstance(refused, RefusedUpload)
    assert refused.limit == 1 * MB and refused.kept <= 1 * MB
    error = response.context["form"].errors.as_data()["piece"][0]
    assert error.code == "too_big" and error.params["limit"] == 1


def test_a_file_within_its_limit_is_received_whole(client, carvin, family, school):
    at_step_2(client, carvin, family, school)
    body = MultipartBody(
        [
            ("domicile", ("domicile.pdf", MB - 10)),
            ("livret__by_post", "on"),
            ("certifie", "on"),
            ("action", "next"),
        ]
    )

    response = post_body(client, step_path(school, 2), body, carvin.hostname)

    assert response.status_code == 302
    attachment = Attachment.objects.get(key="domicile")
    assert attachment.size == MB - 10


@pytest.fixture
def incomplete(carvin):
    """A school enrolment sent with its family record book promised by
    post, that an agent sent back to its owner for corrections."""
    owner = parent(carvin)
    sent = school_request(service_page(carvin, "Cantine"), owner)
    submission_change_status(
        submission=sent,
        status=SubmissionStatus.INCOMPLETE,
        author=None,
        message="Envoyez le livret de famille.",
        requested=["livret"],
    )
    sent.refresh_from_db()
    return sent


def test_the_correction_form_limits_each_document_while_streaming(client, carvin, incomplete):
    client.force_login(incomplete.account)
    body = MultipartBody([("livret", ("trop-gros.pdf", 30 * MB))])

    response = post_body(client, detail_url(incomplete), body, carvin.hostname)

    refused = response.wsgi_request.FILES["livret"]
    assert isinstance(refused, RefusedUpload)
    assert refused.limit == 1 * MB and refused.kept <= 1 * MB
    assert response.context["form"].errors.as_data()["livret"][0].code == "too_big"
    incomplete.refresh_from_db()
    assert incomplete.status == SubmissionStatus.INCOMPLETE


# File names.

NAMES = [
    "../../etc/passwd",
    "..\\..\\x.pdf",
    "a\x00b.pdf",
    "n" * 300 + ".pdf",
    "guillemets \"doubles\" et 'simples'.pdf",
    "retour\r\nà la ligne.pdf",
    "CON.pdf",
    "photo 📄🙂.pdf",
    "\u202etxt.exe.pdf",
    "عقد.pdf",
    "<script>alert(1)</script>.pdf",
]


def as_browsers_send(name: str) -> str:
    """A file name in a multipart header, as the HTML standard encodes it."""
    return name.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


@pytest.mark.parametrize("name", NAMES)
def test_a_file_name_is_never_a_path_and_comes_back_safe(
    client, carvin, incomplete, settings, name
):
    client.force_login(incomplete.account)
    body = MultipartBody([("livret", (as_browsers_send(name), PDF))])

    response = post_body(client, detail_url(incomplete), body, carvin.hostname)

    assert response.status_code == 302
    attachment = Attachment.objects.get(submission=incomplete, key="livret", current=True)
    # Stored under a generated name, in the commune's folder of the private storage.
    assert re.fullmatch(rf"submissions/{carvin.pk}/[0-9a-f]{{32}}\.pdf", attachment.file.name)
    stored = settings.PRIVATE_ROOT / attachment.file.name
    assert stored.is_file()
    assert stored.resolve().is_relative_to(settings.PRIVATE_ROOT.resolve())
    # The name the citizen gave is kept as text only...
    assert "/" not in attachment.name and "\\" not in attachment.name
    assert all(c.isprintable() for c in attachment.name)
    assert len(attachment.name) <= 255
    # ... shown escaped...
    page = client.get(detail_url(incomplete), HTTP_HOST=carvin.hostname).content.decode()
    assert "<script>" not in page
    assert escape(attachment.name[:40]) in page
    # ... and downloaded as an attachment under a safe name.
    download = client.get(
        detail_url(incomplete, "submission_document", pk=attachment.pk), HTTP_HOST=carvin.hostname
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    check_disposition(download["Content-Disposition"])


def check_disposition(header: str) -> str:
    """An RFC 6266 ``attachment`` header: an ASCII fallback without anything
    that could break the header or make a path, and the UTF-8 name."""
    match = re.fullmatch(
        r"attachment; filename=\"([A-Za-z0-9._()+ -]+)\"; filename\*=UTF-8''([A-Za-z0-9%._~-]+)",
        header,
    )
    assert match, header
    fallback, encoded = match.groups()
    real = unquote(encoded)
    for name in (fallback, real):
        assert "/" not in name and "\\" not in name and ".." not in name.strip(".")[:2]
        assert all(c.isprintable() for c in name)
        assert not name.upper().startswith("CON.")
        assert len(name) <= 120
    return real


@pytest.mark.parametrize("name", NAMES)
def test_download_names_are_ascii_with_the_real_name_beside(name):
    check_disposition(content_disposition(name))


def test_ascii_fallback_keeps_letters_and_extension():
    assert ascii_filename("Reçu été.pdf") == "Recu ete.pdf"
    assert ascii_filename("📄.pdf") == "document.pdf"
    assert ascii_filename("CON.pdf") == "_CON.pdf"


def test_a_zip_renamed_csv_is_not_imported(client, carvin, admin_user):
    import zipfile

    from payments.importer import FILE_NOT_TEXT
    from tests.payments.factories import regie

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("factures.csv", "numero;compte\n1;2\n")
    client.force_login(admin_user)
    response = client.post(
        reverse("payments_invoice_import"),
        {
            "regie": regie(carvin).pk,
            "document": SimpleUploadedFile("factures.csv", buffer.getvalue(), "text/csv"),
        },
    )
    assert response.status_code == 200
    assert [str(e) for e in response.context["form"].errors["document"]] == [str(FILE_NOT_TEXT)]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("compte-rendu.pdf", b"MZ\x90\x00\x03\x00\x00\x00 an executable"),
        ("budget.xlsx", b"%PDF-1.4\n%%EOF\n"),
        ("notes.txt", PDF),
    ],
)
def test_a_wagtail_document_must_hold_what_its_extension_says(client, admin_user, name, content):
    from wagtail.documents import get_document_model

    client.force_login(admin_user)

    response = client.post(
        reverse("wagtaildocs:add"),
        {"title": "Document", "file": SimpleUploadedFile(name, content), "collection": 1},
    )

    assert response.status_code == 200
    assert response.context["form"].errors.as_data()["file"][0].code == "wrong_content"
    assert not get_document_model().objects.exists()


def test_a_wagtail_document_of_the_right_type_is_kept(client, admin_user):
    from wagtail.documents import get_document_model

    client.force_login(admin_user)

    response = client.post(
        reverse("wagtaildocs:add"),
        {"title": "Compte rendu", "file": SimpleUploadedFile("cr.pdf", PDF), "collection": 1},
    )

    assert response.status_code == 302
    document = get_document_model().objects.get()
    assert document.file.read() == PDF


def test_a_faq_document_must_be_text(client, carvin, faq_of, staff_of):
    from faq.forms import DOCUMENT_NOT_TEXT

    client.force_login(staff_of(carvin))
    page = faq_of(carvin)

    response = client.post(
        reverse("faq_import", args=[page.pk]),
        {"document": SimpleUploadedFile("faq.md", PDF, "text/markdown")},
    )

    assert response.status_code == 200
    assert [str(e) for e in response.context["form"].non_field_errors()] == [str(DOCUMENT_NOT_TEXT)]


def test_pages_with_upload_limits_still_refuse_a_post_without_csrf_token(carvin, family, school):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(family)
    path = step_path(school, 1)
    page = client.get(path, HTTP_HOST=carvin.hostname)
    token = page.context["csrf_token"]
    lea = family.household_members.get(first_name="Léa")
    answers = {"enfant": str(lea.pk), "prenom": "Léa", "classe": "CP", "allergies": "no"}

    refused = client.post(path, answers, HTTP_HOST=carvin.hostname)
    accepted = client.post(
        path, {**answers, "csrfmiddlewaretoken": str(token)}, HTTP_HOST=carvin.hostname
    )

    assert refused.status_code == 403
    assert accepted.status_code == 302


def test_a_step_with_files_routes_its_page_once(client, carvin, family, school, monkeypatch):
    """The upload limits need the page before the body is read; Wagtail's
    view then serves the page they found, without routing it again."""
    from cms.pages import PortalPageMixin

    at_step_2(client, carvin, family, school)
    path = step_path(school, 2)
    whole = [component for component in path.split("/") if component]
    routed = []
    route = PortalPageMixin.route

    def counting_route(self, request, path_components):
        if list(path_components) == whole:
            routed.append(path)
        return route(self, request, path_components)

    monkeypatch.setattr(PortalPageMixin, "route", counting_route)
    body = MultipartBody(
        [("domicile", ("domicile.pdf", 1000)), ("livret__by_post", "on"), ("certifie", "on")]
    )
    response = post_body(client, path, body, carvin.hostname)

    assert response.status_code == 302
    assert routed == [path]
