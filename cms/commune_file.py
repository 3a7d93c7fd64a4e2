"""Commune files: a whole commune's configuration in one ZIP archive, to
start another commune from a well-configured one, or to move a commune from
one platform to another (``docs/commune-file.md``).

The archive holds ``commune.json``, the manifest, and the images and
documents it names (``media/images/…``, ``media/documents/…``)::

    {"format": "portail-commune", "version": 1,
     "commune": {"name": "Carvin", "phrase": "la mairie de Carvin"},
     "to_reenter": ["…"],
     "media": {"images": {"media/images/1.png": {"title": "…"}},
               "documents": {"media/documents/1.pdf": {"title": "…", "file_name": "…"}}},
     "parts": {"cms": {…}, "services": {…}, "payments": {…}, …}}

``cms`` owns the file and knows none of the apps: each app writes and reads
its own part through the ``register_commune_exchange`` hook
(``cms.extensions.CommuneExchange``), in the hooks' order. Images, documents
and links to the commune's own pages never travel as database ids: an image
or a document is a file of the archive, a page is its address under the home
page (``/faq/``), read back in the importing commune.

Reading refuses an unknown format or version, a part no app reads, a broken
reference (a file the archive lacks, a page the commune lacks) and whatever
the models or the blocks refuse, each time naming the place in the file
(``CommuneFileError.path``). Importing runs in one transaction: on any error
nothing is left, neither rows nor the files stored on the way.
"""

import io
import json
import re
import threading
import zipfile
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models.signals import post_save
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image as PILImage
from wagtail import blocks
from wagtail.documents import get_document_model
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images import get_image_model
from wagtail.images.blocks import ImageChooserBlock
from wagtail.images.fields import get_allowed_image_extensions
from wagtail.models import Collection, Page, Site
from wagtail.utils.file import hash_filelike

from . import uploads
from .blocks import first_block_error
from .extensions import commune_exchanges
from .models import CommuneSettings, SmsSettings

FORMAT = "portail-commune"
VERSION = 1
MANIFEST = "commune.json"
TOP_KEYS = ("format", "version", "commune", "to_reenter", "media", "parts")
#: The most members an archive may hold, and the most it may weigh once
#: uncompressed, as a multiple of the largest upload (``UPLOAD_MAX_SIZE_MB``).
MOST_MEMBERS = 2000
UNCOMPRESSED_UPLOADS = 10
#: The timestamp written for every member, so that the same commune gives
#: the same archive.
MEMBER_TIME = (2000, 1, 1, 0, 0, 0)

NOT_A_ZIP = gettext_lazy("This file is not a commune file: it is not a ZIP archive.")
NO_MANIFEST = gettext_lazy("This file is not a commune file: it holds no commune.json.")
NOT_JSON = gettext_lazy("commune.json is not valid JSON (%(error)s).")
WRONG_FORMAT = gettext_lazy(
    "This file is not a commune file: its format is “%(format)s”, not “%(expected)s”."
)
UNKNOWN_VERSION = gettext_lazy(
    "This commune file is in version %(version)s of the format, which this portal does "
    "not know: it reads version %(known)s. Export the commune again from a portal of the "
    "same version."
)
UNSAFE_NAME = gettext_lazy("The archive holds a file whose name is not allowed: “%(name)s”.")
TOO_MANY_MEMBERS = gettext_lazy("The archive holds more than %(most)d files.")
TOO_BIG = gettext_lazy("Uncompressed, the archive would weigh more than %(most)d MB.")
UNKNOWN_PART = gettext_lazy("This part is not known to this portal.")
WRONG_TYPE = gettext_lazy("This part is not what the format expects here.")
MISSING_FILE = gettext_lazy("The archive lacks the file “%(name)s”.")
UNKNOWN_MEDIA = gettext_lazy("“%(name)s” is not an image or a document of the file.")
NOT_AN_IMAGE = gettext_lazy("“%(name)s” is not an image this portal accepts.")
UNKNOWN_PAGE = gettext_lazy("The commune has no page at “%(address)s”.")
HOSTNAME_TAKEN = gettext_lazy(
    "A commune already answers at %(hostname)s: import into it only by choosing to "
    "replace its configuration."
)
NAME_TAKEN = gettext_lazy("A commune named “%(name)s” already exists.")
#: A thing an import created or replaced: « démarche “Acte de naissance” ».
NAMED = gettext_lazy("%(kind)s “%(name)s”")


