import json
from dataclasses import dataclass, field

from django import template
from django.conf import settings
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import translation
from django.utils.safestring import mark_safe
from wagtail.models import Page, Site

from cms.models import CommuneSettings
from cms.money import money
from cms.pages import in_footer

register = template.Library()
register.filter("money", money)


@dataclass
class NavItem:
    page: Page
    lang: str | None = None
    """Set when the page is not in the language of the current page."""


@dataclass
class Navigation:
    commune: CommuneSettings | None
    home: NavItem | None
    menu: list[NavItem] = field(default_factory=list)
    footer: list[NavItem] = field(default_factory=list)
    translations: list[Page] = field(default_factory=list)


@register.simple_tag(takes_context=True)
def portal_navigation(context) -> Navigation:
    """Everything the layout shows around a page: the commune, its menu, the
    footer links and the languages in which the current page exists.

    The menu and the footer are those of the commune's home page; a page not
    translated into the current language is linked in its own language, so that
    no page loses the legal notice or the accessibility statement.
    """
    request = context["request"]
    page = context.get("page")
    site = Site.find_for_request(request)
    if site is None:
        return Navigation(commune=None, home=None)
    home = site.root_page
    children = list(
        home.get_children()
        .live()
        .filter(Q(show_in_menus=True) | in_footer())
        .annotate(in_footer=ExpressionWrapper(in_footer(), output_field=BooleanField()))
    )
    menu = [child for child in children if child.show_in_menus]
    footer = [child for child in children if child.in_footer]

    # Communes' trees start in the default language (see cms.services).
    language = translation.get_language()
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

    navigation = Navigation(
        commune=CommuneSettings.for_request(request),
        home=item(home),
        menu=[item(p) for p in menu],
        footer=[item(p) for p in footer],
    )
    if isinstance(page, Page) and page.pk:
        navigation.translations = list(
            page.get_translations(inclusive=True)
            .live()
            .select_related("locale")
            .order_by("locale__pk")
        )
    return navigation


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
