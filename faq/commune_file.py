"""The FAQ's part of a commune file (``cms.commune_file``): its title,
introduction and questions, published or not as they were. Read into the
commune's own FAQ page, as a new revision."""

from django.utils.translation import gettext as _

from cms.commune_file import UNKNOWN_PART, WRONG_TYPE, Exporter, Importer

from .models import FAQPage

KEYS = ("title", "intro", "body", "live")


def faq_export(exporter: Exporter) -> dict:
    page = FAQPage.objects.descendant_of(exporter.home).first()
    if page is None:
        return {}
    current = page if page.live else page.get_latest_revision_as_object()
    return {
        "title": current.title,
        "intro": exporter.rich_text(current.intro),
        "body": exporter.stream(current.body),
        "live": page.live,
    }


def faq_import(importer: Importer, part) -> None:
    path = "parts.faq"
    if not isinstance(part, dict):
        importer.error(path, WRONG_TYPE)
    if not part:
        return
    for name in part:
        if name not in KEYS:
            importer.error(f"{path}.{name}", UNKNOWN_PART)
    page = FAQPage.objects.descendant_of(importer.home).first()
    if page is None:
        importer.error(path, WRONG_TYPE)
    page = page.get_latest_revision_as_object()
    values = importer.fields(
        FAQPage, {k: part[k] for k in ("title", "intro") if k in part}, ("title", "intro"), path
    )
    for name, value in values.items():
        setattr(page, name, value)
    page.intro = importer.rich_text(page.intro, f"{path}.intro")
    block = FAQPage._meta.get_field("body").stream_block
    page.body = importer.stream(block, part.get("body") or [], f"{path}.body")
    revision = page.save_revision()
    if part.get("live", True) is True:
        revision.publish()
    elif page.live:
        page.unpublish()
    if importer.replace:
        importer.replaced(_("page"), page.title)
