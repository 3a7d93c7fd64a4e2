"""The démarches of a services index as citizens browse them: searched by
words, filtered by category, each with what to know before starting (an
account or not, the time it takes, what to have at hand).

The entries of an index are read, their rich text rendered and their
placeholders filled (``cms.placeholders``) once per publication: they are
kept under the site's generation (``cms.cache``), which publishing,
unpublishing or moving any page changes. A search or a category is applied
to them in Python, whatever the accents and capitals, so that a query string
(which the anonymous page cache never stores) costs no query to the database.
"""

import re
from dataclasses import dataclass, field
from itertools import groupby

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext, ngettext
from wagtail.models import Site
from wagtail.rich_text import expand_db_html

from cms.cache import entries, site_generation
from cms.placeholders import fill_placeholders, site_placeholder_values

from .models import ServiceIndexPage, ServicePage
from .search import search_normalise

CATALOGUE_KEY = "services:catalogue:{page_id}:{generation}"
#: The query parameters of the index: the words searched and the category's slug.
QUERY_PARAMETER = "q"
CATEGORY_PARAMETER = "categorie"
#: Characters of a search kept; the rest is dropped.
QUERY_LENGTH = 200
WORD_RE = re.compile(r"\w+")


def category_slug(category: str) -> str:
    """The category's name in an address (``?categorie=etat-civil``): the
    same for names that differ only by their accents, capitals or spaces."""
    return slugify(category) or slugify(category, allow_unicode=True) or "categorie"


def duration_text(minutes: int | None) -> str:
    """The time a démarche takes to fill in, for a citizen: "about 5 minutes",
    "about 1 h 30"."""
    if not minutes:
        return ""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return ngettext("about %(count)d minute", "about %(count)d minutes", rest) % {"count": rest}
    if not rest:
        return ngettext("about %(count)d hour", "about %(count)d hours", hours) % {"count": hours}
    return gettext("about %(hours)d h %(minutes)02d") % {"hours": hours, "minutes": rest}


@dataclass(frozen=True)
class Entry:
    """A démarche as the index shows it."""

    title: str
    url: str
    category: str
    category_slug: str
    summary: str
    requires_account: bool
    requires_franceconnect: bool
    duration_minutes: int | None
    documents: SafeString
    """What to have at hand, rendered (links to documents expanded)."""
    search_text: str
    """Title, summary and category, as ``search_normalise`` writes them."""


def catalogue_entries(*, index: ServiceIndexPage, request) -> tuple[Entry, ...]:
    """The live, public démarches of ``index``, sorted by category and title,
    whatever the accents; from the cache when served at the index's address."""
    preview = getattr(request, "is_preview", False)
    site = Site.find_for_request(request)
    if preview or site is None:
        return _entries_of(index, request)
    key = CATALOGUE_KEY.format(page_id=index.pk, generation=site_generation(site.pk))
    kept = entries.get(key)
    if kept is None:
        kept = _entries_of(index, request)
        entries.set(key, kept, timeout=settings.PAGE_CACHE_TIMEOUT)
    return kept


SEPARATOR = "<!--demarche-->"


def _entries_of(index: ServiceIndexPage, request) -> tuple[Entry, ...]:
    pages = list(
        ServicePage.objects.child_of(index)
        .live()
        .public()
        .only(
            "title",
            "slug",
            "url_path",
            "locale_id",
            "category",
            "summary",
            "requires_account",
            "requires_franceconnect",
            "duration_minutes",
            "documents",
        )
    )
    if not pages:
        return ()
    # All the texts expanded together: their links are looked up at once.
    documents = expand_db_html(SEPARATOR.join(p.documents for p in pages)).split(SEPARATOR)
    site = Site.find_for_request(request) or index.get_site()
    values = site_placeholder_values(site.pk) if site is not None else {}
    made = []
    for page, text in zip(pages, documents, strict=True):
        url = page.get_url(request=request)
        if not url:
            continue
        summary = fill_placeholders(page.summary, values)
        made.append(
            Entry(
                title=page.title,
                url=url,
                category=page.category,
                category_slug=category_slug(page.category),
                summary=summary,
                requires_account=page.requires_account or page.requires_franceconnect,
                requires_franceconnect=page.requires_franceconnect,
                duration_minutes=page.duration_minutes,
                # Rich text expanded by Wagtail, as its ``richtext`` filter does.
                documents=mark_safe(fill_placeholders(text.strip(), values, html=True)),  # noqa: S308  # nosec B308 B703
                search_text=search_normalise(f"{page.title} {summary} {page.category}"),
            )
        )
    made.sort(key=lambda e: (e.category_slug, search_normalise(e.title)))
    return tuple(made)


@dataclass(frozen=True)
class Category:
    name: str
    slug: str
    count: int
    """Démarches of the category that match the words searched."""


@dataclass
class Catalogue:
    """What the index shows for one query string."""

    query: str = ""
    category: Category | None = None
    unknown_category: bool = False
    """A category was asked for that the index does not have: all are shown."""
    categories: list[Category] = field(default_factory=list)
    matching: int = 0
    """Démarches that match the words, in every category."""
    groups: list[tuple[Category, list[Entry]]] = field(default_factory=list)
    total: int = 0
    """Démarches of the index, whatever is searched."""

    @property
    def count(self) -> int:
        return sum(len(group) for _category, group in self.groups)

    @property
    def filtered(self) -> bool:
        return bool(self.query or self.category or self.unknown_category)


def catalogue_query(request) -> tuple[str, str]:
    """The words searched and the category asked for, as the request gives
    them: the last of each parameter, spaces collapsed, the words cut to
    ``QUERY_LENGTH`` characters."""
    query = " ".join(request.GET.get(QUERY_PARAMETER, "").split())[:QUERY_LENGTH].strip()
    category = request.GET.get(CATEGORY_PARAMETER, "").strip()[:QUERY_LENGTH]
    return query, category


def catalogue_search(all_entries: tuple[Entry, ...], *, query: str = "", category: str = ""):
    """The entries whose title, summary or category hold every word of
    ``query`` (accents, capitals and a final plural "s" or "x" aside), in the
    category whose slug or name is ``category`` (all of them when it is empty
    or unknown), grouped by category; with each category's count of matches."""
    words = [w for w in WORD_RE.findall(search_normalise(query)) if len(w) > 1 or w.isdigit()]
    matching = [entry for entry in all_entries if _matches(entry.search_text, words)]

    categories = []
    for slug, group in groupby(all_entries, key=lambda e: e.category_slug):
        group = list(group)
        count = sum(1 for entry in matching if entry.category_slug == slug)
        categories.append(Category(name=group[0].category, slug=slug, count=count))

    wanted = category_slug(category) if category else ""
    chosen = next((c for c in categories if c.slug == wanted), None)
    shown = [e for e in matching if chosen is None or e.category_slug == chosen.slug]
    by_slug = {c.slug: c for c in categories}
    return Catalogue(
        query=query,
        category=chosen,
        unknown_category=bool(category) and chosen is None,
        categories=categories,
        matching=len(matching),
        groups=[
            (by_slug[slug], list(group))
            for slug, group in groupby(shown, key=lambda e: e.category_slug)
        ],
        total=len(all_entries),
    )


def _matches(text: str, words: list[str]) -> bool:
    return all(
        word in text or (len(word) > 3 and word[-1] in "sx" and word[:-1] in text) for word in words
    )
