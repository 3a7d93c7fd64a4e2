"""The citizen's copy of their data (GDPR articles 15 and 20): a ZIP archive
with ``donnees.json`` (the account, the household and what each app adds)
and the files the citizen sent or received.

Apps add their part by connecting to ``personal_data_export`` (accounts
never imports them): each receiver gets ``account`` and returns a
``PersonalDataPart``, or ``None``. The archive is written to a temporary
file, one member at a time, so a large account never sits in memory.
"""

import json
import re
import shutil
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from django.dispatch import Signal
from django.utils import timezone

from .models import User
from .selectors import personal_data

#: Sent with ``account`` to gather what each app stores about it.
personal_data_export = Signal()

DATA_FILE = "donnees.json"


@dataclass
class ExportFile:
    """A file of the archive: its path inside it and how to open its content
    (a binary file object) or make it (bytes)."""

    path: str
    open: Callable[[], IO[bytes]] | None = None
    make: Callable[[], bytes] | None = None
    modified: datetime | None = None


@dataclass
class PersonalDataPart:
    key: str
    data: Any
    files: Iterable[ExportFile] = field(default_factory=list)


def safe_part(value: str, *, default: str = "fichier") -> str:
    """A piece of an archive path made of ASCII letters, digits, ``.``,
    ``-`` and ``_`` only: never a separator, never ``..``."""
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_text).strip(".-_")[:80]
    return cleaned or default


def export_parts(*, user: User) -> list[PersonalDataPart]:
    return [
        part
        for _receiver, part in personal_data_export.send(sender=User, account=user)
        if part is not None
    ]


def personal_data_archive(*, user: User) -> IO[bytes]:
    """The archive, in a temporary file positioned at its start."""
    parts = export_parts(user=user)
    data = personal_data(user=user)
    for part in parts:
        data[part.key] = part.data
    output = tempfile.TemporaryFile()  # noqa: SIM115 (handed to the response, which closes it)
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(DATA_FILE, json.dumps(data, ensure_ascii=False, indent=2))
        seen = set()
        for part in parts:
            for item in part.files:
                if item.path in seen:
                    continue
                seen.add(item.path)
                info = zipfile.ZipInfo(item.path, _zip_time(item.modified or timezone.now()))
                info.compress_type = zipfile.ZIP_DEFLATED
                if item.make is not None:
                    archive.writestr(info, item.make())
                    continue
                try:
                    source = item.open()
                except OSError:
                    continue
                with source, archive.open(info, "w", force_zip64=True) as target:
                    shutil.copyfileobj(source, target, 1024 * 1024)
    output.seek(0)
    return output


def _zip_time(moment: datetime) -> tuple:
    return timezone.localtime(moment).timetuple()[:6]


def archive_name(user: User) -> str:
    return f"mes-donnees-{safe_part(user.username, default='compte')}.zip"
