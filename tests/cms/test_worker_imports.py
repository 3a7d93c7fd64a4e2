"""What a worker loads when it starts: the libraries that only rare requests
use (PDFs, XLSX exports, PayFiP's web service, working days, a FAQ document's
Markdown, phone numbers, the captcha's proof of work, file types, virus scans,
QR codes) are imported where they are used, so that they weigh nothing in a
worker that serves pages."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: Packages a worker must not load to start and resolve its URLs.
LOADED_ON_DEMAND = (
    "weasyprint",
    "openpyxl",
    "zeep",
    "holidays",
    "markdown_it",
    "phonenumbers",
    "altcha",
    "argon2",
    "magic",
    "clamav_client",
    "segno",
    "hypothesis",
    "pytest",
)

#: Loads the WSGI application and its URLs, as a worker before its first page.
WORKER = """
import json, sys
from django.urls import get_resolver
from cms.wsgi import application
get_resolver().url_patterns
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def test_a_worker_starts_without_the_libraries_of_rare_requests():
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    result = subprocess.run(  # noqa: S603 - this interpreter and a fixed script
        [sys.executable, "-c", WORKER],
        cwd=ROOT,
        env={**environment, "DJANGO_SETTINGS_MODULE": "cms.settings.dev"},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    loaded = set(json.loads(result.stdout.splitlines()[-1]))
    assert sorted(loaded.intersection(LOADED_ON_DEMAND)) == []