class CommuneFileError(Exception):
    """A commune file that cannot be imported: ``path`` is the place in the
    file at fault (``parts.services.demarches[2]``), ``message`` says why."""

    def __init__(self, message, path: str = ""):
        self.message = str(message)
        self.path = path
        super().__init__(f"{path} : {self.message}" if path else self.message)


# --- Rich text and StreamField values ----------------------------------------

TAG_RE = re.compile(r"<(a|embed)\s[^>]*>")
ATTRIBUTE_RE = re.compile(r'([\w-]+)="([^"]*)"')


def _rewrite_tags(text: str, change) -> str:
    """``text`` with each link or embed replaced by ``change(name, attributes)``
    (a tag's new text, or None to keep it)."""
    if not isinstance(text, str) or ("linktype=" not in text and "embedtype=" not in text):
        return text

    def replace(match):
        new = change(match.group(1), dict(ATTRIBUTE_RE.findall(match.group(0))))
        return match.group(0) if new is None else new

    return TAG_RE.sub(replace, text)


def _tag(name: str, attributes: dict) -> str:
    written = "".join(f' {key}="{value}"' for key, value in attributes.items())
    return f"<{name}{written}/>" if name == "embed" else f"<{name}{written}>"


def _walk(block, value, leaf, path: str, fail):
    """``value``, the raw JSON of ``block``, without block ids and with
    ``leaf(block, value, path)`` applied to every value of a simple block."""
    if isinstance(block, blocks.BaseStreamBlock):
        if not isinstance(value, list):
            fail(path, WRONG_TYPE)
        walked = []
        for number, item in enumerate(value):
            here = f"{path}[{number}]"
            if not isinstance(item, dict) or item.get("type") not in block.child_blocks:
                fail(here, UNKNOWN_PART)
            child = block.child_blocks[item["type"]]
            walked.append(
                {"type": item["type"], "value": _walk(child, item.get("value"), leaf, here, fail)}
            )
        return walked
    if isinstance(block, blocks.ListBlock):
        if not isinstance(value, list):
            fail(path, WRONG_TYPE)
        walked = []
        for number, item in enumerate(value):
            here = f"{path}[{number}]"
            if isinstance(item, dict) and item.get("type") == "item" and "value" in item:
                # Written as plain values: the items' ids mean nothing elsewhere.
                walked.append(_walk(block.child_block, item["value"], leaf, here, fail))
            else:
                walked.append(_walk(block.child_block, item, leaf, here, fail))
        return walked
    if isinstance(block, blocks.BaseStructBlock):
        if value is None:
            return None
        if not isinstance(value, dict):
            fail(path, WRONG_TYPE)
        walked = {}
        for name, item in value.items():
            if name not in block.child_blocks:
                fail(f"{path}.{name}", UNKNOWN_PART)
            walked[name] = _walk(block.child_blocks[name], item, leaf, f"{path}.{name}", fail)
        return walked
    return leaf(block, value, path)


def _fail(path: str, message) -> None:
    raise CommuneFileError(message, path)


# --- Writing -----------------------------------------------------------------


