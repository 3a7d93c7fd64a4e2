import io

from django.core.files.uploadedfile import SimpleUploadedFile

from services.fields.documents import Upload, document_answer
from services.models import ServiceIndexPage, ServicePage
from services.services import submission_save_step, submission_start, submission_submit

# The smallest valid files of each kind, recognised by their content.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def pdf_file(name="justificatif.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def field(block_type, label, key, **value):
    return {"type": block_type, "value": {"label": label, "key": key, "required": True, **value}}


def step(title, *fields):
    return {"type": "step", "value": {"title": title, "fields": list(fields)}}


SCHOOL_FORM = [
    step(
        "L'enfant",
        field("member", "Pour quel enfant ?", "enfant", who="children"),
        field("short_text", "Prénom de l'enfant", "prenom", prefill="member_first_name"),
        field(
            "choice",
            "Classe",
            "classe",
            choices="Petite section\nMoyenne section\nCP",
            widget="radio",
        ),
        field("yes_no", "Votre enfant a-t-il des allergies ?", "allergies"),
        field(
            "long_text",
            "Précisez les allergies",
            "allergies_detail",
            condition={"field": "allergies", "value": "Oui"},
        ),
    ),
    step(
        "Justificatifs",
        field(
            "document",
            "Justificatif de domicile",
            "domicile",
            types=["pdf", "jpeg", "png"],
            max_size=1,
            by_post=True,
        ),
        field("document", "Livret de famille", "livret", types=["pdf"], max_size=1, by_post=True),
        field("consent", "Je certifie l'exactitude des informations.", "certifie"),
    ),
]

BIRTH_FORM = [
    step(
        "L'acte",
        field(
            "choice",
            "Type d'acte",
            "type_acte",
            choices="Copie intégrale\nExtrait avec filiation\nExtrait sans filiation",
        ),
        field("short_text", "Nom de naissance", "nom"),
        field("date", "Date de naissance", "date_naissance", bounds="past"),
        field("number", "Nombre d'exemplaires", "exemplaires", min_value=1, max_value=3),
        field("address", "Adresse d'envoi", "adresse", prefill=""),
    ),
]


def service_page(site, title="Inscription scolaire", form=None, *, requires_account=True, **extra):
    """A published démarche under the commune's services index."""
    index = ServiceIndexPage.objects.descendant_of(site.root_page).get()
    page = ServicePage(
        title=title,
        category=extra.pop("category", "Enfance"),
        summary=extra.pop("summary", f"{title} en ligne."),
        requires_account=requires_account,
        form=form if form is not None else SCHOOL_FORM,
        **extra,
    )
    index.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def submission(page, account=None, *, data=None, raw=None, files=None, contact=None, member=None):
    """A request sent through ``page`` with the given answers (as stored)."""
    draft = submission_start(site=page.get_site(), page=page, account=account)
    uploads = {}
    for key, (name, content, content_type) in (files or {}).items():
        uploads[key] = Upload(
            file=io.BytesIO(content), name=name, size=len(content), content_type=content_type
        )
    if uploads or raw:
        draft = submission_save_step(
            submission=draft, raw=raw or {}, uploads=uploads, by_post=set()
        )
    answers = dict(data or {})
    for attachment in draft.attachments.all():
        answers[attachment.key] = document_answer(attachment)
    return submission_submit(
        submission=draft,
        data=answers,
        revision=page.live_revision,
        member=member,
        concerns=str(member or ""),
        contact=contact,
    )
