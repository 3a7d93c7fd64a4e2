"""The documents a citizen prints: the receipt of a request (récépissé) and
the cover sheet (bordereau) that goes with documents sent by post.

Both are rendered from HTML templates by WeasyPrint, with no resource fetched
from outside: the commune's logo is embedded in the HTML, and any other URL is
refused, so that nothing typed by a citizen can make the renderer read a file
or reach the network.
"""

from dataclasses import dataclass
from datetime import date

from django.template.loader import render_to_string
from django.utils import timezone

from accounts.validators import format_phone
from cms.models import CommuneSettings
from cms.pdf import logo_data_uri

from .fields.answers import AnswerRow, answer_rows
from .models import StatusChange, Submission


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
    # Imported here: WeasyPrint and its font and CSS libraries add about
    # 20 MB to each worker, and only these documents need them.
    from weasyprint import HTML, URLFetcher

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


@dataclass
class HistoryLine:
    """A status change as the archive prints it: the labels of the items the
    citizen was asked to correct, and the corrections (label, before, after)."""

    change: StatusChange
    requested: list[str]
    changes: list[tuple[str, str, str]]


def history_lines(submission: Submission) -> list[HistoryLine]:
    return [
        HistoryLine(
            change=change,
            requested=[item.get("label") or item.get("key", "") for item in change.requested],
            changes=[
                (
                    item.get("label") or item.get("key", ""),
                    item.get("before") or "",
                    item.get("after") or "",
                )
                for item in change.changes
            ],
        )
        for change in submission.history.select_related("author")
    ]


def _received_on(received: dict, key: str) -> date | bool:
    """When the town hall received a document promised by post (``True`` if
    the date is unknown), or ``False``."""
    info = received.get(key)
    if not info:
        return False
    try:
        return date.fromisoformat(info.get("on"))
    except (AttributeError, TypeError, ValueError):
        return True


def archive_pdf(submission: Submission) -> bytes:
    """The whole request for the paper archive: who asked what, the answers in
    form order, the documents, the history with the status messages and the
    corrections, the messages exchanged with the town hall, and the agents'
    internal notes."""
    rows = [
        (step, [row for row in step_rows if not row.is_document])
        for step, step_rows in answer_rows(submission.steps, submission.data)
    ]
    received = submission.received_by_post or {}
    documents = [
        (
            DocumentLine(
                label=row.label,
                name=row.value.get("name", ""),
                size=row.value.get("size") or 0,
                by_post=row.by_post,
            ),
            _received_on(received, row.block.key),
        )
        for _step, step_rows in answer_rows(submission.steps, submission.data)
        for row in step_rows
        if row.is_document and isinstance(row.value, dict)
    ]
    return render_pdf(
        "pdf/archive.html",
        {
            **_context(submission),
            "rows": [(step, step_rows) for step, step_rows in rows if step_rows],
            "documents": documents,
            "history": history_lines(submission),
            "issued": submission.issued.all(),
            "messages": submission.messages.select_related("author").prefetch_related(
                "attachments"
            ),
            "notes": submission.notes.select_related("author"),
            "contact_phone": format_phone(submission.contact_phone)
            if submission.contact_phone
            else "",
            "printed_at": timezone.now(),
        },
    )
