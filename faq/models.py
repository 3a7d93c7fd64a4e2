from dataclasses import dataclass
from html import unescape

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils.html import strip_tags
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, Site
from wagtail.search import index

from cms.cache import entries, site_generation
from cms.pages import PortalPageMixin
from cms.templatetags.portal import json_ld

from .blocks import FAQStreamBlock
from .selectors import faq_entries, faq_json_ld, faq_search

ANCHOR_TAKEN = _("The anchor “%(anchor)s” is already used on this page.")
CONTENTS_KEY = "faq:contents:{page_id}:{generation}"


@dataclass(frozen=True)
class Contents:
    json_ld: str
    body: str


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
        context["contents"] = self.rendered_contents(request)
        query = request.GET.get("q", "").strip()[:200]
        if query:
            context["query"] = query
            categories = faq_entries(page=self, request=request)
            context["results"] = faq_search(categories=categories, query=query)
        return context

    def search_matches(self, request, query: str) -> list[dict]:
        """The questions the site search (``home.search``) lists under this
        page, each leading to its answer."""
        questions = faq_search(categories=faq_entries(page=self, request=request), query=query)
        return [
            {
                "title": q.question,
                "anchor": q.anchor,
                "excerpt": " ".join(unescape(strip_tags(q.answer.replace("<", " <"))).split()),
            }
            for q in questions
        ]

    def rendered_contents(self, request) -> Contents:
        """The table of contents, the questions and their JSON-LD, rendered.

        Kept in the cache under the site's generation (``cms.cache``), which
        publishing any page or saving the commune's settings (the
        placeholders) changes; a preview is rendered afresh and never kept."""
        preview = getattr(request, "is_preview", False)
        if not preview:
            site = Site.find_for_request(request) or self.get_site()
            key = CONTENTS_KEY.format(page_id=self.pk, generation=site_generation(site.pk))
            contents = entries.get(key)
            if contents is not None:
                return contents
        categories = faq_entries(page=self, request=request)
        contents = Contents(
            json_ld=json_ld(faq_json_ld(categories=categories)),
            body=render_to_string("faq/contents.html", {"categories": categories}, request=request),
        )
        if not preview:
            entries.set(key, contents, timeout=settings.PAGE_CACHE_TIMEOUT)
        return contents
