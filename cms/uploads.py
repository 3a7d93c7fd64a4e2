"""Uploads and downloads: size limits applied while a file is received, its
type read from its content, and files sent back as attachments.

Limits. ``UPLOAD_MAX_SIZE_MB`` caps every file of every request. A view may
set lower limits for its own fields with ``upload_limits`` (a démarche step
knows each document field's own limit): the limits must be known before the
body is read, so the decorator runs before the CSRF check, which reads it
(Django's csrf_exempt + csrf_protect pattern for upload handlers).

The two upload handlers below replace Django's own (memory, then temporary
file). As soon as a file passes its limit, what was kept of it is dropped and
the rest is only counted, never kept: the parser has to read through it anyway
to reach the fields that follow, which are kept. The file then stands in
``request.FILES`` as a ``RefusedUpload`` of its real size and no content,
which the forms refuse with their own message.
"""

import io
import mimetypes
import re
import unicodedata
from functools import wraps
from pathlib import PurePosixPath
from urllib.parse import quote, unquote

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import (
    MemoryFileUploadHandler,
    TemporaryFileUploadHandler,
)
from django.http import FileResponse
from django.utils import timezone, translation
from django.views.decorators.csrf import csrf_exempt, csrf_protect

MB = 1024 * 1024
SNIFF_BYTES = 64 * 1024
FILENAME_MAX_LENGTH = 120
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {
    f"{device}{n}" for device in ("COM", "LPT") for n in range(1, 10)
}


def ceiling() -> int:
    """The most any uploaded file may weigh, in bytes."""
    return settings.UPLOAD_MAX_SIZE_MB * MB


def limit_for(request, field_name: str) -> int:
    own = (getattr(request, "upload_limits", None) or {}).get(field_name)
    return min(own, ceiling()) if own else ceiling()


class RefusedUpload(UploadedFile):
    """A file refused while it was received because it passed ``limit``
    bytes: its name and real size, and nothing of its content."""

    def __init__(self, *, name, size, limit, kept, content_type=None):
        super().__init__(io.BytesIO(), name=name, content_type=content_type, size=size)
        self.limit = limit
        self.kept = kept
        """How many bytes were kept before it was refused (then dropped)."""

    @property
    def limit_mb(self) -> int:
        return self.limit // MB


class LimitedUploadMixin:
    """Refuses the current file once it passes its limit, when this handler
    is the one storing it."""

    def new_file(self, field_name, file_name, *args, **kwargs):
        self.limit = limit_for(self.request, field_name)
        self.refused_at = None
        super().new_file(field_name, file_name, *args, **kwargs)

    def stores_file(self) -> bool:
        return True

    def receive_data_chunk(self, raw_data, start):
        if not self.stores_file():
            return super().receive_data_chunk(raw_data, start)
        if self.refused_at is not None:
            return None
        if start + len(raw_data) > self.limit:
            self.refused_at = start
            self.file.close()
            return None
        return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size):
        if self.stores_file() and self.refused_at is not None:
            return RefusedUpload(
                name=self.file_name,
                size=file_size,
                limit=self.limit,
                kept=self.refused_at,
                content_type=self.content_type,
            )
        return super().file_complete(file_size)


class LimitedMemoryFileUploadHandler(LimitedUploadMixin, MemoryFileUploadHandler):
    def stores_file(self) -> bool:
        return self.activated


class LimitedTemporaryFileUploadHandler(LimitedUploadMixin, TemporaryFileUploadHandler):
    pass


def upload_limits(limits_for):
    """Give a view's file fields limits of their own, in bytes:
    ``limits_for(request, *args, **kwargs)`` returns them by field name,
    without reading the request's body. The view stays protected from CSRF."""

    def decorator(view):
        protected = csrf_protect(view)

        @csrf_exempt
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST" and request.content_type == "multipart/form-data":
                request.upload_limits = limits_for(request, *args, **kwargs) or {}
            return protected(request, *args, **kwargs)

        return wrapped

    return decorator


def page_upload_limits(request, path):
    """The limits of the page a Wagtail URL leads to, if it has an
    ``upload_limits(request, *args, **kwargs)`` method."""
    from wagtail.models import Page

    route = Page.route_for_request(request, path)
    if route is None:
        return {}
    page, args, kwargs = route
    limits = getattr(page, "upload_limits", None)
    return limits(request, *args, **kwargs) if limits else {}


