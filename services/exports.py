"""The requests of a démarche as a table: one row per request, one column per
field of its form.

A démarche's form changes over time (labels reworded, fields added or
removed) while the answers stay stored under each field's stable key. The
columns are those of the live form, in form order, followed by the fields
found only in the older versions its requests were made with, so that no
answer is lost from an export. Each field fills the columns its type names
(``FieldType.export_columns``).
"""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from wagtail.models import Revision

from cms.spreadsheets import spreadsheet_text

from .fields.schema import Block, steps_of
from .models import ServicePage, Submission


@dataclass(frozen=True)
class ExportColumn:
    """A column of the export: ``name`` identifies it (a field's answers are
    named ``answer:<key>``), ``heading`` heads it; ``block`` is the form field
    whose answers it holds."""

    name: str
    heading: str
    block: Block | None = None


def _field(name: str) -> str:
    return capfirst(str(Submission._meta.get_field(name).verbose_name))


def request_columns() -> list[ExportColumn]:
    """What every export starts with: the request itself, whatever its form."""
    return [
        ExportColumn("reference", _field("reference")),
        ExportColumn("status", _("Status")),
        ExportColumn("submitted_at", _("Sent on")),
        ExportColumn("status_changed_at", _field("status_changed_at")),
        ExportColumn("requester_name", _("Requester")),
        ExportColumn("requester_email", _("E-mail address")),
        ExportColumn("concerns", _("Person concerned")),
        ExportColumn("municipal_service", _("Service")),
        ExportColumn("assigned_to", _field("assigned_to")),
        ExportColumn("messages", _("Messages")),
    ]


def _input_blocks(steps) -> list[Block]:
    return [block for step in steps for block in step.blocks if block.is_input and block.key]


def form_fields(*, page: ServicePage, requests: QuerySet[Submission]) -> list[Block]:
    """The fields of the live form in form order, then those found only in
    the older versions of the form that ``requests`` were made with, newest
    version first. Each version is read once, however many requests used it."""
    fields = {block.key: block for block in _input_blocks(page.specific.steps)}
    used = (
        requests.order_by()
        .exclude(page_revision__isnull=True)
        .values_list("page_revision_id", flat=True)
        .distinct()
    )
    revisions = Revision.objects.filter(pk__in=used).order_by("-created_at", "-pk")
    for revision in revisions.only("content"):
        for block in _input_blocks(steps_of(revision.content.get("form") or [])):
            fields.setdefault(block.key, block)
    return list(fields.values())


def export_columns(*, page: ServicePage, requests: QuerySet[Submission]) -> list[ExportColumn]:
    return request_columns() + [
        ExportColumn(name, heading, block)
        for block in form_fields(page=page, requests=requests)
        for name, heading in block.field_type.export_columns(block)
    ]


def _person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _concerns(submission: Submission) -> str:
    if submission.concerns:
        return submission.concerns
    if submission.member_id:
        member = submission.member
        return f"{member.first_name} {member.last_name}".strip()
    return ""


def _local(value: datetime.datetime | None) -> datetime.datetime | None:
    """A date and time as the agents read it: in their time zone, without one
    (spreadsheets know no time zones)."""
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None, microsecond=0)


def answer_cells(submission: Submission, block: Block) -> dict[str, str]:
    """The cells of a field's columns, by column name: its answer as text, as
    the request's page shows it."""
    field_type = block.field_type
    value = submission.data.get(block.key)
    try:
        return field_type.export_cells(block, value, submission=submission)
    except (AttributeError, TypeError, ValueError):
        # Answered when the field was of another type: one odd cell must not
        # cut the export short.
        return {name: str(value) for name, _heading in field_type.export_columns(block)}


def export_row(submission: Submission, columns: list[ExportColumn]) -> dict:
    """The cells of one request, by column name. Dates are ``datetime``
    objects; everything else is text."""
    cells = {
        "reference": submission.reference,
        "status": str(submission.get_status_display()),
        "submitted_at": _local(submission.submitted_at),
        "status_changed_at": _local(submission.status_changed_at),
        "requester_name": submission.requester_name,
        "requester_email": submission.requester_email,
        "concerns": _concerns(submission),
        "municipal_service": submission.service_name,
        "assigned_to": _person(submission.assigned_to),
        "messages": getattr(submission, "message_count", None),
    }
    blocks = {column.block.key: column.block for column in columns if column.block is not None}
    for block in blocks.values():
        cells.update(answer_cells(submission, block))
    return {column.name: cells.get(column.name) for column in columns}


def csv_cell(value) -> str:
    """A cell of the CSV file: dates as ``YYYY-MM-DD HH:MM``, and text a
    spreadsheet would run as a formula neutralised."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return spreadsheet_text(value)
