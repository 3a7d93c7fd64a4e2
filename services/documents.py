"""The documents the town hall issues for a request, from a status's
``document`` action: rendered on the commune's letterhead, stored in private
storage, listed for the citizen and the agents."""

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe

from cms.models import CommuneSettings
from cms.pdf import image_data_uri, logo_data_uri

from .actions.document import fill_document
from .fields.answers import answer_rows
from .messages import message_values
from .models import IssuedDocument, StatusChange, Submission
from .pdf import render_pdf

SIGNATURE_RENDITION = "max-400x160"


def document_values(submission: Submission, change: StatusChange | None, free_text: str) -> dict:
    now = timezone.localtime(change.created_at if change else timezone.now())
    info = submission.definition.info(change.status) if change else submission.status_info
    return {
        **message_values(submission),
        "date": date_format(now, "j F Y"),
        "date_envoi": date_format(timezone.localtime(submission.submitted_at), "j F Y")
        if submission.submitted_at
        else "",
        "statut": str(info.citizen_label or info.label),
        "message": change.message if change else "",
        "texte_libre": free_text,
    }


def answers_text(submission: Submission) -> dict[str, str]:
    return {
        row.block.key: row.text
        for _step, rows in answer_rows(submission.steps, submission.data)
        for row in rows
        if not row.is_document
    }


def document_pdf(*, submission, change, config, free_text: str, reference: str) -> bytes:
    commune = CommuneSettings.for_site(submission.site)
    body = fill_document(
        str(config["body"].source if hasattr(config["body"], "source") else config["body"]),
        document_values(submission, change, free_text),
        answers_text(submission),
    )
    from wagtail.rich_text import expand_db_html

    return render_pdf(
        "pdf/issued_document.html",
        {
            "submission": submission,
            "commune": commune,
            "logo": logo_data_uri(commune),
            "title": config["title"],
            # The supervisor's rich text, whose placeholders fill_document
            # filled with escaped values.
            "body": mark_safe(expand_db_html(body)),  # noqa: S308  # nosec B308 B703
            "signatory_name": config["signatory_name"],
            "signatory_role": config["signatory_role"],
            "signature": image_data_uri(config.get("signature"), SIGNATURE_RENDITION),
            "reference": reference,
            "date": date_format(timezone.localdate(), "j F Y"),
        },
    )


def document_issue(*, submission, change, config, free_text: str) -> IssuedDocument:
    """Render the document and attach it to the request."""
    number = IssuedDocument.objects.filter(submission=submission).count() + 1
    reference = f"{submission.reference}-D{number}"
    content = document_pdf(
        submission=submission,
        change=change,
        config=config,
        free_text=free_text,
        reference=reference,
    )
    document = IssuedDocument(
        submission=submission,
        status_change=change,
        title=config["title"],
        reference=reference,
        size=len(content),
    )
    document.file.save("document.pdf", ContentFile(content), save=False)
    document.save()
    return document


def document_preview(*, submission, status: str, free_text: str) -> bytes | None:
    """The first document the status would issue, as the agent sees it before
    moving the request: numbered as the next one, not stored."""
    from .actions import registry

    info = submission.definition.info(status)
    for raw in info.actions:
        if raw.get("type") == "document" and "document" in registry:
            config = registry["document"].block().to_python(raw.get("value") or {})
            number = IssuedDocument.objects.filter(submission=submission).count() + 1
            return document_pdf(
                submission=submission,
                change=None,
                config=config,
                free_text=free_text,
                reference=f"{submission.reference}-D{number}",
            )
    return None
