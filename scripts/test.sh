#!/usr/bin/env bash
# Set up and run the whole test suite: lint, migrations check, unit and
# end-to-end tests (Debian's Chromium, axe-core). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/system-packages.sh
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v xgettext >/dev/null || missing+=(gettext)
command -v npm >/dev/null || missing+=(npm)
command -v pdftotext >/dev/null || missing+=(poppler-utils)
install_missing_packages "${missing[@]}"

[ -x .venv/bin/python ] || "${PYTHON:-python3}" -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
npm ci --silent --no-audit --no-fund

export DJANGO_SETTINGS_MODULE=cms.settings.test
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python manage.py makemigrations --check --dry-run >/dev/null
.venv/bin/python -m pytest "$@"
