"""Démarche files: a démarche as a versioned JSON document, so that one
commune can hand a démarche to another, and the demo can ship its démarches
as data.

A file holds one démarche::

    {
      "format": "portail-demarche",
      "version": 1,
      "page": {"title": "…", "slug": "…", "category": "…", …},
      "form": [{"type": "step", "value": {"title": "…", "fields": […]}}, …],
      "documents": [{"id": 1, "title": "…", "file_name": "…", "content": "<base64>"}],
      "processing": {"service": "État civil",
                     "routing": [{"field": "nature", "value": "…", "service": "…"}]}
    }

``page`` holds the page's own fields (``PAGE_FIELDS``; those of
``OPTIONAL_PAGE_FIELDS`` only when they differ from their default, such as
the minutes the démarche takes, ``duration_minutes``), ``form`` the
StreamField's own JSON without its block ids. A rich text link to a document
names an entry of ``documents`` (``<a linktype="document" id="1">``) rather
than a row of one commune's database: importing creates the documents in the
commune's collection and points the links at them. A link to a page of the
exporting commune becomes a plain link to that page's address.

``processing`` (optional) names the municipal service that handles the
démarche and its routing rules by the services' names: importing uses the
commune's services of those names, creating those it lacks (without agents,
for its supervisors to staff). The file names no workflow: the démarche
follows the importing commune's standard one, unless the caller gives
another (a commune file names each démarche's workflow, see
``services.commune_file``).

Whatever an older portal would misread bumps ``VERSION``; a reader refuses a
version it does not know rather than guessing. A part or a page field that a
reader does not know is refused too (``UNKNOWN_PART``), so that a new optional
one keeps the version: a file written without it reads as its default, and an
older portal refuses a démarche that needs it rather than dropping it (a
démarche requiring FranceConnect is not imported where it would not be
required).
"""

import base64
import binascii
import json
import re

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents import get_document_model
from wagtail.models import Collection, Page

from cms.blocks import first_block_error
from cms.models import CommuneSettings
from cms.placeholders import insert_placeholders

from .models import MunicipalService, RoutingRule, ServiceIndexPage, ServicePage, Workflow

FORMAT = "portail-demarche"
VERSION = 1
#: The page's fields a file carries, in the order they are written.
PAGE_FIELDS = (
    "title",
    "slug",
    "category",
    "summary",
    "requires_account",
    "requires_franceconnect",
    "duration_minutes",
    "intro",
    "documents",
    "confirmation",
    "processing_purpose",
    "legal_basis",
    "data_subjects",
    "retention_months",
)
#: The page's texts that may hold placeholders (``cms.placeholders``): the
#: commune's own names become placeholders when it is exported.
TEXT_FIELDS = (
    "summary",
    "intro",
    "documents",
    "confirmation",
    "processing_purpose",
    "data_subjects",
)
#: Page fields written only when they differ from this default, which a file
#: without them is read as (files written before a field existed).
OPTIONAL_PAGE_FIELDS = {"requires_franceconnect": False, "duration_minutes": None}
DOCUMENT_KEYS = ("id", "title", "file_name", "content")
PROCESSING_KEYS = ("service", "routing")
ROUTE_KEYS = ("field", "value", "service")

NOT_JSON = _("This file is not a démarche file: it is not valid JSON (%(error)s).")
NOT_JSON_AT = _(
    "This file is not a démarche file: it is not valid JSON, line %(line)d, "
    "column %(column)d (%(error)s)."
)
WRONG_FORMAT = _(
    "This file is not a démarche file: its format is “%(format)s”, not “%(expected)s”."
)
UNKNOWN_VERSION = _(
    "This démarche file is in version %(version)s of the format, which this portal "
    "does not know: it reads version %(known)s. Export the démarche again from a "
    "portal of the same version."
)
MISSING_PART = _("This démarche file has no “%(part)s”.")
UNKNOWN_PART = _("This démarche file has a part this portal does not know: %(path)s.")
INVALID_PAGE = _("This démarche file has an invalid “%(field)s”: %(error)s")
INVALID_FORM = _("The form of this démarche file is invalid: %(path)s: %(error)s")
INVALID_DOCUMENT = _("Document %(number)s of this démarche file is invalid: %(error)s")
UNKNOWN_DOCUMENT = _("This démarche file links to document %(id)s, which it does not hold.")
INVALID_PROCESSING = _("The processing part of this démarche file is invalid: %(error)s")
INVALID_ROUTE = _("Routing rule %(number)s of this démarche file is invalid: %(error)s")
SLUG_TAKEN = _("The commune already has a démarche at “%(slug)s”.")

