import json
from dataclasses import dataclass, field

from django import template
from django.conf import settings
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.urls import translate_url
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.images.models import get_rendition_storage
from wagtail.models import Page, Site

from cms.cache import entries, site_generation
from cms.models import LOGO_FILTERS, CommuneSettings
from cms.money import money
from cms.pages import accessibility_compliance, footer_label, in_footer, route_step
from cms.placeholders import fill_for_site

register = template.Library()
register.filter("money", money)


@register.filter
def placeholders(text, place):
    """``text`` with the commune's placeholders (``cms.placeholders``) filled,
    for the commune of ``place``: the request served, or a Site's id.
    Apply it after ``richtext``: ``{{ page.intro|richtext|placeholders:request }}``."""
    if place is None or isinstance(place, int):
        return fill_for_site(text, place)
    site = Site.find_for_request(place)
    return fill_for_site(text, site.pk if site else None)


@dataclass
class NavItem:
    page: Page
    lang: str | None = None
    """Set when the page is not in the language of the current page."""
    label: str = ""
    """The text of its link, where it is not the page's title."""


@dataclass(frozen=True)
class LanguageLink:
    """The current page, or route, in one language of the language switcher."""

    code: str
    name: str
    url: str
    current: bool


@dataclass
class Logo:
    """The commune's logo as the layout shows it: a rendition ``LOGO_HEIGHT``
    px high, and larger ones for screens of higher pixel density
    (``dense``: each file with its density, larger than the one before).

    The addresses are made at each render: media in S3 have signed addresses
    that expire."""

    name: str
    width: int
    height: int
    dense: tuple[tuple[str, int], ...] = ()

    @property
    def url(self) -> str:
        return get_rendition_storage().url(self.name)

    @property
    def srcset(self) -> str:
        """For ``<img srcset>``: every rendition with its density; empty when
        the image is too small to give more than one."""
        if not self.dense:
            return ""
        storage = get_rendition_storage()
        candidates = [(self.name, 1), *self.dense]
        return ", ".join(f"{storage.url(name)} {density}x" for name, density in candidates)

    @classmethod
    def of(cls, made: dict[int, dict]) -> "Logo":
        """From the renditions made for each density (file, width, height):
        one no wider than the previous (the image is smaller than asked
        for: Wagtail does not enlarge it) is left out."""
        first = made[1]
        dense, width = [], first["width"]
        for density, rendition in sorted(made.items()):
            if density > 1 and rendition["width"] > width:
                dense.append((rendition["file"], density))
                width = rendition["width"]
        return cls(
            name=first["file"], width=first["width"], height=first["height"], dense=tuple(dense)
        )


@dataclass
class Navigation:
    commune: CommuneSettings | None
    home: NavItem | None
    menu: list[NavItem] = field(default_factory=list)
    footer: list[NavItem] = field(default_factory=list)
    translations: list[Page] = field(default_factory=list)
    logo: Logo | None = None
    languages: list[LanguageLink] = field(default_factory=list)


@dataclass
class CommuneLinks:
    """What the layout shows of a commune in one language; the same on all
    its pages until something is published or its settings change."""

    home: NavItem
    menu: list[NavItem]
    footer: list[NavItem]
    logo: Logo | None


NAVIGATION_KEY = "navigation:{site_id}:{generation}:{language}"
NAVIGATION_TIMEOUT = 24 * 3600
"""Entries are keyed by the site's generation (``cms.cache``), which changes
at every publish and settings change; the timeout only clears old ones."""


@register.simple_tag(takes_context=True)
def portal_navigation(context) -> Navigation:
    """Everything the layout shows around a page: the commune, its menu, the
    footer links and the languages in which the current page exists.

    The menu and the footer are those of the commune's home page; a page not
    translated into the current language is linked in its own language, so that
    no page loses the legal notice or the accessibility statement. They are
    kept in the cache per commune, language and publication (the site's
    generation, see ``cms.cache``); the page's translations are kept with
    the page itself (``cms.pages.route_step``), read in the same query.
    """
    request = context["request"]
    page = context.get("page")
    site = Site.find_for_request(request)
    if site is None:
        return Navigation(commune=None, home=None)
    commune = CommuneSettings.for_request(request)
    generation = site_generation(site.pk)
    language = translation.get_language()
    key = NAVIGATION_KEY.format(site_id=site.pk, generation=generation, language=language)
    links = entries.get(key)
    if links is None:
        links = commune_links(site, commune, language)
        entries.set(key, links, NAVIGATION_TIMEOUT)
    navigation = Navigation(
        commune=commune, home=links.home, menu=links.menu, footer=links.footer, logo=links.logo
    )
    if isinstance(page, Page) and page.pk:
        step = route_step(
            page.pk, generation, content_type_id=page.content_type_id, translations=True
        )
        navigation.translations = [] if step is None else step.translations
        navigation.languages = page_languages(request, page, navigation.translations)
    else:
        home = route_step(site.root_page_id, generation, translations=True)
        navigation.languages = route_languages(request, [] if home is None else home.translations)
    return navigation


