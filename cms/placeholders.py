"""Placeholders that let one text serve every commune.

Staff write ``{commune}``, ``{mairie}`` (``{Mairie}`` at the start of a
sentence), ``{portail}``, ``{adresse_mairie}`` or ``{horaires_mairie}`` in
content (the FAQ, the texts of a démarche); pages fill them from the
commune's settings when they render. ``insert_placeholders`` does the
reverse for text that names a commune, so that it serves another one.

The texts the platform installs into a new commune (its legal pages) also use
``{courriel}``, ``{telephone}``, ``{dpo}``, ``{dpo_courriel}``, ``{hebergeur}``
and ``{hebergeur_adresse}``. A value not given yet reads as what is to be
completed ("[adresse de la mairie à compléter]"), never as an empty or
missing value.
"""

import re
import unicodedata

from django.conf import settings
from django.utils import formats
from django.utils.dates import WEEKDAYS
from django.utils.html import escape
from django.utils.translation import get_language, gettext

#: The placeholders, in the order the editors' help lists them.
PLACEHOLDERS = (
    "commune",
    "mairie",
    "Mairie",
    "portail",
    "adresse_mairie",
    "horaires_mairie",
    "courriel",
    "telephone",
    "dpo",
    "dpo_courriel",
    "hebergeur",
    "hebergeur_adresse",
)
PLACEHOLDER_RE = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")

PLACEHOLDER_HELP = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)

PLACEHOLDERS_KEY = "placeholders:{site_id}:{language}:{generation}"

#: What a placeholder reads while the commune (or the platform) has not given
#: its value. Product texts in French, as the texts they fill.
TO_COMPLETE = {
    "commune": "[nom de la commune à compléter]",
    "mairie": "[la mairie, à compléter]",
    "Mairie": "[La mairie, à compléter]",
    "adresse_mairie": "[adresse de la mairie à compléter]",
    "courriel": "[adresse électronique de la mairie à compléter]",
    "telephone": "[téléphone de la mairie à compléter]",
    "dpo": "[délégué à la protection des données à compléter]",
    "dpo_courriel": "[adresse électronique du délégué à la protection des données à compléter]",
    "hebergeur": "[hébergeur du portail à compléter]",
    "hebergeur_adresse": "[adresse de l'hébergeur à compléter]",
}


def placeholder_values(*, commune, site) -> dict[str, str]:
    """The value of each placeholder for a commune (``CommuneSettings``) and
    its Site, in the active language: its name, its phrase ("la mairie de
    Carvin", and capitalised), its portal's address, the town hall's postal
    address on one line, its usual opening hours, its contacts and data
    protection officer, and the platform's host."""
    phrase = commune.phrase or ""
    values = {
        "commune": commune.official_name,
        "mairie": phrase,
        "Mairie": phrase[:1].upper() + phrase[1:],
        "portail": site.hostname,
        "adresse_mairie": ", ".join(commune.postal_address.splitlines()),
        "horaires_mairie": opening_hours_text(commune),
        "courriel": commune.contact_email,
        "telephone": commune.contact_phone,
        "dpo": commune.dpo_name,
        "dpo_courriel": commune.dpo_email or commune.contact_email,
        "hebergeur": settings.PORTAL_HOST_NAME,
        "hebergeur_adresse": settings.PORTAL_HOST_ADDRESS,
    }
    return {key: value or TO_COMPLETE.get(key, "") for key, value in values.items()}


def site_placeholder_values(site_id: int) -> dict[str, str]:
    """``placeholder_values`` of a Site, read once per generation of the
    site (``cms.cache``, which saving its settings changes) and language:
    filling the texts of a page or of a request costs no query."""
    from wagtail.models import Site

    from .cache import entries, site_generation
    from .models import CommuneSettings

    key = PLACEHOLDERS_KEY.format(
        site_id=site_id, language=get_language() or "", generation=site_generation(site_id)
    )
    values = entries.get(key)
    if values is None:
        site = Site.objects.get(pk=site_id)
        values = placeholder_values(commune=CommuneSettings.for_site(site), site=site)
        entries.set(key, values, timeout=settings.PAGE_CACHE_TIMEOUT)
    return values