class Exporter:
    """What the apps' ``export`` functions write with: the commune, and the
    images, documents and pages their values name, as the file names them."""

    def __init__(self, site: Site):
        self.site = site
        self.home = Page.objects.get(pk=site.root_page_id)
        self.images: dict[int, str] = {}
        self.documents: dict[int, str] = {}
        self.media: dict[str, dict[str, dict]] = {"images": {}, "documents": {}}
        self.files: dict[str, bytes] = {}
        self.to_reenter: list[str] = []

    def reenter(self, text: str) -> None:
        """Name a secret or a setting left out, to enter again after import."""
        self.to_reenter.append(str(text))

    def image(self, pk) -> str | None:
        """The archive's name for image ``pk``, added the first time; None
        for an image deleted since."""
        if pk is None:
            return None
        if pk not in self.images:
            image = get_image_model().objects.filter(pk=pk).first()
            if image is None:
                return None
            name = f"media/images/{len(self.images) + 1}{PurePosixPath(image.file.name).suffix}"
            with image.open_file() as file:
                self.files[name] = file.read()
            entry = {"title": image.title}
            if image.description:
                entry["description"] = image.description
            self.media["images"][name] = entry
            self.images[pk] = name
        return self.images[pk]

    def document(self, pk) -> str | None:
        if pk is None:
            return None
        if pk not in self.documents:
            document = get_document_model().objects.filter(pk=pk).first()
            if document is None:
                return None
            suffix = PurePosixPath(document.file.name).suffix
            name = f"media/documents/{len(self.documents) + 1}{suffix}"
            with document.open_file() as file:
                self.files[name] = file.read()
            self.media["documents"][name] = {
                "title": document.title,
                "file_name": document.filename,
            }
            self.documents[pk] = name
        return self.documents[pk]

    def page_address(self, page: Page) -> str | None:
        """The address of ``page`` under the home page (``/faq/``), or None
        for a page of another commune."""
        if page.pk != self.home.pk and not page.url_path.startswith(self.home.url_path):
            return None
        return "/" + page.url_path[len(self.home.url_path) :]

    def page(self, pk) -> str | None:
        page = Page.objects.filter(pk=pk).first() if pk else None
        return self.page_address(page) if page else None

    def rich_text(self, text: str) -> str:
        def change(name, attributes):
            kind, pk = (
                attributes.get("linktype") or attributes.get("embedtype"),
                attributes.get("id"),
            )
            if not (pk and pk.isdigit()):
                return None
            rest = {k: v for k, v in attributes.items() if k != "id"}
            if name == "a" and kind == "page":
                page = Page.objects.filter(pk=pk).first()
                address = self.page_address(page) if page else None
                if address:
                    return _tag("a", {**rest, "address": address})
                return _tag("a", {"href": page.get_full_url() or ""}) if page else "<a>"
            if name == "a" and kind == "document":
                ref = self.document(int(pk))
                return _tag("a", {**rest, "ref": ref}) if ref else "<a>"
            if name == "embed" and kind == "image":
                ref = self.image(int(pk))
                return _tag("embed", {**rest, "ref": ref}) if ref else ""
            return None

        return _rewrite_tags(text, change)

    def stream(self, stream_value) -> list:
        """A StreamField's value as the file holds it."""
        block = stream_value.stream_block
        return _walk(block, block.get_prep_value(stream_value), self._leaf, "", _fail)

    def _leaf(self, block, value, path):
        if isinstance(block, ImageChooserBlock):
            return self.image(value)
        if isinstance(block, DocumentChooserBlock):
            return self.document(value)
        if isinstance(block, blocks.PageChooserBlock):
            return self.page(value)
        if isinstance(block, blocks.RichTextBlock):
            return self.rich_text(value)
        return value


