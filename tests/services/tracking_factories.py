"""Requests as citizens send them, for the tests of what they see afterwards."""

import shutil
import subprocess
from urllib.parse import urlsplit

from django.urls import reverse

from services.services import Contact, access_key
from tests.accounts.factories import citizen, member
from tests.services.factories import BIRTH_FORM, PDF, PNG, field, service_page, step, submission

CARVIN = {"HTTP_HOST": "carvin.localhost"}
SAINT_ANDRE = {"HTTP_HOST": "saint-andre-des-eaux.localhost"}


def parent(site, first_name="Amélie", **extra):
    """A citizen with one child in the household."""
    return citizen(site, first_name, validated=True, members=[member()], **extra)


def school_request(page, account, *, livret_by_post=True, allergies="Arachides"):
    """A school enrolment for the account's child: the proof of address
    uploaded, the family record book uploaded or promised by post."""
    child = account.household_members.get()
    data = {
        "enfant": {
            "id": child.pk,
            "first_name": child.first_name,
            "last_name": child.last_name,
            "birth_date": child.birth_date.isoformat(),
        },
        "prenom": child.first_name,
        "classe": "CP",
        "allergies": True,
        "allergies_detail": allergies,
        "certifie": True,
    }
    files = {"domicile": ("facture électricité.pdf", PDF, "application/pdf")}
    if livret_by_post:
        data["livret"] = {"by_post": True}
    else:
        files["livret"] = ("livret.pdf", PDF, "application/pdf")
    return submission(page, account, data=data, files=files, member=child)


BIRTH_WITH_ID = [
    *BIRTH_FORM,
    step(
        "Justificatif",
        field(
            "document",
            "Pièce d'identité",
            "identite",
            types=["pdf", "png"],
            max_size=1,
            by_post=True,
        ),
    ),
]


def birth_page(site):
    return service_page(site, "Acte de naissance", BIRTH_WITH_ID, requires_account=False)


def birth_request(page, **contact):
    """A birth certificate request without an account, the identity card attached."""
    return submission(
        page,
        files={"identite": ("carte.png", PNG, "image/png")},
        data={
            "type_acte": "Copie intégrale",
            "nom": "Dupont",
            "date_naissance": "1984-05-12",
            "exemplaires": 2,
            "adresse": {"street": "3 rue Haute", "postcode": "75001", "city": "Paris"},
        },
        contact=Contact(
            first_name=contact.get("first_name", "Jean"),
            last_name="Dupont",
            email=contact.get("email", "jean.dupont@example.org"),
            phone="0612345678",
        ),
    )


def detail_url(request, name="submission", **kwargs):
    return reverse(f"services:{name}", kwargs={"reference": request.reference, **kwargs})


def tracking_url(request, name="tracking", **kwargs):
    return reverse(f"services:{name}", kwargs={"key": access_key(request), **kwargs})


def attachment_pk(request, key="domicile"):
    return request.data[key]["attachment"]


def pdf_text(content: bytes, *options: str) -> str:
    """The text of a PDF, as ``pdftotext`` (poppler-utils) extracts it."""
    assert content.startswith(b"%PDF")
    command = [shutil.which("pdftotext") or "pdftotext", *(options or ["-layout"]), "-", "-"]
    result = subprocess.run(  # noqa: S603 (our own PDF, through a fixed tool)
        command, input=content, capture_output=True, check=True
    )
    return result.stdout.decode()


def content_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and urlsplit(response["Location"]).path == reverse(
        "accounts:login"
    )