def page_languages(request, page, translations: list[Page]) -> list[LanguageLink]:
    """The page in each language it exists in; on one of a routable page's
    own routes (a démarche's step), that same route of each translation."""
    if len(translations) < 2:
        return []
    route = ""
    if isinstance(page, RoutablePageMixin):
        url = page.get_url(request) or ""
        if url and request.path.startswith(url):
            route = request.path.removeprefix(url)
    return [
        LanguageLink(
            code=other.locale.language_code,
            name=other.locale.get_display_name(),
            url=f"{other.get_url(request)}{route}",
            current=other.pk == page.pk,
        )
        for other in translations
    ]


def route_languages(request, home_translations: list[Page]) -> list[LanguageLink]:
    """A route that is no page (an account or payment page) in each language
    of the commune's home page, where the route exists in that language."""
    if len(home_translations) < 2:
        return []
    # The route Django resolved for this request; none on an error page
    # whose address matched no route.
    match = getattr(request, "resolver_match", None)
    if match is None or match.url_name == "wagtail_serve":
        return []
    current = translation.get_language()
    path = request.get_full_path()
    links = []
    for home in home_translations:
        code = home.locale.language_code
        url = path if code == current else translate_url(path, code)
        if code != current and url == path:
            return []
        links.append(
            LanguageLink(
                code=code,
                name=home.locale.get_display_name(),
                url=url,
                current=code == current,
            )
        )
    return links


def commune_links(site, commune: CommuneSettings, language: str) -> CommuneLinks:
    home = site.root_page
    children = list(
        home.get_children()
        .live()
        .filter(Q(show_in_menus=True) | in_footer())
        .annotate(
            in_footer=ExpressionWrapper(in_footer(), output_field=BooleanField()),
            accessibility_compliance=accessibility_compliance(),
        )
    )
    menu = [child for child in children if child.show_in_menus]
    footer = [child for child in children if child.in_footer]

    # Communes' trees start in the default language (see cms.services).
    translated = {}
    original_language = None
    if language != settings.LANGUAGE_CODE:
        original_language = settings.LANGUAGE_CODE
        keys = [p.translation_key for p in (home, *menu, *footer)]
        translated = {
            p.translation_key: p
            for p in Page.objects.live().filter(
                translation_key__in=keys, locale__language_code=language
            )
        }

    def item(page):
        if page.translation_key in translated:
            return NavItem(translated[page.translation_key])
        return NavItem(page, lang=original_language)

    def footer_item(page):
        link = item(page)
        if page.accessibility_compliance:
            # In the language of the page it links to.
            with translation.override(link.lang or language):
                link.label = footer_label(page.accessibility_compliance)
        return link

    return CommuneLinks(
        home=item(home),
        menu=[item(p) for p in menu],
        footer=[footer_item(p) for p in footer],
        logo=commune_logo(commune),
    )


def commune_logo(commune: CommuneSettings) -> Logo | None:
    """The logo's renditions (``LOGO_FILTERS``): read with the settings, and
    those not made yet made here, together. Called once per generation of the
    site (``portal_navigation`` keeps the result)."""
    if not commune.logo_id:
        return None
    made = {
        density: getattr(commune, f"logo_rendition_{density}x", None) for density in LOGO_FILTERS
    }
    missing = {density: LOGO_FILTERS[density] for density, found in made.items() if found is None}
    if missing:
        renditions = commune.logo.get_renditions(*missing.values())
        for density, spec in missing.items():
            rendition = renditions[spec]
            made[density] = {
                "file": rendition.file.name,
                "width": rendition.width,
                "height": rendition.height,
            }
    return Logo.of(made)


@register.filter
def machine_datetime(value) -> str:
    """A date and time for ``<time datetime>``: local time to the second
    (HTML allows at most three digits of a second's fraction; Django's
    ``date:"c"`` writes six)."""
    if not value:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(microsecond=0).isoformat()


@register.filter
def page_model(page) -> str:
    """The page's model as ``app_label.modelname``, without loading it."""
    model = page.specific_class
    return model._meta.label_lower if model else ""


@register.filter
def json_ld(value) -> str:
    """A schema.org JSON-LD block, escaped like Django's ``json_script``
    (which does the same with a slower ``str.translate``)."""
    data = json.dumps(value, ensure_ascii=False)
    data = data.replace("&", "\\u0026").replace("<", "\\u003C").replace(">", "\\u003E")
    # The data is escaped above for a <script> element, as json_script does.
    return mark_safe(f'<script type="application/ld+json">{data}</script>')  # noqa: S308  # nosec B308 B703
