from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from .forms import FAQImportForm
from .models import FAQPage
from .services import faq_import


def faq_import_view(request, page_id):
    """Import a FAQ document into a FAQ page the user may edit.

    A page the user may not edit is a 404: staff of one commune do not learn
    that another commune's pages exist.
    """
    page = get_object_or_404(FAQPage, pk=page_id)
    permissions = page.permissions_for_user(request.user)
    if not permissions.can_edit():
        raise Http404
    can_publish = permissions.can_publish()
    form = FAQImportForm(request.POST or None, request.FILES or None, can_publish=can_publish)
    if request.method == "POST" and form.is_valid():
        publish = can_publish and form.cleaned_data.get("publish", False)
        result = faq_import(
            page=page, text=form.cleaned_data["text"], user=request.user, publish=publish
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
            request, message % {"categories": result.categories, "questions": result.questions}
        )
        return redirect("wagtailadmin_pages:edit", page.pk)
    return TemplateResponse(
        request,
        "faq/admin/import.html",
        {
            "page": page,
            "form": form,
            "edit_url": reverse("wagtailadmin_pages:edit", args=[page.pk]),
        },
    )
