"""What every public page of the portal shares."""

import operator
from dataclasses import dataclass
from functools import cache as memoize
from functools import reduce

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, PageViewRestriction, Site, get_page_models
from wagtail.search import index

from cms.cache import entries, generation, new_generation, site_generation
from cms.placeholders import strip_accents

LOCALES_KEY = "portal:locales"


def locale_languages() -> dict[int, str]:
    """Language code of each locale, from the cache shared by all processes;
    forgotten when a locale is saved or deleted (see ``cms.signals``)."""
    languages = cache.get(LOCALES_KEY)
    if languages is None:
        languages = dict(Locale.objects.values_list("pk", "language_code"))
        cache.set(LOCALES_KEY, languages, timeout=None)
    return languages


def forget_locale_languages() -> None:
    cache.delete(LOCALES_KEY)


def locale_id_for_language(language_code: str) -> int | None:
    return next((pk for pk, code in locale_languages().items() if code == language_code), None)


def active_locale_from_cache() -> None:
    """Wagtail finds the locale of the active language with a query at every
    page served (``Locale.get_active``, through ``Page.localized``): read it
    from ``locale_languages`` instead, which every process shares."""
    get_active = Locale.get_active.__func__
    if getattr(get_active, "reads_the_cache", False):
        return

    def get_active_from_cache(cls):
        try:
            code = get_supported_content_language_variant(translation.get_language())
        except LookupError:
            return get_active(cls)
        pk = locale_id_for_language(code)
        if pk is None:
            return get_active(cls)
        return cls.from_db(DEFAULT_DB_ALIAS, ["id", "language_code"], [pk, code])

    get_active_from_cache.reads_the_cache = True
    Locale.get_active = classmethod(get_active_from_cache)


PRIVATE_GENERATION_KEY = "portal:private-pages:generation"
PRIVATE_PAGES_KEY = "portal:private-pages:{generation}"


@dataclass(frozen=True)
class PrivatePages:
    """The pages of every commune that have a view restriction (private to
    logged-in users, to groups, or behind a password), by tree path."""

    paths: tuple[str, ...]
    aliased: bool
    """Some alias shows one of them or a page below: checked the long way."""

    def may_restrict(self, page) -> bool:
        return self.aliased or any(page.path.startswith(path) for path in self.paths)


def private_pages() -> PrivatePages:
    """From the cache shared by all processes, under a generation that
    changes once a restriction or an alias is committed (``cms.signals``):
    a list read before that can never be served after it."""
    key = PRIVATE_PAGES_KEY.format(generation=generation(PRIVATE_GENERATION_KEY))
    private = cache.get(key)
    if private is None:
        paths = tuple(PageViewRestriction.objects.values_list("page__path", flat=True).distinct())
        aliased = bool(paths) and (
            Page.objects.filter(alias_of__isnull=False)
            .filter(reduce(operator.or_, (Q(alias_of__path__startswith=p) for p in paths)))
            .exists()
        )
        private = PrivatePages(paths=paths, aliased=aliased)
        cache.set(key, private, timeout=None)
    return private


def forget_private_pages() -> None:
    new_generation(PRIVATE_GENERATION_KEY)


ROUTE_KEY = "route:{generation}:{page_id}"


@dataclass
class RouteStep:
    """A page as serving it needs it, each part read from the database when
    first needed and kept with the rest: the specific page, its children's
    ids and content types by slug (drafts included, as Wagtail's
    ``Page.route`` sees them), and its live translations (for the layout's
    language switcher)."""

    page: Page
    children: dict[str, tuple[int, int]] | None = None
    translations: list[Page] | None = None


def _page_with_translations(page_id: int, content_type_id: int | None) -> RouteStep | None:
    """The specific page and its live translations in one query, when the
    content type is known (a parent's step says it)."""
    model = (
        ContentType.objects.get_for_id(content_type_id).model_class() if content_type_id else None
    )
    if model is None:
        page = Page.objects.filter(pk=page_id).first()
        return None if page is None else RouteStep(page=page.specific)
    same_key = Page.objects.filter(pk=page_id).values("translation_key")
    rows = list(
        model._default_manager.filter(translation_key__in=same_key)
        .select_related("locale")
        .order_by("locale__pk")
    )
    page = next((row for row in rows if row.pk == page_id), None)
    if page is None:
        return None
    return RouteStep(page=page, translations=[row for row in rows if row.live])


def route_step(
    page_id: int,
    generation: int,
    *,
    page=None,
    content_type_id: int | None = None,
    children: bool = False,
    translations: bool = False,
) -> RouteStep | None:
    """From the cache shared by all processes (and kept by this one,
    ``cms.cache.entries``), under the site's generation (``cms.cache``),
    which every publish, move or deletion changes; with its
    children or its translations when asked for them. ``None`` for a page
    deleted since its parent's step was read."""
    key = ROUTE_KEY.format(generation=generation, page_id=page_id)
    step = entries.get(key)
    changed = step is None
    if step is None:
        step = (
            RouteStep(page=page)
            if page is not None
            else _page_with_translations(page_id, content_type_id)
        )
        if step is None:
            return None
    if children and step.children is None:
        step.children = {
            slug: (pk, content_type)
            for slug, pk, content_type in Page.objects.child_of(step.page).values_list(
                "slug", "pk", "content_type_id"
            )
        }
        changed = True
    if translations and step.translations is None:
        step.translations = list(
            step.page.get_translations(inclusive=True)
            .live()
            .select_related("locale")
            .order_by("locale__pk")
        )
        changed = True
    if changed:
        entries.set(key, step, timeout=settings.PAGE_CACHE_TIMEOUT)
    return step


