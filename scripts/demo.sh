#!/usr/bin/env bash
# Set up and serve the demo portal on SQLite: Carvin and Saint-André-des-Eaux.
# Honours PORT (default 8000), HOST (default 127.0.0.1) and DATABASE_URL
# (default: a SQLite file, db.sqlite3, at the root of the project).
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${PORT:-8000}
HOST=${HOST:-127.0.0.1}
export PORT DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-cms.settings.dev}

[ -x .venv/bin/python ] || "${PYTHON:-python3}" -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py load_demo
exec .venv/bin/python manage.py runserver "$HOST:$PORT"
