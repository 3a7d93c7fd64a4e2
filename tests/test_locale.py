"""The French interface is complete: every string of the code is translated."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"
SOURCES = [
    "accounts",
    "cms",
    "demo",
    "faq",
    "home",
    "payments",
    "fees",
    "services",
    "templates",
    "locale",
    "manage.py",
]


def entries(catalogue):
    return {(e.msgctxt, e.msgid): e for e in catalogue if not e.obsolete and e.msgid}


def test_every_french_string_is_translated():
    po = polib.pofile(str(PO))

    untranslated = [e.msgid for e in po if not e.obsolete and (not e.translated() or e.fuzzy)]

    assert untranslated == []


def test_the_compiled_catalogue_matches_the_sources():
    po, mo = polib.pofile(str(PO)), polib.mofile(str(PO.with_suffix(".mo")))

    assert {k: e.msgstr for k, e in entries(po).items()} == {
        k: e.msgstr for k, e in entries(mo).items()
    }


@pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="needs gettext (apt-get install gettext)"
)
def test_no_string_of_the_code_is_missing_from_the_catalogue(tmp_path):
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, tmp_path / name)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fr", "--no-obsolete"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        env={"DJANGO_SETTINGS_MODULE": "cms.settings.test", "PATH": "/usr/bin:/bin"},
    )
    extracted = polib.pofile(str(tmp_path / "locale" / "fr" / "LC_MESSAGES" / "django.po"))

    missing = set(entries(extracted)) - set(entries(polib.pofile(str(PO))))

    assert missing == set(), "run: python manage.py makemessages -l fr, then translate"
