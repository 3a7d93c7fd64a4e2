"""Démarche files from the page's admin menu: "Export the démarche" on a
démarche downloads its file (``services.exchange``); "Import a démarche" on a
services index reads one into a new draft, then opens it in the editor.

Whoever may edit a démarche exports it; whoever may add a page under the
index imports one there. Another commune's page is a 404, as everywhere in
the admin.
"""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from cms import antivirus
from cms.uploads import RefusedUpload, as_attachment, upload_limits

from ..exchange import (
    DemarcheFileError,
    demarche_dumps,
    demarche_export,
    demarche_import,
    demarche_loads,
)
from ..models import ServiceIndexPage, ServicePage

#: A démarche file carries its documents: a few of them, in base64.
MAX_FILE_SIZE = 20 * 1024 * 1024
FILE_TOO_LARGE = gettext_lazy("The file is larger than 20 MB: it cannot be a démarche file.")


def export_view(request, page_id: int):
    """The démarche's file, to save."""
    page = get_object_or_404(ServicePage, pk=page_id)
    if not page.permissions_for_user(request.user).can_edit():
        raise Http404
    text = demarche_dumps(demarche_export(page=page))
    response = HttpResponse(text.encode(), content_type="application/json; charset=utf-8")
    return as_attachment(response, f"{page.slug}.json")


class DemarcheImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Démarche file"),
        help_text=gettext_lazy(
            "A .json file written by “Export the démarche” on this portal or another one."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if isinstance(upload, RefusedUpload) or upload.size > MAX_FILE_SIZE:
            raise forms.ValidationError(FILE_TOO_LARGE)
        antivirus.check(upload, name=upload.name)
        upload.seek(0)
        try:
            self.document = demarche_loads(upload.read())
        except DemarcheFileError as error:
            raise forms.ValidationError(str(error)) from None
        return upload


class DemarcheImportView(WagtailAdminTemplateMixin, FormView):
    """Read a démarche file into a draft under a services index."""

    form_class = DemarcheImportForm
    template_name = "services/admin/demarche_import.html"
    page_title = gettext_lazy("Import a démarche")
    header_icon = "upload"

    def dispatch(self, request, *args, page_id, **kwargs):
        self.index = get_object_or_404(ServiceIndexPage, pk=page_id)
        if not self.index.permissions_for_user(request.user).can_add_subpage():
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.index.get_admin_display_title()

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse("wagtailadmin_explore", args=[self.index.pk]),
                "label": self.index.get_admin_display_title(),
            },
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            cancel_url=reverse("wagtailadmin_explore", args=[self.index.pk]), **kwargs
        )

    def form_valid(self, form):
        try:
            page = demarche_import(index=self.index, document=form.document, publish=False)
        except DemarcheFileError as error:
            form.add_error("file", str(error))
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("“%(title)s” imported as a draft: review it, then publish it.")
            % {"title": page.title},
        )
        return redirect("wagtailadmin_pages:edit", page.pk)


def exchange_urls():
    importing = upload_limits(lambda request, page_id: {"file": MAX_FILE_SIZE})(
        DemarcheImportView.as_view()
    )
    return [
        path("demarches/<int:page_id>/export/", export_view, name="demarche_export"),
        path("demarches/<int:page_id>/import/", importing, name="demarche_import"),
    ]
