from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets import Button

from cms.extensions import CommuneInstallable, CommunePage
from cms.uploads import upload_limits

from .forms import MAX_DOCUMENT_SIZE
from .models import FAQPage
from .views import FAQImportView


@hooks.register("register_admin_urls")
def register_faq_import_url():
    view = upload_limits(lambda request, page_id: {"document": MAX_DOCUMENT_SIZE})(
        FAQImportView.as_view()
    )
    return [path("faq/<int:page_id>/import/", view, name="faq_import")]


@hooks.register("register_page_header_buttons")
def faq_import_button(page, user, view_name, next_url=None):
    if isinstance(page.specific_deferred, FAQPage) and page.permissions_for_user(user).can_edit():
        yield Button(
            _("Import a FAQ document"),
            reverse("faq_import", args=[page.pk]),
            icon_name="upload",
            priority=40,
        )


@hooks.register("register_commune_page", order=10)
def commune_faq_page():
    return CommunePage(FAQPage, title="Foire aux questions", slug="faq")


@hooks.register("register_commune_exchange", order=60)
def commune_file_part():
    from cms.extensions import CommuneExchange

    from .commune_file import faq_export, faq_import

    return CommuneExchange(key="faq", export=faq_export, import_=faq_import)


@hooks.register("register_commune_installable", order=20)
def faq_installable():
    from .services import FAQStart, faq_install

    return CommuneInstallable(
        key="faq",
        label=_("FAQ"),
        install=faq_install,
        choices=lambda: FAQStart.choices,
        default=FAQStart.DRAFT,
        help_text=_("The portal's shared questions and answers, naming the commune."),
    )
