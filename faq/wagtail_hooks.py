from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets import Button

from .models import FAQPage
from .views import FAQImportView


@hooks.register("register_admin_urls")
def register_faq_import_url():
    return [path("faq/<int:page_id>/import/", FAQImportView.as_view(), name="faq_import")]


@hooks.register("register_page_header_buttons")
def faq_import_button(page, user, view_name, next_url=None):
    if isinstance(page.specific_deferred, FAQPage) and page.permissions_for_user(user).can_edit():
        yield Button(
            _("Import a FAQ document"),
            reverse("faq_import", args=[page.pk]),
            icon_name="upload",
            priority=40,
        )
