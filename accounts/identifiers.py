"""Citizen identifiers: ``prénom.nom``, lower case, accents kept."""

import re
import unicodedata

from django.db.models.functions import Lower

MAX_LENGTH = 150


def _part(name: str) -> str:
    name = unicodedata.normalize("NFC", name).strip().lower()
    name = re.sub(r"['’`]", "", name)
    name = re.sub(r"[\s_]+", "-", name)
    name = re.sub(r"[^\w-]", "", name)
    return re.sub(r"-{2,}", "-", name).strip("-")


def identifier_base(first_name: str, last_name: str) -> str:
    """``Amélie``, ``Lire`` → ``amélie.lire``; ``Jean-Noël``, ``d'Arc`` →
    ``jean-noël.darc``; spaces become hyphens."""
    first, last = _part(first_name), _part(last_name)
    return ".".join(part for part in (first, last) if part)[: MAX_LENGTH - 6] or "citoyen"


def next_identifier(*, site, first_name: str, last_name: str) -> str:
    """The first free identifier of the commune for this name: ``amélie.lire``,
    then ``amélie.lire2``, ``amélie.lire3``…"""
    from .models import User

    base = identifier_base(first_name, last_name)
    taken = set(
        User.objects.filter(site=site, username__istartswith=base)
        .annotate(lower=Lower("username"))
        .values_list("lower", flat=True)
    )
    taken = {name.lower() for name in taken}
    if base not in taken:
        return base
    number = 2
    while f"{base}{number}" in taken:
        number += 1
    return f"{base}{number}"
