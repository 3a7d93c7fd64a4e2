from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.opening_hours import next_midnight
from cms.pages import FooterLinkMixin, PortalPageMixin

from .blocks import HomeStreamBlock, default_body

RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link"]


class HomePage(PortalPageMixin, Page):
    """The commune's home page, built by staff from blocks (``home.blocks``):
    texts, the site search box, the popular démarches, the categories, the
    information banners, the town hall's hours. A citizen logged in also sees
    their summary ("Mon espace")."""

    body = StreamField(
        HomeStreamBlock(),
        verbose_name=_("content"),
        blank=True,
        default=default_body,
        help_text=_("The blocks of the home page, in the order citizens see them."),
    )

    content_panels = [*Page.content_panels, FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("body")]

    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")

    def serve(self, request, *args, **kwargs):
        # Banners and the hours of "today" change at midnight: a copy kept
        # for anonymous visitors lasts until then at most (``cms.cache``).
        request.page_cache_until = next_midnight().timestamp()
        return super().serve(request, *args, **kwargs)


class ContentPage(FooterLinkMixin, PortalPageMixin, Page):
    """A page of text: legal notice, accessibility statement, personal data, etc."""

    body = RichTextField(
        _("content"),
        features=RICH_TEXT_FEATURES,
        help_text=_(
            "Placeholders filled from the commune's settings: {commune}, {mairie}, {portail}, "
            "{adresse_mairie}, {courriel}, {telephone}, {dpo}, {dpo_courriel}, {hebergeur}, "
            "{hebergeur_adresse}."
        ),
    )

    content_panels = [*Page.content_panels, FieldPanel("body")]
    promote_panels = [
        *Page.promote_panels,
        FieldPanel("in_footer"),
        FieldPanel("accessibility_compliance"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("body")]

    parent_page_types = ["home.HomePage", "home.ContentPage"]

    class Meta:
        verbose_name = _("content page")
        verbose_name_plural = _("content pages")
