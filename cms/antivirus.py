"""Optional virus scanning of uploaded files by ClamAV's daemon (clamd).

``CLAMAV_ADDRESS`` turns it on: ``unix:///run/clamav/clamd.ctl`` or
``tcp://127.0.0.1:3310``; empty, files are not scanned. When on, each file is
streamed to clamd (``INSTREAM``) before it is accepted. A file with a virus is
refused and the finding logged; when clamd cannot answer (down, too slow, an
answer it should not give) the file is refused too: never accepted unscanned.
"""

import logging
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy

logger = logging.getLogger(__name__)

VIRUS_FOUND = gettext_lazy(
    "The file “%(name)s” contains a virus (%(virus)s): it was not kept. "
    "Scan your device, then send a clean copy."
)
SCANNER_UNAVAILABLE = gettext_lazy(
    "The virus scan is unavailable for the moment: the file “%(name)s” was not kept. "
    "Try again in a few minutes."
)


class ScanError(Exception):
    pass


class VirusFound(ScanError):
    def __init__(self, virus: str):
        super().__init__(virus)
        self.virus = virus


class ScannerUnavailable(ScanError):
    pass


def enabled() -> bool:
    return bool(settings.CLAMAV_ADDRESS)


def client():
    """A clamd client for ``CLAMAV_ADDRESS``."""
    # Imported here, as below: only a worker with CLAMAV_ADDRESS set talks to clamd.
    from clamav_client.clamd import ClamdNetworkSocket, ClamdUnixSocket

    address = urlsplit(settings.CLAMAV_ADDRESS)
    timeout = settings.CLAMAV_TIMEOUT
    if address.scheme == "unix":
        return ClamdUnixSocket(path=address.path, timeout=timeout)
    if address.scheme == "tcp" and address.hostname and address.port:
        return ClamdNetworkSocket(host=address.hostname, port=address.port, timeout=timeout)
    raise ImproperlyConfigured(
        "CLAMAV_ADDRESS must be unix:///path/to/clamd.ctl or tcp://host:port, "
        f"not {settings.CLAMAV_ADDRESS!r}."
    )


def scan(file) -> None:
    """Stream ``file`` to clamd: raises ``VirusFound`` or ``ScannerUnavailable``.
    The file is read from its start and left at its start."""
    from clamav_client.clamd import ClamdError

    file.seek(0)
    try:
        result = client().instream(file)
    except (ClamdError, OSError) as error:
        raise ScannerUnavailable(str(error)) from error
    finally:
        file.seek(0)
    status, virus = result.get("stream", (None, None))
    if status == "OK":
        return
    if status == "FOUND" and virus:
        raise VirusFound(virus)
    raise ScannerUnavailable(f"unexpected answer from clamd: {result!r}")


def check(file, *, name: str) -> None:
    """For forms: raise a ``ValidationError`` naming the file unless clamd
    finds it clean. Nothing is done when scanning is off."""
    if not enabled():
        return
    try:
        scan(file)
    except VirusFound as found:
        logger.warning(
            "Upload refused: clamd found %s in a file of %s bytes.",
            found.virus,
            getattr(file, "size", "?"),
        )
        raise forms.ValidationError(
            VIRUS_FOUND, code="virus", params={"name": name, "virus": found.virus}
        ) from found
    except ScannerUnavailable as error:
        logger.error("Upload refused: the virus scanner is unavailable (%s).", error)
        raise forms.ValidationError(
            SCANNER_UNAVAILABLE, code="scanner_unavailable", params={"name": name}
        ) from error


def ping() -> str:
    """For the health endpoint: clamd answers ``PONG``."""
    from clamav_client.clamd import ClamdError

    try:
        answer = client().ping()
    except (ClamdError, OSError) as error:
        raise ScannerUnavailable(str(error)) from error
    if answer != "PONG":
        raise ScannerUnavailable(f"unexpected answer from clamd: {answer!r}")
    return "ok"
