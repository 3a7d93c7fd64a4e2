"""Supporting documents: a file checked by its content and size, or the
promise to send it by post."""

from dataclasses import dataclass

from django import forms
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from cms import antivirus
from cms.uploads import RefusedUpload, sniff

from .base import FieldType, field_options, subfield
from .blocks import FieldBlock
from .registry import registry
from .schema import SUBFIELD, Block


@dataclass(frozen=True)
class DocumentType:
    label: str
    mime_types: frozenset[str]


DOCUMENT_TYPES = {
    "pdf": DocumentType(_("PDF"), frozenset({"application/pdf"})),
    "jpeg": DocumentType(_("JPEG image"), frozenset({"image/jpeg"})),
    "png": DocumentType(_("PNG image"), frozenset({"image/png"})),
    "heic": DocumentType(_("HEIC image (iPhone)"), frozenset({"image/heic", "image/heif"})),
    "odt": DocumentType(
        _("OpenDocument text"),
        frozenset({"application/vnd.oasis.opendocument.text"}),
    ),
    "docx": DocumentType(
        _("Word document"),
        frozenset({"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}),
    ),
}

DOCUMENT_MISSING = _("Attach the document, or tick “I will send it by post”.")
DOCUMENT_MISSING_NO_POST = _("Attach the document.")
DOCUMENT_TOO_BIG = _("The file “%(name)s” weighs %(size)s; the limit is %(limit)s MB.")
DOCUMENT_WRONG_TYPE = _(
    "The file “%(name)s” is not of an accepted type (%(types)s), whatever its name says."
)
DOCUMENT_EMPTY = _("The file “%(name)s” is empty.")
DOCUMENT_AND_BY_POST = _(
    "You attached a file and ticked “I will send it by post”: choose one. To send the "
    "file, untick the box; to send the document by post instead, tick “Remove this file”."
)


class TransientBooleanField(forms.BooleanField):
    """A box that acts once, when the step is sent: not kept with what was
    typed, so that it is never found ticked again."""

    kept = False


def document_type_names(types) -> str:
    return ", ".join(str(DOCUMENT_TYPES[t].label) for t in types if t in DOCUMENT_TYPES)


def document_max_size(block: Block) -> int:
    """The most a document block's file may weigh, in bytes."""
    return (block.value.get("max_size") or 5) * 1024 * 1024


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return gettext("%s MB") % formats.number_format(size / (1024 * 1024), 1)
    return gettext("%s kB") % formats.number_format(max(1, round(size / 1024)), 0)


@dataclass
class Upload:
    """A file checked by the form, to be stored by ``services.submission_attach``."""

    file: object
    name: str
    size: int
    content_type: str


class DocumentField(forms.FileField):
    """A supporting document, checked by its content (libmagic) and size."""

    def __init__(self, *, types, max_size_mb, **kwargs):
        super().__init__(**kwargs)
        self.types = list(types or DOCUMENT_TYPES)
        self.max_size_mb = max_size_mb
        self.widget.attrs["accept"] = ",".join(
            sorted(
                {
                    mime
                    for t in self.types
                    if t in DOCUMENT_TYPES
                    for mime in DOCUMENT_TYPES[t].mime_types
                }
            )
        )

    @property
    def types_text(self) -> str:
        """The accepted types, as the citizen reads them."""
        return document_type_names(self.types)

    def to_python(self, data):
        if data in self.empty_values:
            return None
        name = str(getattr(data, "name", "") or gettext("without a name"))
        size = getattr(data, "size", 0) or 0
        limit_mb = self.max_size_mb
        if isinstance(data, RefusedUpload):
            limit_mb = min(limit_mb, data.limit_mb)
        if isinstance(data, RefusedUpload) or size > limit_mb * 1024 * 1024:
            raise forms.ValidationError(
                DOCUMENT_TOO_BIG,
                code="too_big",
                params={"name": name, "size": human_size(size), "limit": limit_mb},
            )
        if size == 0:
            raise forms.ValidationError(DOCUMENT_EMPTY, code="empty", params={"name": name})
        content_type = sniff(data)
        allowed = {
            m for t in self.types if t in DOCUMENT_TYPES for m in DOCUMENT_TYPES[t].mime_types
        }
        if content_type not in allowed:
            raise forms.ValidationError(
                DOCUMENT_WRONG_TYPE,
                code="wrong_type",
                params={"name": name, "types": self.types_text},
            )
        antivirus.check(data, name=name)
        return Upload(file=data, name=name, size=size, content_type=content_type)


def document_answer(attachment) -> dict:
    """How a document field's answer is stored: the attached file."""
    return {
        "attachment": attachment.pk,
        "name": attachment.name,
        "size": attachment.size,
        "content_type": attachment.content_type,
    }


class DocumentBlock(FieldBlock):
    types = blocks.MultipleChoiceBlock(
        choices=[(name, spec.label) for name, spec in DOCUMENT_TYPES.items()],
        default=["pdf", "jpeg", "png"],
        label=_("Allowed types"),
        widget=forms.CheckboxSelectMultiple,
    )
    max_size = blocks.IntegerBlock(
        default=5, min_value=1, max_value=20, label=_("Maximum size (MB)")
    )
    by_post = blocks.BooleanBlock(
        required=False,
        default=True,
        label=_("May be sent by post"),
        help_text=_("Offer “I will send it by post” instead of uploading it."),
    )

    class Meta:
        icon = "doc-full-inverse"
        label = _("Supporting document")
        help_text = _("A file to upload (type checked by its content), or sent by post.")
        preview_value = {
            "label": "Justificatif de domicile",
            "help_text": "Facture de moins de trois mois.",
            "types": ["pdf", "jpeg", "png"],
            "max_size": 5,
            "by_post": True,
            "required": True,
        }


@registry.register
class Document(FieldType):
    """Stored as the attached file (``document_answer``) or ``{"by_post":
    true}``. The file is kept by the view that saves the step
    (``form.uploads``), so the field itself is never required: a step is
    refused only when neither a file is attached nor one promised by post."""

    name = "document"
    block_class = DocumentBlock
    template = "services/fields/document.html"
    is_document = True
    reloads_answer = False

    def form_fields(self, block, context):
        options = field_options(block)
        options["required"] = False
        fields = {
            block.key: DocumentField(
                types=block.value.get("types") or ["pdf", "jpeg", "png"],
                max_size_mb=block.value.get("max_size") or 5,
                **options,
            )
        }
        if block.value.get("by_post"):
            fields[subfield(block, "by_post")] = forms.BooleanField(
                label=gettext("I will send it by post"), required=False
            )
        if block.key in context.attachments:
            fields[subfield(block, "remove")] = TransientBooleanField(
                label=gettext("Remove this file"), required=False
            )
        return fields

    def set_required(self, item, form, *, required):
        """The file is never a required form field: ``clean_form`` checks
        that a document is attached or promised when ``item.required``."""

    def clean_form(self, item, form, cleaned):
        key = item.block.key
        upload = cleaned.get(key)
        by_post = cleaned.get(subfield(item.block, "by_post"), False)
        remove = cleaned.get(subfield(item.block, "remove"), False)
        attached = key in form.context.attachments and not remove
        if isinstance(upload, Upload):
            # Kept even when the step is refused, so that nothing sent is lost.
            form.uploads[key] = upload
        if by_post and (isinstance(upload, Upload) or attached):
            form.add_error(
                key, forms.ValidationError(DOCUMENT_AND_BY_POST, code="file_and_by_post")
            )
        elif remove and not isinstance(upload, Upload) and key not in form.errors:
            form.removals.add(key)
        if (
            not isinstance(upload, Upload)
            and not by_post
            and not attached
            and item.required
            and key not in form.errors
        ):
            by_post_offered = item.block.value.get("by_post")
            message = DOCUMENT_MISSING if by_post_offered else DOCUMENT_MISSING_NO_POST
            form.add_error(key, forms.ValidationError(message, code="required"))

    def example_input(self, key):
        return {f"{key}{SUBFIELD}by_post": ["on"]}

    def answer(self, block, cleaned, context):
        attachment = context.attachments.get(block.key)
        if attachment is not None:
            return document_answer(attachment)
        if cleaned.get(subfield(block, "by_post")):
            return {"by_post": True}
        return None

    def text(self, block, value):
        if value.get("by_post"):
            return gettext("Will be sent by post")
        return value.get("name", "")

    def reload(self, block, value):
        return {}

    def export_cells(self, block, value, *, submission):
        """The file's name, or whether the town hall received the document
        promised by post."""
        ((name, _heading),) = self.export_columns(block)
        text = self.text(block, value) if value is not None else ""
        if block.key in (submission.received_by_post or {}):
            text = (
                f"{text} ({gettext('received by post')})" if text else gettext("Received by post")
            )
        return {name: text}