def opening_hours_text(commune) -> str:
    """The town hall's usual hours as words that fit in a sentence, days with
    the same hours together: "du lundi au vendredi de 08:30 à 12:00 et de
    13:30 à 17:00, le samedi de 09:00 à 12:00"; empty when none are set."""
    from .opening_hours import commune_week

    days = [(number, day.ranges) for number, day in enumerate(commune_week(commune).days)]
    runs: list[tuple[int, int, tuple]] = []
    for number, ranges in days:
        if not ranges:
            continue
        if runs and runs[-1][1] == number - 1 and runs[-1][2] == ranges:
            runs[-1] = (runs[-1][0], number, ranges)
        else:
            runs.append((number, number, ranges))
    parts = []
    for first, last, ranges in runs:
        hours = f" {gettext('and')} ".join(
            gettext("from %(opens)s to %(closes)s")
            % {
                "opens": formats.time_format(r.opens, "TIME_FORMAT"),
                "closes": formats.time_format(r.closes, "TIME_FORMAT"),
            }
            for r in ranges
        )
        if first == last:
            days_text = gettext("on %(day)s") % {"day": WEEKDAYS[first]}
        elif last == first + 1:
            days_text = gettext("on %(first)s and %(last)s") % {
                "first": WEEKDAYS[first],
                "last": WEEKDAYS[last],
            }
        else:
            days_text = gettext("from %(first)s to %(last)s") % {
                "first": WEEKDAYS[first],
                "last": WEEKDAYS[last],
            }
        parts.append(f"{days_text} {hours}")
    return ", ".join(parts)


def fill_placeholders(text: str, values: dict[str, str], *, html: bool = False) -> str:
    """Replace known placeholders; unknown braces are left as they are."""
    if "{" not in text:
        return text

    def replace(match):
        value = values.get(match.group(1), match.group(0))
        return escape(value) if html else value

    return PLACEHOLDER_RE.sub(replace, text)


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def _loose_pattern(name: str) -> str:
    """A regex matching ``name`` whatever its accents, case, hyphens or spaces."""
    parts = []
    for char in strip_accents(name):
        if char in "- ":
            parts.append(r"[-\s]+")
        elif char in "'’":
            parts.append(r"['’]")
        elif char.isalpha():
            variants = {char.lower(), char.upper()}
            variants |= {
                c
                for c in "àâäáãçéèêëíìîïñóòôöõúùûüÿœæÀÂÄÁÃÇÉÈÊËÍÌÎÏÑÓÒÔÖÕÚÙÛÜŸ"
                if strip_accents(c).lower() == char.lower()
            }
            parts.append("[" + "".join(sorted(variants)) + "]")
        else:
            parts.append(re.escape(char))
    return "".join(parts)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", strip_accents(text).lower())


HOSTNAME_RE = re.compile(r"(?:https?://)?\b(?:[a-z0-9-]+\.)+[a-z]{2,}\b/?", re.IGNORECASE)


def insert_placeholders(text: str, *, communes) -> str:
    """Turn the names of communes and of their portals into placeholders.

    ``communes`` is a list of ``(CommuneSettings, Site)`` pairs: the commune
    the text is for first, then the others of the platform, so that one
    commune's document can be imported for another.

    The phrase ("la mairie de Carvin") becomes ``{mairie}`` (``{Mairie}``
    where it starts a sentence: "La mairie de Carvin"), the name alone
    ``{commune}``, and any web address that names the commune (such as
    ``demarches-carvin.example.fr``) or is the site's own host ``{portail}``.
    Names are matched with or without accents, hyphens or capitals.
    """
    for commune, site in communes:
        text = _insert_for_commune(text, commune=commune, site=site)
    return text


def _insert_for_commune(text: str, *, commune, site) -> str:
    slug = _slug(commune.official_name)

    def replace_host(match):
        host = match.group(0)
        bare = _slug(host.split("//")[-1].split("/")[0].replace(".", " "))
        if slug and (slug in bare or host.lower().rstrip("/").endswith(site.hostname)):
            return "{portail}"
        return host

    text = HOSTNAME_RE.sub(replace_host, text)
    if commune.phrase:

        def replace_phrase(match):
            found = match.group(0)
            capitalised = found[:1].isupper() and not commune.phrase[:1].isupper()
            return "{Mairie}" if capitalised else "{mairie}"

        text = re.sub(_loose_pattern(commune.phrase), replace_phrase, text)
    if commune.official_name:
        name = _loose_pattern(commune.official_name)
        text = re.sub(rf"(?<![\w-]){name}(?![\w-])", "{commune}", text)
    return text


def fill_for_site(text, site_id: int | None):
    """``text`` with the placeholders of the Site ``site_id`` filled: a safe
    string (rich text already rendered) gets escaped values and stays safe;
    ``None`` for a site leaves the text as it is."""
    from django.utils.safestring import SafeData, mark_safe

    if not text or site_id is None or "{" not in str(text):
        return text
    values = site_placeholder_values(site_id)
    if isinstance(text, SafeData):
        # Rendered HTML, with escaped values put in.
        return mark_safe(fill_placeholders(str(text), values, html=True))  # noqa: S308  # nosec B308 B703
    return fill_placeholders(str(text), values)
