"""The home page's part of a commune file (``cms.commune_file``): its blocks,
and the content pages (legal notice, accessibility, personal data…) with
their place in the tree, published or not as they were.

Content pages are created first and filled after, so that they may link to
one another; the home page is filled last, once the démarches it shows
exist. Replacing a commune's configuration gives a page of the same address
a new revision, and leaves the commune's other pages as they are.
"""

from django.utils.translation import gettext as _

from cms.commune_file import UNKNOWN_PART, WRONG_TYPE, Exporter, Importer

from .models import ContentPage, HomePage

PART_KEYS = ("home", "pages")
PAGE_KEYS = ("address", "title", "body", "in_footer", "live")
#: What a content page holds until it is filled, a moment later.
PLACEHOLDER_BODY = "<p>…</p>"


def home_export(exporter: Exporter) -> dict:
    home = exporter.home.specific
    pages = []
    for page in ContentPage.objects.descendant_of(home).order_by("path"):
        current = page if page.live else page.get_latest_revision_as_object()
        pages.append(
            {
                "address": exporter.page_address(page),
                "title": current.title,
                "body": exporter.rich_text(current.body),
                "in_footer": current.in_footer,
                "live": page.live,
            }
        )
    return {"home": {"body": exporter.stream(home.body)}, "pages": pages}


def home_import(importer: Importer, part) -> None:
    path = "parts.home"
    if not isinstance(part, dict) or not isinstance(part.get("pages", []), list):
        importer.error(path, WRONG_TYPE)
    for name in part:
        if name not in PART_KEYS:
            importer.error(f"{path}.{name}", UNKNOWN_PART)
    filled = []
    for number, entry in enumerate(part.get("pages", [])):
        here = f"{path}.pages[{number}]"
        if not isinstance(entry, dict):
            importer.error(here, WRONG_TYPE)
        for name in entry:
            if name not in PAGE_KEYS:
                importer.error(f"{here}.{name}", UNKNOWN_PART)
        filled.append((here, entry, _content_page(importer, entry, here)))
    for here, entry, page in filled:
        values = importer.fields(
            ContentPage,
            {name: entry[name] for name in ("title", "body", "in_footer") if name in entry},
            ("title", "body", "in_footer"),
            here,
        )
        values["body"] = importer.rich_text(values.get("body", ""), f"{here}.body")
        for name, value in values.items():
            setattr(page, name, value)
        revision = page.save_revision()
        if entry.get("live", True) is True:
            revision.publish()
        elif page.live:
            page.unpublish()

    if "home" in part:
        if not isinstance(part["home"], dict):
            importer.error(f"{path}.home", WRONG_TYPE)
        home = importer.home.specific.get_latest_revision_as_object()
        block = HomePage._meta.get_field("body").stream_block
        home.body = importer.stream(block, part["home"].get("body") or [], f"{path}.home.body")
        home.save_revision().publish()
        if importer.replace:
            importer.replaced(_("page"), home.title)


def _content_page(importer: Importer, entry: dict, here: str) -> ContentPage:
    """The content page at the entry's address: the commune's, or a new one
    under its parent, which comes before it in the file."""
    address = entry.get("address")
    if not isinstance(address, str) or not address.startswith("/") or address == "/":
        importer.error(f"{here}.address", WRONG_TYPE)
    found = importer.home.url_path + address[1:]
    page = ContentPage.objects.filter(url_path=found).first()
    if page is not None:
        importer.replaced(_("page"), entry.get("title") or page.title)
        return page.get_latest_revision_as_object()
    parent_address, slug = address.rstrip("/").rsplit("/", 1)
    parent = importer.page_at(parent_address + "/", f"{here}.address").specific
    page = ContentPage(
        title=str(entry.get("title") or slug)[:255],
        slug=slug,
        body=PLACEHOLDER_BODY,
        live=False,
    )
    try:
        parent.add_child(instance=page)
    except Exception as error:
        importer.error(f"{here}.address", " ".join(getattr(error, "messages", [str(error)])))
    importer.created(_("page"), page.title)
    return page
