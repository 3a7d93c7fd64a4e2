"""The documents a citizen prints: the receipt of a request (récépissé) and
the cover sheet (bordereau) that goes with documents sent by post.

Both are rendered from HTML templates by WeasyPrint, with no resource fetched
from outside: the commune's logo is embedded in the HTML, and any other URL is
refused, so that nothing typed by a citizen can make the renderer read a file
or reach the network.
"""

from dataclasses import dataclass

from django.template.loader import render_to_string
from weasyprint import HTML, URLFetcher

from cms.models import CommuneSettings
from cms.pdf import logo_data_uri

from .forms import AnswerRow, answer_rows, format_phone
from .models import Submission


@dataclass
class DocumentLine:
    label: str
    name: str = ""
    size: int = 0
    by_post: bool = False
    attachment: int | None = None


def document_lines(submission: Submission) -> list[DocumentLine]:
    """The supporting documents of a request, in form order: attached or
    promised by post."""
    return [
        DocumentLine(
            label=row.label,
            name=row.value.get("name", ""),
            size=row.value.get("size") or 0,
            by_post=row.by_post,
            attachment=row.value.get("attachment"),
        )
        for _step, rows in answer_rows(submission.steps, submission.data)
        for row in rows
        if row.is_document and isinstance(row.value, dict)
    ]


def documents_by_post(submission: Submission) -> list[AnswerRow]:
    return [
        row
        for _step, rows in answer_rows(submission.steps, submission.data)
        for row in rows
        if row.by_post
    ]


def render_pdf(template: str, context: dict) -> bytes:
    html = render_to_string(template, context)
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf()


def _context(submission: Submission) -> dict:
    commune = CommuneSettings.for_site(submission.site)
    return {
        "submission": submission,
        "commune": commune,
        "logo": logo_data_uri(commune),
    }


def receipt_pdf(submission: Submission) -> bytes:
    """The receipt of a sent request: who sent what, when, with which documents."""
    rows = [
        (step, [row for row in step_rows if not row.is_document])
        for step, step_rows in answer_rows(submission.steps, submission.data)
    ]
    return render_pdf(
        "pdf/receipt.html",
        {
            **_context(submission),
            "rows": [(step, step_rows) for step, step_rows in rows if step_rows],
            "documents": document_lines(submission),
            "contact_phone": format_phone(submission.contact_phone)
            if submission.contact_phone
            else "",
        },
    )


def cover_sheet_pdf(submission: Submission) -> bytes | None:
    """The sheet to send with the documents promised by post, or ``None`` when
    there are none."""
    by_post = documents_by_post(submission)
    if not by_post:
        return None
    return render_pdf("pdf/cover_sheet.html", {**_context(submission), "documents": by_post})
