"""Rich text link handling shared by every page of the portal."""

from django.db.models import Q
from django.utils import translation
from django.utils.html import escape
from wagtail.models import Page
from wagtail.rich_text.pages import PageLinkHandler

from .pages import locale_id_for_language
from .tenancy import current_request


class LocalizedPageLinkHandler(PageLinkHandler):
    """Links to pages, in the reader's language when the page is translated.

    Wagtail's own handler looks up each link's translation one query at a
    time; this one finds the linked pages and their translations in one query
    for all the links of a text, so a FAQ with many links costs the same as
    one with none. Links to pages of the site being served are relative, so
    they work whatever the port or scheme the site is reached on.
    """

    @classmethod
    def expand_db_attributes_many(cls, attrs_list: list[dict]) -> list[str]:
        ids = {str(attrs.get("id")) for attrs in attrs_list}
        locale_id = locale_id_for_language(translation.get_language())
        linked = Page.objects.filter(pk__in=[i for i in ids if i.isdigit()])
        translations = Q(
            translation_key__in=linked.values("translation_key"), locale_id=locale_id, live=True
        )
        candidates = Page.objects.filter(Q(pk__in=linked.values("pk")) | translations)
        candidates = candidates.defer_streamfields()
        by_id, translated = {}, {}
        for page in candidates:
            if str(page.pk) in ids:
                by_id[str(page.pk)] = page
            if page.locale_id == locale_id and page.live:
                translated[page.translation_key] = page

        request = current_request.get()
        links = []
        for attrs in attrs_list:
            page = by_id.get(str(attrs.get("id")))
            if page is None:
                links.append("<a>")
                continue
            url = translated.get(page.translation_key, page).get_url(request)
            links.append(f'<a href="{escape(url)}">')
        return links
