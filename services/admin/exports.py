"""Supervisors export the requests of a démarche; agents print a request for
the paper archive.

The export is a spreadsheet (CSV or XLSX, through Wagtail's
``SpreadsheetExportMixin``) with one row per request and one column per field
of the form (``services.exports``). Rows are read from the database in
chunks and the CSV is streamed, so that a démarche with tens of thousands of
requests is exported without holding them in memory; the XLSX is written to a
temporary file. Only users holding the ``export`` permission for the
démarche's commune may export it, and every export is written to the
commune's log with its filters and its number of rows.
"""

import tempfile

import django_filters
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail.admin.views.mixins import SpreadsheetExportMixin
from wagtail.models import Site

from cms.audit import audit
from cms.filters import PeriodFilter
from cms.spreadsheets import SpreadsheetMixin
from cms.tenancy import communes_for
from cms.uploads import as_attachment, download

from ..exports import ExportColumn, csv_cell, export_columns, export_row
from ..models import ServicePage, Submission
from ..pdf import archive_pdf
from ..policies import submission_policy
from ..selectors import (
    procedure_submissions,
    submissions_matching,
    submissions_visible_to,
    with_message_count,
)
from ..workflows import status_choices
from .filters import ALL, TO_PROCESS, requests_assigned, requests_in_status

EXPORT = "export"
#: Requests read from the database at a time while exporting.
CHUNK_SIZE = 500
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_communes(user):
    """The communes whose requests the user may export."""
    return communes_for(user, submission_policy, (EXPORT,))


def exportable_commune(user, page: ServicePage) -> Site | None:
    """The commune of the démarche, if the user may export its requests."""
    site = page.get_site()
    if site is None or not export_communes(user).filter(pk=site.pk).exists():
        return None
    return site


