"""Placeholders that let one text serve every commune.

Staff write ``{commune}``, ``{mairie}`` or ``{portail}`` in content; pages fill
them from the commune's settings when they render. ``insert_placeholders`` does
the reverse for imported text that names a commune.

The texts the platform installs into a new commune (its legal pages) also use
``{adresse}``, ``{courriel}``, ``{telephone}``, ``{dpo}``, ``{dpo_courriel}``,
``{hebergeur}`` and ``{hebergeur_adresse}``. A value not given yet reads as
what is to be completed ("[adresse de la mairie à compléter]"), never as an
empty or missing value.
"""

import re
import unicodedata

from django.conf import settings
from django.utils.html import escape

PLACEHOLDER_RE = re.compile(
    r"\{(commune|mairie|portail|adresse|courriel|telephone|dpo|dpo_courriel"
    r"|hebergeur|hebergeur_adresse)\}"
)

PLACEHOLDER_HELP = "{commune}, {mairie}, {portail}"

LEGAL_PLACEHOLDER_HELP = (
    "{commune}, {mairie}, {portail}, {adresse}, {courriel}, {telephone}, {dpo}, "
    "{dpo_courriel}, {hebergeur}, {hebergeur_adresse}"
)

#: What a placeholder reads while the commune (or the platform) has not given
#: its value. Product texts in French, as the texts they fill.
TO_COMPLETE = {
    "commune": "[nom de la commune à compléter]",
    "mairie": "[la mairie, à compléter]",
    "adresse": "[adresse de la mairie à compléter]",
    "courriel": "[adresse électronique de la mairie à compléter]",
    "telephone": "[téléphone de la mairie à compléter]",
    "dpo": "[délégué à la protection des données à compléter]",
    "dpo_courriel": "[adresse électronique du délégué à la protection des données à compléter]",
    "hebergeur": "[hébergeur du portail à compléter]",
    "hebergeur_adresse": "[adresse de l'hébergeur à compléter]",
}


def placeholder_values(*, commune, site) -> dict[str, str]:
    """The value of each placeholder for a commune (``CommuneSettings``) and its Site."""
    postal_address = getattr(commune, "postal_address", "")
    values = {
        "commune": commune.official_name,
        "mairie": commune.phrase,
        "portail": site.hostname,
        "adresse": ", ".join(postal_address.splitlines()),
        "courriel": getattr(commune, "contact_email", ""),
        "telephone": getattr(commune, "contact_phone", ""),
        "dpo": getattr(commune, "dpo_name", ""),
        "dpo_courriel": getattr(commune, "dpo_email", "") or getattr(commune, "contact_email", ""),
        "hebergeur": settings.PORTAL_HOST_NAME,
        "hebergeur_adresse": settings.PORTAL_HOST_ADDRESS,
    }
    return {key: value or TO_COMPLETE.get(key, "") for key, value in values.items()}


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

    The phrase ("la mairie de Carvin") becomes ``{mairie}``, the name alone
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
        text = re.sub(_loose_pattern(commune.phrase), "{mairie}", text)
    if commune.official_name:
        name = _loose_pattern(commune.official_name)
        text = re.sub(rf"(?<![\w-]){name}(?![\w-])", "{commune}", text)
    return text
