"""The blocks communication staff build the commune's home page from."""

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorList
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.models import Page

from cms.dates import months_before
from cms.models import CommuneSettings
from cms.opening_hours import commune_week
from cms.pages import locale_languages
from cms.placeholders import fill_for_site

from .extensions import page_categories, popular_pages
from .icons import DEFAULT_ICON, ICONS, icon_for

TEXT_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link"]
BANNER_FEATURES = ["bold", "italic", "link", "document-link"]


class ServicePageChooserBlock(blocks.PageChooserBlock):
    """A démarche chosen: translations keep it as it is (no value to
    synchronise in the translation editor), and it is shown in the visitor's
    language when it is translated."""

    def get_translatable_segments(self, value):
        return []

    def restore_translated_segments(self, value, segments):
        return value


class IconBlock(blocks.ChoiceBlock):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Icon"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("Left empty: chosen from the démarche's category."))
        super().__init__(choices=ICONS, **kwargs)


def _request(parent_context):
    return (parent_context or {}).get("request")


class SearchBoxBlock(blocks.StructBlock):
    heading = blocks.CharBlock(
        label=_("Heading"), max_length=120, required=False, help_text=_("Left empty: “Search”.")
    )

    class Meta:
        icon = "search"
        label = _("Search box")
        help_text = _("Searches the FAQ, the démarches and the pages of the portal.")
        template = "home/blocks/search_box.html"
        preview_value = {"heading": "Que recherchez-vous ?"}


class PopularDemarcheBlock(blocks.StructBlock):
    page = ServicePageChooserBlock(label=_("Démarche"), page_type="services.ServicePage")
    icon = IconBlock()

    class Meta:
        icon = "form"
        label = _("Démarche")


CHOSEN = "chosen"
COMPUTED = "computed"


class PopularDemarchesBlock(blocks.StructBlock):
    """Tiles of the démarches citizens use most: the ones staff choose, or
    those most sent in the last months (completed by the chosen ones)."""

    heading = blocks.CharBlock(label=_("Heading"), max_length=120)
    mode = blocks.ChoiceBlock(
        label=_("Which démarches"),
        choices=[
            (CHOSEN, _("The démarches chosen below")),
            (COMPUTED, _("The most used in the last months")),
        ],
        default=COMPUTED,
    )
    demarches = blocks.ListBlock(
        PopularDemarcheBlock(),
        label=_("Démarches"),
        default=[],
        help_text=_(
            "Shown in this order; when the list is computed, they complete it "
            "while few requests have been sent."
        ),
    )
    months = blocks.IntegerBlock(label=_("Months counted"), min_value=1, max_value=24, default=6)
    count = blocks.IntegerBlock(label=_("Number of tiles"), min_value=1, max_value=12, default=6)

    class Meta:
        icon = "pick"
        label = _("Popular démarches")
        template = "home/blocks/popular_demarches.html"
        preview_value = {"heading": "Les démarches les plus demandées", "mode": COMPUTED}

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["tiles"] = self.tiles(value, _request(parent_context))
        return context

    def tiles(self, value, request) -> list[dict]:
        site = getattr(request, "commune", None) if request is not None else None
        chosen = [
            (item["page"].specific, item["icon"])
            for item in value["demarches"]
            if item["page"] is not None
            and item["page"].live
            and (site is None or item["page"].path.startswith(site.root_page.path))
        ]
        count = value["count"] or 6
        icons = {page.pk: icon for page, icon in chosen}
        pages = [page for page, _icon in chosen]
        if value["mode"] != CHOSEN and site is not None:
            used = most_used(site=site, months=value["months"] or 6, limit=count)
            pages = used + [page for page in pages if page not in used]
        tiles = []
        for page in pages[:count]:
            shown = page.localized
            icon = icons.get(page.pk) or icon_for(getattr(page, "category", ""), page.title)
            language = locale_languages().get(shown.locale_id)
            tiles.append(
                {
                    "page": shown,
                    "icon": icon if icon in dict(ICONS) else DEFAULT_ICON,
                    "summary": fill_for_site(
                        getattr(shown, "summary", "") or shown.search_description,
                        site.pk if site is not None else None,
                    ),
                    "lang": language if language != translation.get_language() else "",
                }
            )
        return tiles


POPULAR_KEY = "home:popular:{site_id}:{months}:{limit}"
POPULAR_TIMEOUT = 3600
"""The counts change slowly: read once an hour per commune."""


