from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from cms.pages import FooterLinkMixin, PortalPageMixin

RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link"]


class HomePage(PortalPageMixin, Page):
    """The commune's home page: welcome text and the ways into the portal."""

    welcome = RichTextField(
        _("welcome text"),
        blank=True,
        features=RICH_TEXT_FEATURES,
        help_text=_("A few lines to welcome citizens to the portal."),
    )

    content_panels = [*Page.content_panels, FieldPanel("welcome")]
    search_fields = [*Page.search_fields, index.SearchField("welcome")]

    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")


class ContentPage(FooterLinkMixin, PortalPageMixin, Page):
    """A page of text: legal notice, accessibility statement, personal data, etc."""

    body = RichTextField(_("content"), features=RICH_TEXT_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("body")]
    promote_panels = [*Page.promote_panels, FieldPanel("in_footer")]
    search_fields = [*Page.search_fields, index.SearchField("body")]

    parent_page_types = ["home.HomePage", "home.ContentPage"]

    class Meta:
        verbose_name = _("content page")
        verbose_name_plural = _("content pages")
