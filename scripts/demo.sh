#!/usr/bin/env bash
# Set up and serve the demo portal on SQLite: Carvin and Saint-André-des-Eaux,
# with the task worker that sends e-mails (printed on the console) and the
# local identity provider that stands in for FranceConnect and ProConnect.
# Honours PORT (default 8000), HOST (default 127.0.0.1), IDENTITY_PROVIDER_PORT
# (default 8090) and DATABASE_URL (default: a SQLite file, db.sqlite3, at the
# root of the project).
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${PORT:-8000}
HOST=${HOST:-127.0.0.1}
export PORT DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-cms.settings.dev}

source scripts/system-packages.sh
install_missing_packages

[ -x .venv/bin/python ] || "${PYTHON:-python3}" -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py load_demo

# The task worker sends the e-mails (printed on this console) in the background.
# It is the deployment's worker: a task left running when the demo was stopped
# mid-task is put back in the queue and runs when the demo starts again.
.venv/bin/python manage.py task_worker --worker-id demo --interval 1 --no-startup-delay &
worker=$!
# The demo communes sign citizens in with FranceConnect through this local
# provider (oidc-provider-mock), on http://localhost:${IDENTITY_PROVIDER_PORT:-8090}/,
# and the admin signs staff in with ProConnect through it, as the platform's
# ProConnect client below (unless PROCONNECT_* are set already).
.venv/bin/python manage.py identity_provider &
provider=$!
export PROCONNECT_CLIENT_ID=${PROCONNECT_CLIENT_ID:-portail-admin-demo}
export PROCONNECT_CLIENT_SECRET=${PROCONNECT_CLIENT_SECRET:-secret-admin-demo}
export PROCONNECT_ISSUER=${PROCONNECT_ISSUER:-http://localhost:${IDENTITY_PROVIDER_PORT:-8090}}
trap 'kill "$worker" "$provider" 2>/dev/null' EXIT
.venv/bin/python manage.py runserver "$HOST:$PORT"
