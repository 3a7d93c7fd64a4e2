"""The site search: the live pages of the request's commune, in the
language of the request, found by Wagtail's search backend whatever the
accents (``cms.pages.PortalPageMixin.unaccented_search_text``)."""

import re
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.html import strip_tags
from django.utils.text import Truncator
from wagtail.models import Locale, Page, Site

from cms.pages import locale_languages
from cms.placeholders import fill_for_site, strip_accents

MAX_QUERY = 200
MAX_RESULTS = 50
MAX_MATCHES = 8
EXCERPT_WORDS = 30
WORD_RE = re.compile(r"\w+")


@dataclass(frozen=True)
class Match:
    """A part of a result's page that matches: a FAQ question."""

    title: str
    url: str
    excerpt: str


@dataclass(frozen=True)
class Result:
    title: str
    url: str
    excerpt: str
    matches: list[Match] = field(default_factory=list)
    lang: str = ""
    """The page's language, when it is not the visitor's."""


def search_terms(query: str) -> str:
    """The words of the query, without accents nor the search engine's own
    syntax (quotes, operators, stars), which a visitor never means."""
    return " ".join(WORD_RE.findall(strip_accents(query[:MAX_QUERY]).lower()))


def searched_pages(*, site: Site, locale: Locale):
    """The pages the search looks into: below the commune's home page in the
    language asked for (in French when the commune has no translation),
    live and not restricted."""
    root = site.root_page
    home = root.get_translation_or_none(locale) or root
    return Page.objects.live().public().descendant_of(home).filter(locale_id=home.locale_id)


def _excerpt(page) -> str:
    for name in ("search_description", "summary", "intro", "body"):
        value = getattr(page, name, "")
        if isinstance(value, str) and value.strip():
            return Truncator(strip_tags(value).strip()).words(EXCERPT_WORDS)
    return ""


def site_search(*, request, query: str) -> list[Result]:
    """The pages matching every word of ``query``, best first; failing that,
    those matching any of them."""
    terms = search_terms(query)
    if not terms:
        return []
    pages = searched_pages(site=request.commune, locale=Locale.get_active())
    found = list(pages.search(terms, operator="and")[:MAX_RESULTS])
    if not found and " " in terms:
        found = list(pages.search(terms, operator="or")[:MAX_RESULTS])
    results = []
    for page in found:
        page = page.specific
        url = page.get_url(request)
        matches_of = getattr(page, "search_matches", None)
        matches = [
            Match(
                title=match["title"],
                url=f"{url}#{match['anchor']}",
                excerpt=Truncator(match["excerpt"]).words(EXCERPT_WORDS),
            )
            for match in (matches_of(request, query) if matches_of else [])[:MAX_MATCHES]
        ]
        language = locale_languages().get(page.locale_id, "")
        results.append(
            Result(
                title=page.title,
                url=url,
                excerpt=fill_for_site(_excerpt(page), request.commune.pk),
                matches=matches,
                lang=language if language != translation.get_language() else "",
            )
        )
    return results
