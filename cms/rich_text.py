"""Rich text link handling shared by every page of the portal."""

from django.utils.html import escape
from wagtail.models import Locale, Page
from wagtail.rich_text.pages import PageLinkHandler

from .tenancy import current_request


class LocalizedPageLinkHandler(PageLinkHandler):
    """Links to pages, in the reader's language when the page is translated.

    Wagtail's own handler looks up each link's translation one query at a
    time; this one finds the translations of all the links of a text at once,
    so a FAQ with many links costs the same few queries as one with none.
    Links to pages of the site being served are relative, so they work
    whatever the port or scheme the site is reached on.
    """

    @classmethod
    def expand_db_attributes_many(cls, attrs_list: list[dict]) -> list[str]:
        pages = cls.get_many(attrs_list)
        found = [page for page in pages if page is not None]
        translations = {}
        if found:
            locale = Locale.get_active()
            translations = {
                page.translation_key: page
                for page in Page.objects.live()
                .filter(locale=locale, translation_key__in=[p.translation_key for p in found])
                .exclude(pk__in=[p.pk for p in found if p.locale_id == locale.pk])
            }
        request = current_request.get()
        links = []
        for page in pages:
            if page is None:
                links.append("<a>")
                continue
            url = translations.get(page.translation_key, page).get_url(request)
            links.append(f'<a href="{escape(url)}">')
        return links