def _serve(request, path):
    from wagtail.views import serve

    return serve(request, path)


serve = upload_limits(page_upload_limits)(_serve)
"""Wagtail's page view, with the upload limits of the page's own views."""


# Content.


def sniff(file) -> str:
    """The MIME type of a file read from its first bytes (libmagic)."""
    import magic  # imported on use: loads libmagic

    file.seek(0)
    content_type = magic.from_buffer(file.read(SNIFF_BYTES), mime=True)
    file.seek(0)
    return content_type


# Downloads.


def safe_filename(name: str, content_type: str = "") -> str:
    """A file name fit for a ``Content-Disposition`` header: no path, no
    control character, and an extension that matches the (sniffed) type."""
    name = PurePosixPath(str(name).replace("\\", "/")).name
    name = "".join(
        c for c in unicodedata.normalize("NFC", name) if c.isprintable() and c not in '"<>:|?*;'
    ).strip(" .")
    path = PurePosixPath(name or "document")
    stem, suffix = path.stem, path.suffix
    known = mimetypes.guess_all_extensions(content_type) if content_type else []
    if known and suffix.lower() not in known:
        stem, suffix = path.name, mimetypes.guess_extension(content_type) or known[0]
    if stem.upper() in WINDOWS_RESERVED:
        stem = f"_{stem}"
    return f"{stem[: FILENAME_MAX_LENGTH - len(suffix)]}{suffix}"


def ascii_filename(name: str) -> str:
    """The ASCII fallback of a safe name: accents dropped, anything else
    unusual replaced by ``_``."""

    def ascii(text):
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return re.sub(r"[^A-Za-z0-9._()+ -]+", "_", text)

    path = PurePosixPath(name)
    stem = ascii(path.stem).strip(" ._") or "document"
    if stem.upper() in WINDOWS_RESERVED:
        stem = f"_{stem}"
    suffix = ascii(path.suffix) if path.suffix[1:].isascii() else ""
    return f"{stem}{suffix}"


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII ``filename=`` and the real name in
    ``filename*=`` (RFC 6266)."""
    name = safe_filename(filename)
    return (
        f"attachment; filename=\"{ascii_filename(name)}\"; filename*=UTF-8''{quote(name, safe='')}"
    )


def as_attachment(response, filename: str):
    """Send ``response`` as a file to save, never to show, without type
    sniffing nor script if a browser opens it anyway."""
    response["Content-Disposition"] = content_disposition(filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def attachment_name(header: str) -> str | None:
    """The file name an ``attachment`` Content-Disposition header gives."""
    if not header.lower().startswith("attachment"):
        return None
    if match := re.search(r"filename\*=UTF-8''([^;]+)", header, re.IGNORECASE):
        return unquote(match.group(1))
    if match := re.search(r'filename="((?:[^"\\]|\\.)*)"', header):
        return re.sub(r"\\(.)", r"\1", match.group(1))
    if match := re.search(r"filename=([^;]+)", header):
        return match.group(1).strip()
    return "download"


def in_context(chunks, language: str, time_zone: str):
    """The chunks of a streamed response, made in ``language`` and
    ``time_zone``: they are read after the view has returned, when what the
    view had activated is no longer."""
    with translation.override(language), timezone.override(time_zone):
        yield from chunks


class DownloadHeadersMiddleware:
    """Every file sent as an attachment, by our views or Wagtail's (exports,
    documents), gets the headers of ``as_attachment``: a safe name in ASCII
    and in UTF-8, no type sniffing, and a sandbox should it be opened.

    A file streamed from the admin (a CSV export) is written in the staff
    member's language and time zone, which Wagtail activates only while its
    view runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        name = attachment_name(response.get("Content-Disposition", ""))
        if name is None:
            return response
        as_attachment(response, name)
        profile = getattr(request.user, "wagtail_userprofile", None)
        if response.streaming and profile is not None and request.path.startswith("/admin/"):
            response.streaming_content = in_context(
                response.streaming_content,
                profile.get_preferred_language(),
                profile.get_current_time_zone(),
            )
        return response


def download(content, *, filename: str, content_type: str) -> FileResponse:
    """A file to download: ``content`` is bytes or a file open for reading."""
    if isinstance(content, bytes):
        content = io.BytesIO(content)
    response = FileResponse(content, content_type=content_type)
    return as_attachment(response, filename)