LINK_RE = re.compile(r"<a\s[^>]*>")
TAG_RE = re.compile(r"(<[^>]*>)")
LINK_ATTRIBUTE_RE = re.compile(r'(linktype|id)="([^"]*)"')


class DemarcheFileError(Exception):
    """A démarche file that cannot be read; its message says why, for a person."""


def demarche_export(*, page: ServicePage) -> dict:
    """The démarche file of ``page``, as a dictionary (``demarche_dumps`` writes it)."""
    documents: dict[int, dict] = {}

    def relink(text: str) -> str:
        return _relink(text, document=lambda pk: _export_document(pk, documents), page=_page_url)

    general = _generalise(page)
    document = {
        "format": FORMAT,
        "version": VERSION,
        "page": {
            name: _map_strings(
                getattr(page, name),
                (lambda text: general(relink(text))) if name in TEXT_FIELDS else relink,
            )
            for name in PAGE_FIELDS
            if name not in OPTIONAL_PAGE_FIELDS or getattr(page, name) != OPTIONAL_PAGE_FIELDS[name]
        },
        "form": _form_texts(_map_strings(_without_ids(_form_data(page)), relink), general),
        "documents": list(documents.values()),
    }
    processing = _processing_of(page)
    for route in processing["routing"]:
        route["value"] = general(route["value"])
    if processing["service"] or processing["routing"]:
        document["processing"] = processing
    return document


def _generalise(page: ServicePage):
    """What turns the exporting commune's names in a text into placeholders
    (``cms.placeholders.insert_placeholders``): "La mairie de Carvin délivre
    les actes des personnes nées à Carvin" is written "{Mairie} délivre les
    actes des personnes nées à {commune}", which reads right in the commune
    that imports it."""
    site = page.get_site()
    if site is None:
        return lambda text: text
    communes = [(CommuneSettings.for_site(site), site)]

    def general(text: str) -> str:
        # Outside the tags only: a link keeps the address it leads to.
        return "".join(
            part if part.startswith("<") else insert_placeholders(part, communes=communes)
            for part in TAG_RE.split(text)
        )

    return general


def _form_texts(form: list, change) -> list:
    """``form`` (the StreamField's JSON) with ``change`` applied to the texts
    citizens read: the steps' titles, the blocks' texts, and the answers
    their conditions expect, which are written as the choices they name."""
    from .fields.schema import translated_parts

    for step in form:
        value = step.get("value") or {}
        if isinstance(value.get("title"), str):
            value["title"] = change(value["title"])
        for child in value.get("fields") or []:
            block = child.get("value") or {}
            for part in translated_parts(child.get("type")):
                if isinstance(block.get(part), str):
                    block[part] = change(block[part])
            for name in ("condition", "required_when"):
                condition = block.get(name)
                if isinstance(condition, dict) and isinstance(condition.get("value"), str):
                    condition["value"] = change(condition["value"])
    return form


def _processing_of(page: ServicePage) -> dict:
    return {
        "service": page.municipal_service.name if page.municipal_service_id else "",
        "routing": [
            {"field": rule.field, "value": rule.value, "service": rule.service.name}
            for rule in page.routing_rules.select_related("service")
        ],
    }


def _form_data(page: ServicePage) -> list:
    """The form as its blocks write it: each block is read through its
    definition, so that the keys come in the blocks' order and not in the
    database's (PostgreSQL's ``jsonb`` sorts them)."""
    return [child.get_prep_value() for child in page.form]


def demarche_dumps(document: dict) -> str:
    """The text of a démarche file: indented, keys in the order written, one per line."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def demarche_loads(text: str | bytes) -> dict:
    """Read and check a démarche file; ``DemarcheFileError`` says what is wrong."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise DemarcheFileError(
            NOT_JSON_AT % {"line": error.lineno, "column": error.colno, "error": error.msg}
        ) from None
    except ValueError as error:
        raise DemarcheFileError(NOT_JSON % {"error": error}) from None
    demarche_check(document)
    return document


