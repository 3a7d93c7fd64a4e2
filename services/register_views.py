"""Reports › Register of processing activities: a commune's register (GDPR
article 30) for its data protection officer, on screen and as CSV, XLSX and
PDF. Supervisors see their communes' registers, platform admins every one."""

from django.http import Http404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.reports import ReportView
from wagtail.admin.widgets import Button

from cms.audit import READ_LOG, audit_policy
from cms.models import CommuneSettings
from cms.pdf import logo_data_uri
from cms.spreadsheets import SpreadsheetMixin
from cms.tenancy import communes_for
from cms.uploads import download

from .pdf import render_pdf
from .register import processing_register

FORMAT_PDF = "pdf"


class ProcessingRegisterView(SpreadsheetMixin, ReportView):
    page_title = _("Register of processing activities")
    header_icon = "list-ul"
    template_name = "services/admin/register.html"
    results_template_name = "services/admin/register_results.html"
    index_url_name = "services_register"
    index_results_url_name = "services_register_results"
    any_permission_required = ["view"]
    permission_policy = audit_policy
    paginate_by = None
    list_export = [
        "name",
        "purpose",
        "legal_basis",
        "data_subjects",
        "data_categories",
        "recipients",
        "retention",
        "transfers",
        "security",
    ]
    export_headings = {
        "name": _("Processing"),
        "purpose": _("Purpose"),
        "legal_basis": _("Legal basis"),
        "data_subjects": _("People concerned"),
        "data_categories": _("Categories of data"),
        "recipients": _("Recipients"),
        "retention": _("Retention period"),
        "transfers": _("Transfers outside the European Union"),
        "security": _("Security measures"),
    }

    @cached_property
    def communes(self):
        communes = communes_for(self.request.user, audit_policy, READ_LOG)
        return list(communes.order_by("site_name", "hostname"))

    @cached_property
    def site(self):
        chosen = self.request.GET.get("commune")
        if not chosen:
            if not self.communes:
                raise Http404
            return self.communes[0]
        for site in self.communes:
            if str(site.pk) == chosen:
                return site
        raise Http404

    @cached_property
    def commune(self) -> CommuneSettings:
        return CommuneSettings.for_site(self.site)

    def get_queryset(self):
        return processing_register(site=self.site)

    def get_sheet_name(self):
        return str(_("Register"))

    def get_filename(self):
        name = slugify(self.commune.official_name or self.site.hostname)
        return f"registre-traitements-{name}-{timezone.localdate():%Y-%m-%d}"

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == FORMAT_PDF:
            return self.pdf_response()
        return super().get(request, *args, **kwargs)

    def pdf_response(self):
        content = render_pdf(
            "pdf/processing_register.html",
            {
                "commune": self.commune,
                "logo": logo_data_uri(self.commune),
                "processings": self.get_queryset(),
                "today": timezone.localdate(),
            },
        )
        return download(
            content, filename=f"{self.get_filename()}.pdf", content_type="application/pdf"
        )

    @cached_property
    def header_more_buttons(self):
        return [
            *super().header_more_buttons,
            Button(
                _("Download PDF"),
                url=self.get_export_url(FORMAT_PDF),
                icon_name="doc-full",
                priority=80,
            ),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            commune=self.commune,
            site=self.site,
            communes=self.communes if len(self.communes) > 1 else [],
        )
        return context


class ProcessingRegisterMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser or audit_policy.user_has_permission(request.user, "view")


def register_menu_item():
    return ProcessingRegisterMenuItem(
        _("Register of processing activities"),
        reverse("services_register"),
        name="processing-register",
        icon_name="list-ul",
        order=1200,
    )


def register_urls():
    return [
        path(
            "reports/processing-register/",
            ProcessingRegisterView.as_view(),
            name="services_register",
        ),
        path(
            "reports/processing-register/results/",
            ProcessingRegisterView.as_view(results_only=True),
            name="services_register_results",
        ),
    ]
