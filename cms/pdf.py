"""What every PDF of the portal shares (request receipts, payment receipts)."""

import base64
import mimetypes

from .models import CommuneSettings

LOGO_RENDITION = "max-480x160"


def logo_data_uri(commune: CommuneSettings) -> str:
    """The commune's logo as a ``data:`` URI (``image_data_uri``)."""
    return image_data_uri(commune.logo, LOGO_RENDITION)


def image_data_uri(image, rendition: str) -> str:
    """A Wagtail image as a ``data:`` URI, so that a PDF needs no web request
    whatever storage holds the image (local files or object storage)."""
    if image is None:
        return ""
    try:
        source = image if image.is_svg() else image.get_rendition(rendition)
        with source.file.open("rb") as file:
            content = file.read()
    except (OSError, ValueError):
        return ""
    content_type = mimetypes.guess_type(source.file.name)[0] or "image/png"
    return f"data:{content_type};base64,{base64.b64encode(content).decode('ascii')}"
