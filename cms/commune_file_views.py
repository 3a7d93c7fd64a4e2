"""The platform admin's screens for commune files (``cms.commune_file``):
the communes, each with its file to download, and the import of a file as a
new commune, or over an existing one when asked. Superusers only."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import Site

from . import antivirus
from .commune_file import (
    CommuneFileError,
    commune_export,
    commune_file_name,
    commune_import,
)
from .uploads import RefusedUpload, ceiling, download

FILE_TOO_BIG = _("The file “%(name)s” weighs more than %(limit)s MB, the limit.")


class PlatformAdminOnly:
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class CommuneFilesView(PlatformAdminOnly, WagtailAdminTemplateMixin, TemplateView):
    template_name = "cms/admin/commune_files.html"
    page_title = _("Commune files")
    header_icon = "download"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "sites": Site.objects.order_by("site_name", "hostname"),
        }

    def get_breadcrumbs_items(self):
        return [*super().get_breadcrumbs_items(), {"url": "", "label": self.get_page_title()}]


def export_view(request, site_id):
    if not request.user.is_superuser:
        raise PermissionDenied
    site = get_object_or_404(Site, pk=site_id)
    return download(
        commune_export(site=site),
        filename=commune_file_name(site),
        content_type="application/zip",
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Commune file"),
        help_text=_("A ZIP file exported from a commune (“Export”)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        required=False,
        help_text=_("Official name of the new commune, as it is written: “L'Île-d'Yeu”."),
    )
    hostname = forms.CharField(
        label=_("Host name"),
        max_length=255,
        help_text=_("Domain of its portal, e.g. lile-dyeu.example.fr."),
    )
    phrase = forms.CharField(
        label=_("Name in a sentence"),
        max_length=160,
        required=False,
        help_text=_(
            "Used in texts: “la mairie de L'Île-d'Yeu”. Left empty: “la mairie de <name>”."
        ),
    )
    replace = forms.BooleanField(
        label=_("Replace the configuration of the commune at this host name"),
        required=False,
        help_text=_(
            "Its pages, démarches, workflows, templates and settings are replaced; its "
            "citizens' accounts, requests and invoices are kept. Without it, a host name "
            "already in use is refused."
        ),
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        if isinstance(file, RefusedUpload) or file.size > ceiling():
            raise forms.ValidationError(
                FILE_TOO_BIG, params={"name": file.name, "limit": ceiling() // (1024 * 1024)}
            )
        antivirus.check(file, name=file.name)
        return file

    def clean_hostname(self):
        return self.cleaned_data["hostname"].strip().lower()


class ImportView(PlatformAdminOnly, WagtailAdminTemplateMixin, FormView):
    template_name = "cms/admin/commune_import.html"
    page_title = _("Import a commune")
    header_icon = "upload"
    form_class = ImportForm

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            report = commune_import(
                file=data["file"],
                hostname=data["hostname"],
                name=data["name"],
                phrase=data["phrase"],
                replace=data["replace"],
            )
        except CommuneFileError as error:
            field = error.path if error.path in ("name", "hostname") else "file"
            form.add_error(field, str(error) if field == "file" else error.message)
            return self.form_invalid(form)
        return self.response_class(
            request=self.request,
            template=["cms/admin/commune_imported.html"],
            context=self.get_context_data(form=form, report=report),
            using=self.template_engine,
        )

    def get_breadcrumbs_items(self):
        return [
            *super().get_breadcrumbs_items(),
            {"url": reverse("commune_files"), "label": _("Commune files")},
            {"url": "", "label": self.get_page_title()},
        ]


class PlatformAdminMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser


def commune_file_urls():
    return [
        path("communes/files/", CommuneFilesView.as_view(), name="commune_files"),
        path("communes/files/import/", ImportView.as_view(), name="commune_file_import"),
        path("communes/<int:site_id>/export/", export_view, name="commune_file_export"),
    ]


def commune_files_menu_item():
    return PlatformAdminMenuItem(
        _("Commune files"), reverse("commune_files"), icon_name="download", order=650
    )