def demarche_check(document) -> None:
    """Refuse a document that is not a démarche file this portal can import.

    The form goes through the StreamField's own blocks: their ``to_python``
    and ``clean``, the checks the page editor runs. The checks that need the
    commune (keys, conditions, slug) run when it is imported.
    """
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        found = document.get("format") if isinstance(document, dict) else None
        raise DemarcheFileError(WRONG_FORMAT % {"format": found, "expected": FORMAT})
    version = document.get("version")
    if type(version) is not int or version != VERSION:
        raise DemarcheFileError(UNKNOWN_VERSION % {"version": version, "known": VERSION})
    for part, kind in (("page", dict), ("form", list), ("documents", list)):
        if not isinstance(document.get(part), kind):
            raise DemarcheFileError(MISSING_PART % {"part": part})
    _refuse_unknown(document, ("format", "version", "page", "form", "documents", "processing"), "")
    _check_page(document["page"])
    _check_processing(document.get("processing", {"service": "", "routing": []}))
    _check_form(document["form"])
    held = _check_documents(document["documents"])
    missing = sorted(_linked_documents([document["page"], document["form"]]) - held)
    if missing:
        raise DemarcheFileError(UNKNOWN_DOCUMENT % {"id": missing[0]})


def demarche_import(
    *,
    index: ServiceIndexPage,
    document: dict,
    publish: bool = True,
    workflow: Workflow | None = None,
) -> ServicePage:
    """Create the démarche of ``document`` under ``index``, with its documents
    in the commune's collection; the page's own checks (keys, conditions)
    refuse it as the page editor would. It follows ``workflow``, else the
    commune's standard one.

    Either all of it is created or nothing is: on a refusal, the rows are
    rolled back and the files of the documents already stored are deleted
    once the transaction around (if any) has committed. Its address is made
    plain ASCII (“déchèterie” becomes “decheterie”)."""
    demarche_check(document)
    stored: list = []
    try:
        with transaction.atomic():
            return _create(
                index=index, document=document, publish=publish, workflow=workflow, stored=stored
            )
    except BaseException:
        _delete_on_commit(stored)
        raise


def _create(
    *,
    index: ServiceIndexPage,
    document: dict,
    publish: bool,
    workflow: Workflow | None,
    stored: list,
) -> ServicePage:
    slug = ascii_slug(document["page"]["slug"])
    if ServicePage.objects.child_of(index).filter(slug=slug).exists():
        raise DemarcheFileError(SLUG_TAKEN % {"slug": slug})
    page = ServicePage(live=publish, workflow=workflow)
    _fill(page, document, index=index, stored=stored)
    page.slug = slug
    try:
        index.add_child(instance=page)
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise DemarcheFileError(
            INVALID_PAGE % {"field": field, "error": " ".join(messages)}
        ) from None
    revision = page.save_revision()
    if publish:
        revision.publish()
    return page


def demarche_update(
    *, page: ServicePage, document: dict, publish: bool = True, workflow: Workflow | None = None
) -> ServicePage:
    """Give the démarche ``page`` the contents of ``document`` as a new
    revision, published when ``publish``: its requests keep the revision they
    were sent with. Its address stays. All or nothing, as ``demarche_import``."""
    demarche_check(document)
    stored: list = []
    try:
        with transaction.atomic():
            page.workflow = workflow
            slug = page.slug
            _fill(page, document, index=page.get_parent().specific, stored=stored)
            page.slug = slug
            try:
                revision = page.save_revision()
            except ValidationError as error:
                field, messages = next(iter(error.message_dict.items()))
                raise DemarcheFileError(
                    INVALID_PAGE % {"field": field, "error": " ".join(messages)}
                ) from None
            if publish:
                revision.publish()
            return page
    except BaseException:
        _delete_on_commit(stored)
        raise


def _fill(page: ServicePage, document: dict, *, index: ServiceIndexPage, stored: list) -> None:
    """Give ``page`` the fields, form, documents and processing of
    ``document``; the files of the documents it stores are added to ``stored``."""
    collection = _collection_of(index)
    ids = {}
    for entry in document["documents"]:
        imported = _import_document(entry, collection)
        stored.append(imported.file)
        ids[entry["id"]] = imported.pk

    def relink(text: str) -> str:
        # A page link names a page of the exporting commune's database: the
        # exporter writes it as an address, anything else loses its target.
        return _relink(text, document=lambda id: str(ids[id]), page=lambda id: "")

    fields = {
        **{name: default for name, default in OPTIONAL_PAGE_FIELDS.items()},
        **_map_strings(document["page"], relink),
    }
    for name, value in fields.items():
        setattr(page, name, value)
    page.form = _map_strings(document["form"], relink)
    _give_processing(page, document.get("processing"), site=index.get_site())


def _delete_on_commit(stored: list) -> None:
    """Delete the files of ``stored`` once the transaction around commits: the
    rows that named them were rolled back."""
    for field_file in stored:
        storage, name = field_file.storage, field_file.name
        transaction.on_commit(lambda s=storage, n=name: s.delete(n), robust=True)