def most_used(*, site, months: int, limit: int) -> list[Page]:
    """The pages most used in the last ``months`` (``home.extensions``),
    their order kept in the cache for an hour."""
    key = POPULAR_KEY.format(site_id=site.pk, months=months, limit=limit)
    ids = cache.get(key)
    if ids is None:
        since = months_before(timezone.now(), months)
        ids = [page.pk for page in popular_pages(site=site, since=since, limit=limit)]
        cache.set(key, ids, POPULAR_TIMEOUT)
    found = {page.pk: page for page in Page.objects.live().filter(pk__in=ids).specific()}
    return [found[pk] for pk in ids if pk in found]


class CategoriesBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), max_length=120)

    class Meta:
        icon = "folder-open-inverse"
        label = _("Démarche categories")
        help_text = _("Each category of the démarches, leading to its démarches.")
        template = "home/blocks/categories.html"
        preview_value = {"heading": "Toutes les démarches par thème"}

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        request = _request(parent_context)
        context["categories"] = [
            {"category": category, "icon": icon_for(category.name)}
            for category in (page_categories(request) if request is not None else [])
        ]
        return context


BANNER_ENDS_BEFORE_START = _("The last day must not come before the first one.")


class BannerBlock(blocks.StructBlock):
    """News that matters for a while: road works, a closure. Shown from its
    first day to its last, in the portal's time zone."""

    title = blocks.CharBlock(label=_("Title"), max_length=120)
    text = blocks.RichTextBlock(label=_("Text"), features=BANNER_FEATURES, required=False)
    kind = blocks.ChoiceBlock(
        label=_("Kind"),
        choices=[("info", _("Information")), ("warning", _("Warning"))],
        default="info",
    )
    first_day = blocks.DateBlock(
        label=_("Shown from"), help_text=_("First day the banner is shown.")
    )
    last_day = blocks.DateBlock(
        label=_("Shown until"),
        required=False,
        help_text=_("Last day the banner is shown; left empty: until removed."),
    )

    class Meta:
        icon = "warning"
        label = _("Information banner")
        template = "home/blocks/banner.html"
        preview_value = {
            "title": "Travaux rue Jean-Jaurès",
            "text": "<p>La rue est fermée à la circulation du 3 au 14 du mois.</p>",
            "kind": "warning",
        }

    def clean(self, value):
        value = super().clean(value)
        if value["first_day"] and value["last_day"] and value["last_day"] < value["first_day"]:
            raise StructBlockValidationError(
                block_errors={"last_day": ErrorList([ValidationError(BANNER_ENDS_BEFORE_START)])}
            )
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["shown"] = banner_shown(value)
        return context


def banner_shown(value, *, today=None) -> bool:
    """Whether a banner is shown today (in the portal's time zone); in a
    preview without dates, it is."""
    today = today or timezone.localdate()
    first, last = value.get("first_day"), value.get("last_day")
    return (first is None or first <= today) and (last is None or today <= last)


class OpeningHoursBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), max_length=120)
    show_week = blocks.BooleanBlock(
        label=_("Show the hours of the whole week"), required=False, default=True
    )
    show_contact = blocks.BooleanBlock(
        label=_("Show the address, phone and e-mail"), required=False, default=True
    )

    class Meta:
        icon = "time"
        label = _("Opening hours and contact")
        help_text = _("From the commune settings: hours, exceptional closures, contact.")
        template = "home/blocks/opening_hours.html"
        preview_value = {
            "heading": "Horaires de la mairie",
            "show_week": True,
            "show_contact": True,
        }

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        request = _request(parent_context)
        if request is not None:
            commune = CommuneSettings.for_request(request)
            context["commune"] = commune
            context["week"] = commune_week(commune)
        return context


class EntryPointsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), max_length=120, required=False)

    class Meta:
        icon = "list-ul"
        label = _("Ways into the portal")
        help_text = _("The pages of the menu as cards, with their description.")
        template = "home/blocks/entry_points.html"
        preview_value = {"heading": ""}


class HomeStreamBlock(blocks.StreamBlock):
    text = blocks.RichTextBlock(
        label=_("Text"),
        features=TEXT_FEATURES,
        icon="pilcrow",
        template="home/blocks/text.html",
        preview_value="<p>Bienvenue sur le portail citoyen de la commune.</p>",
    )
    banner = BannerBlock()
    search = SearchBoxBlock()
    popular = PopularDemarchesBlock()
    categories = CategoriesBlock()
    opening_hours = OpeningHoursBlock()
    entry_points = EntryPointsBlock()

    class Meta:
        label = _("Home page content")


def default_body() -> list[tuple[str, dict]]:
    """The blocks of a new commune's home page, in the portal's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return [
            ("search", {"heading": ""}),
            ("popular", {"heading": str(_("Most used démarches")), "mode": COMPUTED}),
            ("categories", {"heading": str(_("All démarches by theme"))}),
            (
                "opening_hours",
                {"heading": str(_("Town hall")), "show_week": True, "show_contact": True},
            ),
            ("entry_points", {"heading": ""}),
        ]
