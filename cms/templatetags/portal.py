import json
from dataclasses import dataclass, field

from django import template
from django.utils.html import _json_script_escapes
from django.utils.safestring import mark_safe
from wagtail.models import Page, Site

from cms.models import CommuneSettings

register = template.Library()


@dataclass
class Navigation:
    commune: CommuneSettings | None
    home: Page | None
    menu: list[Page] = field(default_factory=list)
    footer: list[Page] = field(default_factory=list)
    translations: list[Page] = field(default_factory=list)


@register.simple_tag(takes_context=True)
def portal_navigation(context) -> Navigation:
    """Everything the layout shows around a page: the commune, its menu, the
    footer links and the languages in which the current page exists."""
    from home.models import ContentPage

    request = context["request"]
    page = context.get("page")
    site = Site.find_for_request(request)
    if site is None:
        return Navigation(commune=None, home=None)
    commune = CommuneSettings.for_request(request)
    if isinstance(page, Page) and page.depth >= 2:
        home = Page.objects.get(path=page.path[: Page.steplen * 2])
    else:
        home = site.root_page.localized
    navigation = Navigation(commune=commune, home=home)
    navigation.menu = list(home.get_children().live().in_menu())
    navigation.footer = list(ContentPage.objects.child_of(home).live().filter(in_footer=True))
    if isinstance(page, Page) and page.pk:
        navigation.translations = list(
            page.get_translations(inclusive=True).live().select_related("locale").order_by("locale__pk")
        )
    return navigation


@register.filter
def json_ld(value) -> str:
    """A schema.org JSON-LD block, escaped like Django's ``json_script``."""
    data = json.dumps(value, ensure_ascii=False).translate(_json_script_escapes)
    return mark_safe(f'<script type="application/ld+json">{data}</script>')