def ascii_slug(slug: str) -> str:
    """``slug`` in plain ASCII, as the admin writes a new page's address."""
    return slug if slug.isascii() else (slugify(slug) or "demarche")


def _give_processing(page: ServicePage, processing: dict | None, *, site) -> None:
    """The démarche's service and routing rules, by their services' names in
    the commune; a rule naming a field or answer the form lacks is refused."""
    page.municipal_service = None
    page.routing_rules = []
    if not processing:
        return
    from .fields.schema import steps_of
    from .routing import input_blocks, routing_rule_errors

    def service(name: str) -> MunicipalService:
        return MunicipalService.objects.get_or_create(site=site, name=name)[0]

    if processing.get("service"):
        page.municipal_service = service(processing["service"])
    blocks = input_blocks(steps_of(page.form.get_prep_value()))
    rules = []
    for number, route in enumerate(processing.get("routing", []), start=1):
        errors = routing_rule_errors(blocks=blocks, field=route["field"], value=route["value"])
        if errors:
            raise DemarcheFileError(
                INVALID_ROUTE % {"number": number, "error": " ".join(map(str, errors.values()))}
            )
        rules.append(
            RoutingRule(
                field=route["field"], value=route["value"], service=service(route["service"])
            )
        )
    page.routing_rules = rules


def _check_processing(processing) -> None:
    if not isinstance(processing, dict):
        raise DemarcheFileError(UNKNOWN_PART % {"path": "processing"})
    _refuse_unknown(processing, PROCESSING_KEYS, "processing.")
    service = processing.get("service", "")
    routing = processing.get("routing", [])
    if not isinstance(service, str) or len(service) > 120:
        raise DemarcheFileError(
            INVALID_PROCESSING
            % {"error": _("a service is named by a text of 120 characters at most.")}
        )
    if not isinstance(routing, list):
        raise DemarcheFileError(UNKNOWN_PART % {"path": "processing.routing"})
    for number, route in enumerate(routing, start=1):
        if not isinstance(route, dict):
            raise DemarcheFileError(UNKNOWN_PART % {"path": f"processing.routing[{number - 1}]"})
        _refuse_unknown(route, ROUTE_KEYS, f"processing.routing[{number - 1}].")
        for name, most in (("field", 60), ("value", 255), ("service", 120)):
            value = route.get(name)
            if not isinstance(value, str) or not value.strip() or len(value) > most:
                raise DemarcheFileError(
                    INVALID_ROUTE
                    % {
                        "number": number,
                        "error": _("“%(name)s” must be a text of %(most)d characters at most.")
                        % {"name": name, "most": most},
                    }
                )


def _refuse_unknown(value: dict, known, path: str) -> None:
    for name in value:
        if name not in known:
            raise DemarcheFileError(UNKNOWN_PART % {"path": f"{path}{name}"})


def _check_page(fields: dict) -> None:
    _refuse_unknown(fields, PAGE_FIELDS, "page.")
    for name in ("title", "slug", "category", "summary"):
        if name not in fields:
            raise DemarcheFileError(MISSING_PART % {"part": f"page.{name}"})
    for name, value in fields.items():
        model_field = ServicePage._meta.get_field(name)
        if isinstance(model_field, models.IntegerField) and not (
            value is None or type(value) is int
        ):
            raise DemarcheFileError(
                INVALID_PAGE % {"field": name, "error": _("it must be a whole number.")}
            )
        try:
            model_field.clean(value, None)
        except ValidationError as error:
            raise DemarcheFileError(
                INVALID_PAGE % {"field": name, "error": " ".join(error.messages)}
            ) from None


def _check_form(form: list) -> None:
    stream_block = ServicePage._meta.get_field("form").stream_block
    _refuse_unknown_blocks(stream_block, form, "form")
    try:
        stream_block.clean(stream_block.to_python(form))
    except ValidationError as error:
        path, message = first_block_error(error, "form")
        raise DemarcheFileError(INVALID_FORM % {"path": path, "error": message}) from None