def commune_export(*, site: Site) -> bytes:
    """The commune file of ``site``, a ZIP archive."""
    exporter = Exporter(site)
    # The texts of the file (what to enter again) are in the portal's language.
    with translation.override(django_settings.LANGUAGE_CODE):
        parts = {exchange.key: exchange.export(exporter) for exchange in commune_exchanges()}
    settings = CommuneSettings.for_site(site)
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "commune": {"name": settings.official_name, "phrase": settings.phrase},
        "to_reenter": exporter.to_reenter,
        "media": exporter.media,
        "parts": parts,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
        archive.writestr(zipfile.ZipInfo(MANIFEST, MEMBER_TIME), text.encode())
        for name, content in exporter.files.items():
            archive.writestr(zipfile.ZipInfo(name, MEMBER_TIME), content, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def commune_file_name(site: Site) -> str:
    return f"commune-{site.hostname}.zip"


# --- Reading -----------------------------------------------------------------


def _safe_member(name: str) -> bool:
    """A member's name that cannot reach outside where it is read: relative,
    without ``..``, a drive or a backslash."""
    path = PurePosixPath(name)
    return (
        bool(name)
        and "\\" not in name
        and ":" not in name
        and not path.is_absolute()
        and ".." not in path.parts
    )


@dataclass
class CommuneArchive:
    manifest: dict
    archive: zipfile.ZipFile

    def read(self, name: str, path: str) -> bytes:
        try:
            return self.archive.read(name)
        except KeyError:
            raise CommuneFileError(MISSING_FILE % {"name": name}, path) from None


def commune_file_read(file) -> CommuneArchive:
    """Open and check a commune file: its archive (names, number and weight
    of its members) and its manifest (format, version, parts)."""
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise CommuneFileError(NOT_A_ZIP) from None
    members = archive.infolist()
    if len(members) > MOST_MEMBERS:
        raise CommuneFileError(TOO_MANY_MEMBERS % {"most": MOST_MEMBERS})
    most = UNCOMPRESSED_UPLOADS * uploads.ceiling()
    if sum(member.file_size for member in members) > most:
        raise CommuneFileError(TOO_BIG % {"most": most // uploads.MB})
    names = set()
    for member in members:
        if not _safe_member(member.filename) or member.filename in names:
            raise CommuneFileError(UNSAFE_NAME % {"name": member.filename})
        names.add(member.filename)
    if MANIFEST not in names:
        raise CommuneFileError(NO_MANIFEST)
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except (ValueError, zipfile.BadZipFile, OSError) as error:
        raise CommuneFileError(NOT_JSON % {"error": error}) from None
    commune_file_check(manifest)
    return CommuneArchive(manifest=manifest, archive=archive)


def commune_file_check(manifest) -> None:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise CommuneFileError(WRONG_FORMAT % {"format": found, "expected": FORMAT}, "format")
    version = manifest.get("version")
    if type(version) is not int or version != VERSION:
        raise CommuneFileError(UNKNOWN_VERSION % {"version": version, "known": VERSION}, "version")
    for name in manifest:
        if name not in TOP_KEYS:
            raise CommuneFileError(UNKNOWN_PART, name)
    for name, kind in (("commune", dict), ("to_reenter", list), ("media", dict), ("parts", dict)):
        if not isinstance(manifest.get(name), kind):
            raise CommuneFileError(WRONG_TYPE, name)
    media = manifest["media"]
    for name in media:
        if name not in ("images", "documents") or not isinstance(media[name], dict):
            raise CommuneFileError(UNKNOWN_PART, f"media.{name}")
    known = {exchange.key for exchange in commune_exchanges()}
    for name in manifest["parts"]:
        if name not in known:
            raise CommuneFileError(UNKNOWN_PART, f"parts.{name}")


@dataclass
class CommuneImport:
    """What an import did: the commune, what it created and replaced (one
    description each), and what staff must enter again."""

    site: Site
    created: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    to_reenter: list[str] = field(default_factory=list)

    kinds: dict[str, Counter] = field(
        default_factory=lambda: {"created": Counter(), "replaced": Counter()}
    )

    @property
    def sections(self) -> list[tuple[str, str, list[str]]]:
        """Each list with its heading and its counts by kind."""
        created = Counter(self.kinds["created"])
        # What creating the commune made: "site …", "page …", "group …".
        listed = sum(created.values())
        for description in self.created[: len(self.created) - listed]:
            created[description.split(" ")[0]] += 1
        return [
            (heading, ", ".join(f"{n} × {kind}" for kind, n in counts.items()), descriptions)
            for heading, counts, descriptions in (
                (_("Created"), created, self.created),
                (_("Replaced"), self.kinds["replaced"], self.replaced),
            )
            if descriptions
        ]


class Importer:
    """What the apps' ``import_`` functions read with: the commune to fill,
    whether it replaces, and the images, documents and pages of the file."""

    def __init__(self, *, site: Site, archive: CommuneArchive, replace: bool, report):
        self.site = site
        self.home = Page.objects.get(pk=site.root_page_id)
        self.replace = replace
        self.archive = archive
        self.report = report
        self.collection = (
            Collection.objects.filter(name=site.site_name, depth=2).first()
            or Collection.get_first_root_node()
        )
        self._images: dict[str, int] = {}
        self._documents: dict[str, int] = {}

    def error(self, path: str, message) -> None:
        raise CommuneFileError(message, path)

    def created(self, kind, name) -> None:
        self.report.created.append(NAMED % {"kind": kind, "name": name})
        self.report.kinds["created"][str(kind)] += 1

    def replaced(self, kind, name) -> None:
        self.report.replaced.append(NAMED % {"kind": kind, "name": name})
        self.report.kinds["replaced"][str(kind)] += 1

    def _media(self, kind: str, ref, path: str) -> dict:
        entries = self.archive.manifest["media"].get(kind, {})
        if not isinstance(ref, str) or ref not in entries or not isinstance(entries[ref], dict):
            self.error(path, UNKNOWN_MEDIA % {"name": ref})
        entry = entries[ref]
        title = entry.get("title")
        if not isinstance(title, str) or not title.strip():
            self.error(f"media.{kind}.{ref}.title", WRONG_TYPE)
        return entry

    def image(self, ref, path: str) -> int | None:
        if ref is None:
            return None
        if ref not in self._images:
            entry = self._media("images", ref, path)
            suffix = PurePosixPath(ref).suffix.lower().lstrip(".")
            if suffix not in get_allowed_image_extensions():
                self.error(path, NOT_AN_IMAGE % {"name": ref})
            content = self.archive.read(ref, path)
            try:
                PILImage.open(io.BytesIO(content)).verify()
            except Exception:  # Pillow raises many kinds of error on a broken image
                self.error(path, NOT_AN_IMAGE % {"name": ref})
            image = get_image_model()(
                title=entry["title"][:255],
                description=str(entry.get("description", ""))[:255],
                collection=self.collection,
                file=ContentFile(content, name=PurePosixPath(ref).name),
                file_size=len(content),
                file_hash=hash_filelike(io.BytesIO(content)),
            )
            image.save()
            self._images[ref] = image.pk
        return self._images[ref]

    def document(self, ref, path: str) -> int | None:
        if ref is None:
            return None
        if ref not in self._documents:
            entry = self._media("documents", ref, path)
            content = self.archive.read(ref, path)
            file_name = uploads.safe_filename(
                str(entry.get("file_name") or PurePosixPath(ref).name)
            )
            document = get_document_model().objects.create(
                title=entry["title"][:255],
                collection=self.collection,
                file=ContentFile(content, name=file_name),
                file_size=len(content),
                file_hash=hash_filelike(io.BytesIO(content)),
            )
            self._documents[ref] = document.pk
        return self._documents[ref]

    def page_at(self, address, path: str) -> Page:
        if not isinstance(address, str) or not address.startswith("/"):
            self.error(path, WRONG_TYPE)
        page = Page.objects.filter(url_path=self.home.url_path + address[1:]).first()
        if page is None:
            self.error(path, UNKNOWN_PAGE % {"address": address})
        return page

    def page(self, address, path: str) -> int | None:
        return None if address is None else self.page_at(address, path).pk

    def rich_text(self, text, path: str) -> str:
        def change(name, attributes):
            ref, address = attributes.pop("ref", None), attributes.pop("address", None)
            if address is not None:
                return _tag(name, {**attributes, "id": self.page(address, path)})
            if ref is None:
                return None
            kind = attributes.get("linktype") or attributes.get("embedtype")
            pk = self.image(ref, path) if kind == "image" else self.document(ref, path)
            return _tag(name, {**attributes, "id": pk})

        return _rewrite_tags(text, change)

    def stream(self, block, value, path: str) -> list:
        """The file's value of a StreamField of ``block`` as the field stores
        it in this commune, checked as the page editor would."""
        raw = _walk(block, value, self._leaf, path, self.error)
        try:
            block.clean(block.to_python(raw))
        except ValidationError as error:
            where, message = first_block_error(error, path)
            self.error(where, message)
        return raw

    def _leaf(self, block, value, path):
        if isinstance(block, ImageChooserBlock):
            return self.image(value, path)
        if isinstance(block, DocumentChooserBlock):
            return self.document(value, path)
        if isinstance(block, blocks.PageChooserBlock):
            return self.page(value, path)
        if isinstance(block, blocks.RichTextBlock):
            return self.rich_text(value, path)
        return value

    def fields(self, model, values, names, path: str) -> dict:
        """``values`` (a dict of the file) for the model fields ``names``,
        each checked by its model field: a name the file lacks is left out,
        one it has beyond them is refused."""
        if not isinstance(values, dict):
            self.error(path, WRONG_TYPE)
        for name in values:
            if name not in names:
                self.error(f"{path}.{name}", UNKNOWN_PART)
        checked = {}
        for name in names:
            if name not in values:
                continue
            model_field = model._meta.get_field(name)
            value = values[name]
            if isinstance(model_field, models.IntegerField | models.FloatField) and (
                isinstance(value, bool) or not isinstance(value, int | float | type(None))
            ):
                self.error(f"{path}.{name}", WRONG_TYPE)
            if isinstance(model_field, models.CharField | models.TextField) and not isinstance(
                value, str
            ):
                self.error(f"{path}.{name}", WRONG_TYPE)
            try:
                checked[name] = model_field.clean(value, None)
            except ValidationError as error:
                self.error(f"{path}.{name}", " ".join(error.messages))
        return checked


@contextmanager
def _files_stored():
    """The files stored by rows created in this thread meanwhile, as
    (storage, name) pairs: an import that fails deletes them once its
    transaction is rolled back, leaving no file that no row names."""
    stored = []
    thread = threading.get_ident()

    def note(sender, instance, created, **kwargs):
        if not created or threading.get_ident() != thread:
            return
        for model_field in instance._meta.concrete_fields:
            if isinstance(model_field, models.FileField):
                field_file = getattr(instance, model_field.attname)
                if field_file:
                    stored.append((field_file.storage, field_file.name))

    post_save.connect(note, weak=False, dispatch_uid=f"commune-file-{thread}")
    try:
        yield stored
    finally:
        post_save.disconnect(dispatch_uid=f"commune-file-{thread}")


def commune_import(
    *,
    file,
    hostname: str,
    name: str = "",
    phrase: str = "",
    replace: bool = False,
) -> CommuneImport:
    """Create the commune of the commune file ``file`` at ``hostname`` (its
    name, and its phrase "la mairie de …", given), or, only with ``replace``,
    replace the configuration of the commune that answers there; never touch
    a citizen's data. Nothing is left of a failed import."""
    from .services import commune_check, commune_create

    archive = commune_file_read(file)
    existing = Site.objects.filter(hostname=hostname).first()
    if existing is not None and not replace:
        raise CommuneFileError(HOSTNAME_TAKEN % {"hostname": hostname}, "hostname")
    if existing is None:
        # The checks of a commune created from the admin (``create_commune``).
        name = (name or "").strip()
        try:
            hostname = commune_check(name=name, hostname=hostname)
        except ValidationError as error:
            field, messages = next(iter(error.message_dict.items()))
            raise CommuneFileError(" ".join(messages), field) from None
        if (
            Site.objects.filter(site_name=name).exists()
            or Collection.objects.filter(name=name, depth=2).exists()
        ):
            raise CommuneFileError(NAME_TAKEN % {"name": name}, "name")
    with _files_stored() as stored:
        try:
            with transaction.atomic():
                if existing is None:
                    creation = commune_create(
                        name=name, hostname=hostname, phrase=phrase or None, open=False
                    )
                    site = creation.site
                    report = CommuneImport(site=site, created=list(creation.created))
                else:
                    site = existing
                    report = CommuneImport(site=site)
                importer = Importer(
                    site=site, archive=archive, replace=existing is not None, report=report
                )
                parts = archive.manifest["parts"]
                for exchange in commune_exchanges():
                    if exchange.key in parts:
                        exchange.import_(importer, parts[exchange.key])
                report.to_reenter = [str(text) for text in archive.manifest["to_reenter"]]
        except BaseException:
            for storage, stored_name in stored:
                storage.delete(stored_name)
            # Wagtail caches the Sites' root paths; a Site rolled back must
            # not be found there by the next page saved.
            Site.clear_site_root_paths_cache()
            raise
    return report


def settings_values(exporter: Exporter, setting, names) -> dict:
    """The values of a site setting's fields ``names``, as the file holds them."""
    values = {}
    for name in names:
        value = getattr(setting, name)
        if hasattr(value, "stream_block"):
            value = exporter.stream(value)
        values[name] = value
    return values


# --- The commune's own settings (cms's part) ---------------------------------

COMMUNE_SETTINGS_FIELDS = (
    "primary_colour",
    "accent_colour",
    "address_lines",
    "postcode",
    "city",
    "contact_email",
    "contact_phone",
    "email_sender",
    "dpo_name",
    "dpo_email",
    "opening_hours",
    "closures",
)
STREAM_SETTINGS = ("opening_hours", "closures")
CHECK_SETTINGS = gettext_lazy(
    "Commune settings: the logo, postal address, contact, e-mail sender, data "
    "protection officer, hours and closures come from %(name)s: check them."
)


SMS_SETTINGS_FIELDS = ("provider", "sender", "monthly_cap")
SMS_SECRETS = gettext_lazy(
    "Text messages: the settings of the provider %(provider)s that are secret (its keys)."
)


def commune_settings_export(exporter: Exporter) -> dict:
    settings = CommuneSettings.for_site(exporter.site)
    exporter.reenter(CHECK_SETTINGS % {"name": settings.official_name})
    return {
        "logo": exporter.image(settings.logo_id),
        "settings": settings_values(exporter, settings, COMMUNE_SETTINGS_FIELDS),
        "sms": sms_settings_export(exporter),
    }


def sms_settings_export(exporter: Exporter) -> dict:
    """The commune's text messages: provider, sender, cap, and the provider's
    settings that are not secret; the secret ones are entered again."""
    from .sms.registry import registry

    sms = SmsSettings.for_site(exporter.site)
    values = settings_values(exporter, sms, SMS_SETTINGS_FIELDS)
    provider = registry.get(sms.provider)
    secret = provider.secret_option_names() if provider else set()
    values["options"] = {k: v for k, v in sms.options.items() if k not in secret}
    if provider and secret & set(sms.options):
        exporter.reenter(SMS_SECRETS % {"provider": provider.verbose_name})
    return values


def sms_settings_import(importer: Importer, values, path: str) -> None:
    from .sms.registry import registry

    if not isinstance(values, dict):
        importer.error(path, WRONG_TYPE)
    values = dict(values)
    options = values.pop("options", {})
    checked = importer.fields(SmsSettings, values, SMS_SETTINGS_FIELDS, path)
    provider = checked.get("provider") or ""
    if provider and provider not in registry:
        importer.error(f"{path}.provider", UNKNOWN_PART)
    known = {option.name for option in registry[provider].options} if provider else set()
    if not isinstance(options, dict) or any(
        name not in known or not isinstance(value, str) for name, value in options.items()
    ):
        importer.error(f"{path}.options", WRONG_TYPE)
    secret = registry[provider].secret_option_names() if provider else set()
    sms = SmsSettings.for_site(importer.site)
    for name, value in checked.items():
        setattr(sms, name, value)
    sms.options = {name: value for name, value in options.items() if name not in secret}
    sms.save()


def commune_settings_import(importer: Importer, part) -> None:
    path = "parts.cms"
    if not isinstance(part, dict):
        importer.error(path, WRONG_TYPE)
    for name in part:
        if name not in ("logo", "settings", "sms"):
            importer.error(f"{path}.{name}", UNKNOWN_PART)
    values = dict(part.get("settings") or {})
    streams = {name: values.pop(name) for name in STREAM_SETTINGS if name in values}
    plain = [name for name in COMMUNE_SETTINGS_FIELDS if name not in STREAM_SETTINGS]
    checked = importer.fields(CommuneSettings, values, plain, f"{path}.settings")
    settings = CommuneSettings.for_site(importer.site)
    for name, value in checked.items():
        setattr(settings, name, value)
    for name, value in streams.items():
        block = CommuneSettings._meta.get_field(name).stream_block
        setattr(settings, name, importer.stream(block, value, f"{path}.settings.{name}"))
    settings.logo_id = importer.image(part.get("logo"), f"{path}.logo")
    try:
        settings.clean()
    except ValidationError as error:
        name, messages = next(iter(error.message_dict.items()))
        importer.error(f"{path}.settings.{name}", " ".join(messages))
    settings.save()
    if "sms" in part:
        sms_settings_import(importer, part["sms"], f"{path}.sms")
    describe = importer.replaced if importer.replace else importer.created
    describe(_("settings"), settings.official_name)


def import_summary(report: CommuneImport) -> list[str]:
    """What an import did, in a few lines for a person: counts, then each
    thing created or replaced, then what to enter again."""
    lines = []
    for heading, counts, descriptions in report.sections:
        lines.append(f"{heading}: {counts}")
        lines += [f"  - {description}" for description in descriptions]
    if report.to_reenter:
        lines.append(_("To enter again:"))
        lines += [f"  - {text}" for text in report.to_reenter]
    return lines
