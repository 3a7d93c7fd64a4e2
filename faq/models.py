from django.core.exceptions import ValidationError
from django.utils.html import strip_tags
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.pages import PortalPageMixin

from .blocks import FAQStreamBlock
from .selectors import faq_entries, faq_json_ld, faq_search

ANCHOR_TAKEN = _("The anchor “%(anchor)s” is already used on this page.")


class FAQPage(PortalPageMixin, Page):
    """Frequently asked questions: categories of questions with a table of contents."""

    intro = RichTextField(
        _("introduction"),
        blank=True,
        features=["bold", "italic", "link"],
    )
    body = StreamField(
        FAQStreamBlock(),
        verbose_name=_("questions"),
        blank=True,
        help_text=_("The categories and their questions, in table of contents order."),
    )

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("body")]

    parent_page_types = ["home.HomePage"]
    subpage_types = []
    max_count_per_parent = 1
    template = "faq/faq_page.html"

    class Meta:
        verbose_name = _("FAQ page")
        verbose_name_plural = _("FAQ pages")

    def clean(self):
        super().clean()
        self.assign_anchors()

    def assign_anchors(self):
        """Give every category and question without an anchor one made from its
        text, and refuse two identical anchors on the page."""
        seen = set()
        for category in self.body:
            items = [(category.value, category.value["title"])]
            items += [(q, q["question"]) for q in category.value["questions"]]
            for value, text in items:
                anchor = value.get("anchor") or ""
                if not anchor:
                    base = slugify(strip_tags(text))[:70] or "question"
                    anchor, n = base, 2
                    while anchor in seen:
                        anchor, n = f"{base}-{n}", n + 1
                    value["anchor"] = anchor
                elif anchor in seen:
                    raise ValidationError(ANCHOR_TAKEN, params={"anchor": anchor})
                seen.add(anchor)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        categories = faq_entries(page=self, request=request)
        context["categories"] = categories
        context["json_ld"] = faq_json_ld(categories=categories)
        query = request.GET.get("q", "").strip()[:200]
        if query:
            context["query"] = query
            context["results"] = faq_search(categories=categories, query=query)
        return context