def _refuse_unknown_blocks(block, value, path: str) -> None:
    """Refuse block types and struct members the blocks do not know: Wagtail's
    ``to_python`` would drop them without a word, and with them the fields
    they describe."""
    if isinstance(block, blocks.BaseStreamBlock):
        if not isinstance(value, list):
            raise DemarcheFileError(UNKNOWN_PART % {"path": path})
        for number, child in enumerate(value):
            here = f"{path}[{number}]"
            if not isinstance(child, dict) or child.get("type") not in block.child_blocks:
                kind = child.get("type") if isinstance(child, dict) else child
                raise DemarcheFileError(UNKNOWN_PART % {"path": f"{here} ({kind})"})
            _refuse_unknown(child, ("type", "value", "id"), f"{here}.")
            _refuse_unknown_blocks(block.child_blocks[child["type"]], child.get("value"), here)
    elif isinstance(block, blocks.BaseStructBlock):
        if value is None:
            return
        if not isinstance(value, dict):
            raise DemarcheFileError(UNKNOWN_PART % {"path": path})
        _refuse_unknown(value, block.child_blocks, f"{path}.")
        for name, child in value.items():
            _refuse_unknown_blocks(block.child_blocks[name], child, f"{path}.{name}")


def _check_documents(entries: list) -> set[int]:
    held = set()
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise DemarcheFileError(UNKNOWN_PART % {"path": f"documents[{number - 1}]"})
        _refuse_unknown(entry, DOCUMENT_KEYS, f"documents[{number - 1}].")
        problem = _document_problem(entry, held)
        if problem:
            raise DemarcheFileError(INVALID_DOCUMENT % {"number": number, "error": problem})
        held.add(entry["id"])
    return held


def _document_problem(entry: dict, held: set[int]) -> str:
    if not isinstance(entry.get("id"), int) or entry["id"] in held:
        return _("its “id” must be a number no other document of the file has.")
    for name in ("title", "file_name", "content"):
        if not isinstance(entry.get(name), str) or not entry[name]:
            return _("its “%(name)s” is missing.") % {"name": name}
    try:
        base64.b64decode(entry["content"], validate=True)
    except binascii.Error:
        return _("its “content” is not base64.")
    return ""


def _linked_documents(value) -> set[int]:
    linked = set()

    def note(id: int) -> int:
        linked.add(id)
        return id

    _map_strings(value, lambda text: _relink(text, document=note, page=str))
    return linked


def _map_strings(value, change):
    """``value`` with ``change`` applied to every string inside it."""
    if isinstance(value, str):
        return change(value)
    if isinstance(value, dict):
        return {key: _map_strings(item, change) for key, item in value.items()}
    if isinstance(value, list):
        return [_map_strings(item, change) for item in value]
    return value


def _without_ids(value):
    """The StreamField's JSON without block ids, which mean nothing in another
    page: the page that imports it gets new ones."""
    if isinstance(value, dict):
        return {
            key: _without_ids(item)
            for key, item in value.items()
            if not (key == "id" and value.keys() == {"type", "value", "id"})
        }
    if isinstance(value, list):
        return [_without_ids(item) for item in value]
    return value


def _relink(text: str, *, document, page) -> str:
    """Rewrite the rich text links of ``text``: ``document(id)`` gives the new
    id of a document link, ``page(id)`` the address a page link becomes."""
    if "linktype=" not in text:
        return text

    def replace(match):
        attributes = dict(LINK_ATTRIBUTE_RE.findall(match.group(0)))
        kind, id = attributes.get("linktype"), attributes.get("id", "")
        if kind == "document" and id.isdigit():
            new_id = document(int(id))
            return f'<a linktype="document" id="{new_id}">' if new_id else "<a>"
        if kind == "page" and id.isdigit():
            url = page(int(id))
            return f'<a href="{url}">' if url else "<a>"
        return match.group(0)

    return LINK_RE.sub(replace, text)


def _page_url(pk: int) -> str:
    page = Page.objects.filter(pk=pk).first()
    return (page.get_full_url() or "") if page else ""


def _export_document(pk: int, documents: dict[int, dict]) -> int | None:
    """The number of document ``pk`` in the file, added the first time it is
    linked; None for a document deleted since the link was made."""
    if pk not in documents:
        document = get_document_model().objects.filter(pk=pk).first()
        if document is None:
            return None
        with document.open_file() as file:
            content = base64.b64encode(file.read()).decode("ascii")
        documents[pk] = {
            "id": len(documents) + 1,
            "title": document.title,
            "file_name": document.filename,
            "content": content,
        }
    return documents[pk]["id"]


def _import_document(entry: dict, collection: Collection):
    content = base64.b64decode(entry["content"])
    return get_document_model().objects.create(
        title=entry["title"],
        collection=collection,
        file=ContentFile(content, name=entry["file_name"]),
        file_size=len(content),
    )


def _collection_of(index: ServiceIndexPage) -> Collection:
    """The commune's collection of images and documents (see ``commune_create``),
    else the root collection."""
    site = index.get_site()
    collection = Collection.objects.filter(name=site.site_name, depth=2).first() if site else None
    return collection or Collection.get_first_root_node()
