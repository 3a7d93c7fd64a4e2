from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .forms import FAQImportForm
from .models import FAQPage
from .services import faq_import


class FAQImportView(WagtailAdminTemplateMixin, FormView):
    """Import a FAQ document into a FAQ page the user may edit.

    A page the user may not edit is a 404: staff of one commune do not learn
    that another commune's pages exist.
    """

    form_class = FAQImportForm
    template_name = "faq/admin/import.html"
    page_title = gettext_lazy("Import a FAQ document")
    header_icon = "upload"

    def dispatch(self, request, *args, page_id, **kwargs):
        self.page = get_object_or_404(FAQPage, pk=page_id)
        permissions = self.page.permissions_for_user(request.user)
        if not permissions.can_edit():
            raise Http404
        self.can_publish = permissions.can_publish()
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.page.get_admin_display_title()

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse("wagtailadmin_pages:edit", args=[self.page.pk]),
                "label": self.page.get_admin_display_title(),
            },
            {"url": "", "label": self.page_title},
        ]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "can_publish": self.can_publish}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            edit_url=reverse("wagtailadmin_pages:edit", args=[self.page.pk]), **kwargs
        )

    def form_valid(self, form):
        publish = self.can_publish and form.cleaned_data.get("publish", False)
        result = faq_import(
            page=self.page, text=form.cleaned_data["text"], user=self.request.user, publish=publish
        )
        if not result.changed:
            message = _("The FAQ already matches this document: nothing changed.")
        elif result.published:
            message = _(
                "FAQ imported and published: %(categories)d categories, %(questions)d questions."
            )
        else:
            message = _(
                "FAQ imported as a draft: %(categories)d categories, %(questions)d questions."
            )
        messages.success(
            self.request,
            message % {"categories": result.categories, "questions": result.questions},
        )
        return redirect("wagtailadmin_pages:edit", self.page.pk)