def routes_itself(page) -> bool:
    """Whether the page answers paths below it itself (``RoutablePageMixin``)."""
    return type(page).route not in (Page.route, PortalPageMixin.route)


class PortalPageMixin:
    """Mixin for the portal's page models.

    - A page asked for in a language it does not exist in (``/en/...`` for a
      page with no English translation) redirects to the page in its own
      language, rather than showing its text under the wrong ``lang``.
    - Anonymous, query-less views may be cached whole (see ``cms.cache``).
    - Serving a page outside any private part of the site looks for no view
      restriction in the database (``private_pages``).
    - Its text is also indexed without accents (``unaccented_search_text``).
    """

    @classmethod
    def get_search_fields(cls):
        return [*super().get_search_fields(), index.SearchField("unaccented_search_text")]

    def unaccented_search_text(self) -> str:
        """The indexed text of the page with its accents taken off, for a
        search that finds "État civil" when asked for "etat civil" on every
        database. SQLite's index already ignores accents; PostgreSQL's does
        not without the ``unaccent`` extension. The site search strips the
        query's accents too (``home.search``)."""
        texts = []
        for field in super().get_search_fields():
            if isinstance(field, index.SearchField):
                value = field.get_value(self)
                if isinstance(value, list | tuple):
                    value = " ".join(str(item) for item in value)
                texts.append(str(value or ""))
        text = " ".join(texts)
        unaccented = strip_accents(text)
        return unaccented if unaccented != text else ""

    def route(self, request, path_components):
        """Walk down the path with the pages kept in the cache (``route_step``),
        where Wagtail's ``Page.route`` asks the database for each level's
        child and then its specific page; a page's children are read only
        when the path goes below it. A page on the way that answers
        paths itself (a ``RoutablePageMixin``) takes over from there, as it
        would level by level; a path no page answers ends in Wagtail's own
        routing (a 404)."""
        site = Site.find_for_request(request)
        if not path_components or site is None or getattr(request, "is_preview", False):
            return super().route(request, path_components)
        generation = site_generation(site.pk)
        page, remaining = self, list(path_components)
        while remaining and not routes_itself(page):
            child = route_step(page.pk, generation, page=page, children=True).children.get(
                remaining[0]
            )
            step = (
                None
                if child is None
                else route_step(child[0], generation, content_type_id=child[1])
            )
            if step is None:
                break
            page, remaining = step.page, remaining[1:]
        if page is self:
            return super().route(request, path_components)
        return page.route(request, remaining)

    def get_view_restrictions(self):
        if private_pages().may_restrict(self):
            return super().get_view_restrictions()
        return PageViewRestriction.objects.none()

    def serve(self, request, *args, **kwargs):
        if translation.get_language() != locale_languages().get(self.locale_id) and not getattr(
            request, "is_preview", False
        ):
            return redirect(self.get_url(request))
        response = super().serve(request, *args, **kwargs)
        if not request.GET and not getattr(request, "is_preview", False):
            request.page_cache_site_id = Site.find_for_request(request).pk
        return response


class AccessibilityCompliance(models.TextChoices):
    """The states of conformity with the RGAA an accessibility statement
    declares (décret n° 2019-768)."""

    NON_COMPLIANT = "non_compliant", _("not compliant")
    PARTIALLY_COMPLIANT = "partially_compliant", _("partially compliant")
    COMPLIANT = "compliant", _("fully compliant")


class FooterLinkMixin(models.Model):
    """For a page type whose pages editors may link in the footer of every
    page of their commune (legal notice, accessibility statement...), when
    the page is a child of the commune's home page (see ``portal_navigation``).

    The accessibility statement says its state of conformity: its link then
    reads "Accessibilité : non conforme" (``footer_label``), the mention the
    law requires on the home page (article 47 of loi n° 2005-102)."""

    in_footer = models.BooleanField(
        _("link in the footer"),
        default=False,
        help_text=_("Legal notice, accessibility, personal data…"),
    )
    accessibility_compliance = models.CharField(
        _("accessibility statement"),
        max_length=20,
        choices=AccessibilityCompliance.choices,
        blank=True,
        help_text=_(
            "Only for the accessibility statement: the state of conformity with the RGAA "
            "it declares. The footer of every page then reads “Accessibility: …” and links "
            "to this page, as the law requires on the home page. Keep it the same as the text."
        ),
    )

    class Meta:
        abstract = True


def footer_label(compliance: str) -> str:
    """The text of the accessibility statement's link in the footer, in the
    current language."""
    return gettext("Accessibility: %(state)s") % {
        "state": AccessibilityCompliance(compliance).label
    }


@memoize
def _footer_link_models() -> tuple[type, ...]:
    return tuple(model for model in get_page_models() if issubclass(model, FooterLinkMixin))


def in_footer() -> Q:
    """The pages (``Page`` rows) linked in the footer, whatever their type."""
    condition = Q(pk__in=[])
    for model in _footer_link_models():
        condition |= Q(**{f"{model._meta.model_name}__in_footer": True})
    return condition


def accessibility_compliance() -> Coalesce:
    """The state of conformity a page (``Page`` row) declares, whatever its
    type; empty for a page that is no accessibility statement."""
    return Coalesce(
        *(
            F(f"{model._meta.model_name}__accessibility_compliance")
            for model in _footer_link_models()
        ),
        Value(""),
    )