class ExportFilterSet(django_filters.FilterSet):
    """The filters of the requests screen that make sense for one démarche,
    with the same names, so that its querystring can be passed on: without
    a status, every request is exported."""

    status = django_filters.ChoiceFilter(method="filter_status")
    assigned = django_filters.CharFilter(method="filter_assigned")
    submitted_at = PeriodFilter()

    class Meta:
        model = Submission
        fields = ["status", "assigned", "submitted_at"]

    def __init__(self, *args, commune, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["status"].extra["choices"] = [
            (TO_PROCESS, TO_PROCESS),
            (ALL, ALL),
            *status_choices([commune]),
        ]

    def filter_status(self, queryset, name, value):
        return requests_in_status(queryset, value)

    def filter_assigned(self, queryset, name, value):
        return requests_assigned(queryset, value, user=self.request.user)


#: The queue's filters (and its search, ``q``) that an export of one démarche follows.
EXPORT_FILTERS = ("status", "assigned", "submitted_at_after", "submitted_at_before", "q")


class Chunked:
    """A queryset read ``CHUNK_SIZE`` rows at a time, whoever iterates it."""

    def __init__(self, queryset):
        self.queryset = queryset
        self.model = queryset.model

    def __iter__(self):
        return self.queryset.iterator(chunk_size=CHUNK_SIZE)


def xlsx_text(value):
    """Text fit for an XLSX cell: control characters are not allowed there."""
    # Imported here, like openpyxl in the export itself: it adds about 5 MB
    # to each worker, and only XLSX exports need it.
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


class ProcedureExportView(SpreadsheetMixin, SpreadsheetExportMixin, View):
    """The requests of one démarche as CSV (``?export=csv``, the default) or
    XLSX (``?export=xlsx``), filtered like the requests screen by status
    (``status``), assignment (``assigned``), date sent
    (``submitted_at_after``, ``submitted_at_before``) and search (``q``)."""

    @cached_property
    def columns(self) -> list[ExportColumn]:
        return export_columns(page=self.page, requests=self.requests)

    @cached_property
    def list_export(self):
        return [column.name for column in self.columns]

    @cached_property
    def export_headings(self):
        return {column.name: column.heading for column in self.columns}

    @cached_property
    def custom_field_preprocess(self):
        return {
            column.name: {self.FORMAT_CSV: csv_cell, self.FORMAT_XLSX: xlsx_text}
            for column in self.columns
        }

    def get(self, request, pk):
        self.page = get_object_or_404(ServicePage, pk=pk)
        self.commune = exportable_commune(request.user, self.page)
        if self.commune is None:
            raise Http404
        requests = procedure_submissions(site=self.commune, page=self.page, user=request.user)
        filters = ExportFilterSet(
            request.GET, queryset=requests, commune=self.commune, request=request
        )
        if not filters.is_valid():
            return HttpResponseBadRequest(
                filters.errors.as_text(), content_type="text/plain; charset=utf-8"
            )
        self.requests = filters.qs
        if request.GET.get("q", "").strip():
            self.requests = submissions_matching(self.requests, request.GET["q"])
        export_format = request.GET.get("export") or self.FORMAT_CSV
        if export_format not in self.FORMATS:
            return HttpResponseBadRequest(content_type="text/plain; charset=utf-8")
        queryset = with_message_count(
            self.requests.select_related(
                "account", "member", "assigned_to", "municipal_service", "workflow"
            )
        ).order_by("submitted_at", "pk")
        audit(
            self.page,
            "services.export",
            user=request.user,
            site=self.commune,
            data={
                "format": export_format,
                "rows": queryset.count(),
                "filters": self.applied_filters(filters),
            },
        )
        return self.as_spreadsheet(Chunked(queryset), export_format)

    @staticmethod
    def applied_filters(filters) -> dict:
        return {name: filters.data[name] for name in EXPORT_FILTERS if filters.data.get(name)}

    def get_sheet_name(self):
        return self.page.title

    def get_filename(self):
        return f"demandes-{slugify(self.page.slug)}-{timezone.localdate():%Y-%m-%d}"

    def to_row_dict(self, item):
        return export_row(item, self.columns)

    def get_heading(self, queryset, field):
        return self.export_headings[field]

    def write_xlsx_response(self, queryset):
        """The workbook is written to a temporary file, not to memory."""
        output = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the response)
        self.write_xlsx(queryset, output)
        output.seek(0)
        return download(
            output, content_type=XLSX_CONTENT_TYPE, filename=f"{self.get_filename()}.xlsx"
        )

    def write_csv_response(self, queryset):
        return as_attachment(super().write_csv_response(queryset), f"{self.get_filename()}.csv")


class RequestPDFView(View):
    """A request with its answers, documents, history and internal notes, as
    a PDF for the paper archive, to staff who may see the request only."""

    def get(self, request, pk):
        submission = get_object_or_404(
            submissions_visible_to(user=request.user)
            .filter(anonymised_at__isnull=True)
            .select_related("page_revision", "assigned_to"),
            pk=pk,
        )
        content = archive_pdf(submission)
        audit(submission, "services.archive_pdf", user=request.user)
        return download(
            content, filename=f"demande-{submission.reference}.pdf", content_type="application/pdf"
        )


EXPORT_LABELS = {
    SpreadsheetExportMixin.FORMAT_CSV: gettext_lazy("Download CSV"),
    SpreadsheetExportMixin.FORMAT_XLSX: gettext_lazy("Download XLSX"),
}


def export_links(user, page: ServicePage, filters: dict | None = None) -> list[tuple[str, str]]:
    """The links that export the requests of the démarche, as CSV and as XLSX,
    with ``filters`` (named in ``EXPORT_FILTERS``); none when the user may
    not export them."""
    if exportable_commune(user, page) is None:
        return []
    url = reverse("services_export_procedure", args=[page.pk])
    return [
        (str(label), f"{url}?{urlencode({**(filters or {}), 'export': export_format})}")
        for export_format, label in EXPORT_LABELS.items()
    ]


def archive_pdf_url(submission: Submission) -> str:
    return reverse("services_request_pdf", args=[submission.pk])


def export_urls():
    return [
        path(
            "requests/export/<int:pk>/",
            ProcedureExportView.as_view(),
            name="services_export_procedure",
        ),
        path("requests/pdf/<int:pk>/", RequestPDFView.as_view(), name="services_request_pdf"),
    ]
