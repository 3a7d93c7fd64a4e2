"""The communes of each French postcode, to check a postcode and the commune
typed with it, and to offer the communes of a postcode as it is typed.

The table ``data/codes-postaux.csv.gz`` (postcode, INSEE code, name; one row
per commune served by a postcode) is made from the ``codes-postaux`` package
of the Base Adresse Nationale (Etalab, https://github.com/BaseAdresseNationale/codes-postaux),
itself made from the INSEE's Code officiel géographique and the DGFiP's
FIMOCT, under the Licence Ouverte. ``SOURCE`` says which version; ``manage.py
import_postcodes`` rebuilds the table from a newer one. It is read once per
process, when a form or the lookup first needs it.
"""

import csv
import gzip
import io
import re
from functools import cache
from pathlib import Path
from typing import NamedTuple

from .schema import normalise

TABLE = Path(__file__).resolve().parent / "data" / "codes-postaux.csv.gz"
#: The data set the table was made from.
SOURCE = "codes-postaux 4.1.2 (Base Adresse Nationale, 4 October 2025)"
POSTCODE = re.compile(r"[0-9]{5}")
HEADER = ["code_postal", "code_insee", "nom"]


class Commune(NamedTuple):
    name: str
    insee: str


@cache
def _table() -> dict[str, tuple[Commune, ...]]:
    communes: dict[str, list[Commune]] = {}
    with gzip.open(TABLE, "rt", encoding="utf-8", newline="") as file:
        reader = csv.reader(file, delimiter=";")
        next(reader)
        names: dict[str, str] = {}
        for postcode, insee, name in reader:
            # One string per name, however many postcodes serve the commune.
            name = names.setdefault(name, name)
            communes.setdefault(postcode, []).append(Commune(name=name, insee=insee))
    return {postcode: tuple(sorted(set(found))) for postcode, found in communes.items()}


def communes_of(postcode: str) -> tuple[Commune, ...]:
    """The communes a postcode serves, by name; none for an unknown one."""
    postcode = (postcode or "").strip()
    if not POSTCODE.fullmatch(postcode):
        return ()
    return _table().get(postcode, ())


def comparable(name: str) -> str:
    """A commune's name as people type it, made comparable: case, accents,
    hyphens, apostrophes and "St"/"Ste" for "Saint"/"Sainte" do not matter."""
    words = re.split(r"[^a-z0-9]+", normalise(name))
    words = [{"st": "saint", "ste": "sainte"}.get(word, word) for word in words if word]
    return " ".join(words)


def commune_named(postcode: str, name: str) -> Commune | None:
    """The commune of ``postcode`` called ``name`` (however it is typed)."""
    wanted = comparable(name)
    return next((c for c in communes_of(postcode) if comparable(c.name) == wanted), None)


def table_write(rows, target: Path = TABLE) -> int:
    """Write the table from (postcode, INSEE code, name) rows; the number written."""
    rows = sorted(set(rows))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    target.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0: the same data make the same file, byte for byte.
    with open(target, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as file:
        file.write(buffer.getvalue().encode("utf-8"))
    _table.cache_clear()
    return len(rows)
