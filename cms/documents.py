"""The Wagtail documents' form: a document's content must be of a type its
extension stands for (``WAGTAILDOCS_EXTENSIONS`` only checks the name), it
weighs at most ``UPLOAD_MAX_SIZE_MB`` and it is scanned for viruses when
ClamAV is configured. Images need no such form: Wagtail decodes each one with
Pillow and refuses what is not an image of an allowed format."""

from pathlib import PurePosixPath

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.documents.forms import BaseDocumentForm

from . import antivirus
from .uploads import RefusedUpload, ceiling, sniff

# The types libmagic gives each extension's content. OpenDocument and Office
# files are ZIP archives, which some producers leave without the marker
# libmagic looks for: a bare ZIP is accepted for them (and for them only).
OOXML_ZIP = {"application/zip", "application/octet-stream"}
TEXT = {"text/plain", "text/csv", "text/markdown", "application/csv"}
CONTENT_TYPES = {
    "pdf": {"application/pdf"},
    "csv": TEXT,
    "txt": TEXT,
    "md": TEXT,
    "odt": {"application/vnd.oasis.opendocument.text", "application/zip"},
    "docx": {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        *OOXML_ZIP,
    },
    "xlsx": {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        *OOXML_ZIP,
    },
}

DOCUMENT_TOO_BIG = _("The file “%(name)s” weighs more than %(limit)s MB, the limit.")
DOCUMENT_WRONG_CONTENT = _(
    "The content of “%(name)s” is not that of a .%(extension)s file: "
    "save it again in that format, or give it the right extension."
)


def content_matches(extension: str, content_type: str) -> bool:
    return content_type in CONTENT_TYPES.get(extension.lower(), set())


class DocumentForm(BaseDocumentForm):
    def clean_file(self):
        file = self.cleaned_data.get("file")
        if not file or file == self.original_file or not hasattr(file, "content_type"):
            return file
        name = file.name
        if isinstance(file, RefusedUpload) or file.size > ceiling():
            raise forms.ValidationError(
                DOCUMENT_TOO_BIG,
                code="too_big",
                params={"name": name, "limit": ceiling() // (1024 * 1024)},
            )
        extension = PurePosixPath(name).suffix.lstrip(".").lower()
        if extension and not content_matches(extension, sniff(file)):
            raise forms.ValidationError(
                DOCUMENT_WRONG_CONTENT,
                code="wrong_content",
                params={"name": name, "extension": extension},
            )
        antivirus.check(file, name=name)
        return file
