"""Placeholders that let one text serve every commune.

Staff write ``{commune}``, ``{mairie}`` or ``{portail}`` in content; pages fill
them from the commune's settings when they render. ``insert_placeholders`` does
the reverse for imported text that names a commune.
"""

import re
import unicodedata

from django.utils.html import escape

PLACEHOLDER_RE = re.compile(r"\{(commune|mairie|portail)\}")

PLACEHOLDER_HELP = "{commune}, {mairie}, {portail}"


def placeholder_values(*, commune, site) -> dict[str, str]:
    """The value of each placeholder for a commune (``CommuneSettings``) and its Site."""
    return {
        "commune": commune.official_name,
        "mairie": commune.phrase,
        "portail": site.hostname,
    }


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
