"""Translating demo pages with wagtail-localize, from a gettext catalogue.

The catalogue (``<name>.en.po``) maps each French segment to its English
text, whatever the block ids of the page it came from; staff would do the
same in the admin by uploading a PO file on the translation editor. A
catalogue may hold the demo tokens of the démarche files (``{schools}``...),
filled in as the page was; the portal's placeholders (``{commune}``...) stay
as they are, in the page as in its translation.
"""

from collections.abc import Iterable
from pathlib import Path

import polib
from wagtail.models import Locale
from wagtail_localize.models import Translation, TranslationSource


def catalogue_strings(catalogues: Iterable[Path], values: dict[str, str]) -> dict[str, str]:
    """The translations of the catalogues, by French text, tokens filled in."""

    def fill(text: str) -> str:
        for token, value in values.items():
            text = text.replace(token, value)
        return text

    return {
        fill(entry.msgid): fill(entry.msgstr)
        for catalogue in catalogues
        for entry in polib.pofile(str(catalogue))
        if entry.msgstr
    }


def translate_page(
    page, *, language: str, catalogue: Path | Iterable[Path], values: dict[str, str] | None = None
) -> bool:
    """Create or refresh the translation of ``page`` into ``language`` from
    one catalogue or several.

    Returns whether the translated page was (re)published.
    """
    catalogues = [catalogue] if isinstance(catalogue, Path) else list(catalogue)
    locale, _created = Locale.objects.get_or_create(language_code=language)
    source, source_changed = TranslationSource.update_or_create_from_instance(page)
    translation, created = Translation.objects.get_or_create(
        source=source, target_locale=locale, defaults={"enabled": True}
    )
    po = translation.export_po()
    before = {entry.msgctxt: entry.msgstr for entry in po}
    known = catalogue_strings(catalogues, values or {})
    for entry in po:
        if not entry.obsolete and not entry.msgstr:
            entry.msgstr = known.get(entry.msgid, "")
    translation.import_po(po, tool_name="load_demo")
    strings_changed = before != {entry.msgctxt: entry.msgstr for entry in po}
    translated = page.get_translation_or_none(locale)
    if created or source_changed or strings_changed or translated is None or not translated.live:
        # Publishing through save_target(publish=True) waits for the end of the
        # transaction and then writes back a stale copy of the page's tree
        # counters; publishing the saved revision ourselves reads them afresh.
        translation.save_target(publish=False)
        page.get_translation(locale).get_latest_revision().publish()
        return True
    return False


def untranslated_strings(page, *, language: str) -> list[str]:
    """The French segments of ``page`` that still have no translation."""
    source = TranslationSource.objects.get_for_instance(page)
    translation = Translation.objects.get(source=source, target_locale__language_code=language)
    return [
        entry.msgid for entry in translation.export_po() if not entry.obsolete and not entry.msgstr
    ]
