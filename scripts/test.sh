#!/usr/bin/env bash
# Set up and run the whole test suite: lint, migrations check, unit and
# end-to-end tests (Debian's Chromium, axe-core, the Nu HTML checker), on SQLite and on PostgreSQL
# at the same time (a throwaway cluster of Debian's packages, see
# scripts/postgres.sh), one run per core. Extra arguments go to pytest.
#   TEST_DATABASES="sqlite"   only SQLite (or "postgresql" only PostgreSQL)
#   DATABASE_URL=...          only that database
# tests/test_isolation.py (every id of one commune on every admin URL, read
# queries only) and the end-to-end tests (what they add is the browser; the
# database paths they take are those of the other tests) run on SQLite; the
# authorization matrix runs on both, on
# PostgreSQL in a run of its own (its own test database) beside the two others,
# which keeps both cores busy to the end.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/system-packages.sh
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v xgettext >/dev/null || missing+=(gettext)
command -v npm >/dev/null || missing+=(npm)
# tests/e2e/test_html.py runs the Nu HTML checker (npm's vnu-jar) on Java.
command -v java >/dev/null || missing+=(default-jre-headless)
command -v pdftotext >/dev/null || missing+=(poppler-utils)
[ -x /usr/sbin/clamd ] || command -v clamd >/dev/null || missing+=(clamav-daemon)
# tests/test_stack.py runs the portal behind deploy/'s nginx.
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || missing+=(nginx)
[ -e /usr/lib/nginx/modules/ngx_http_brotli_static_module.so ] ||
  missing+=(libnginx-mod-http-brotli-filter libnginx-mod-http-brotli-static)
install_missing_packages "${missing[@]}"

[ -x .venv/bin/python ] || "${PYTHON:-python3}" -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
npm ci --silent --no-audit --no-fund --ignore-scripts

export DJANGO_SETTINGS_MODULE=cms.settings.test
.venv/bin/ruff check .
.venv/bin/ruff format --check .
# Security linter: medium severity and medium confidence or above fail
# (settings in pyproject.toml, [tool.bandit]).
.venv/bin/bandit --quiet -c pyproject.toml -r . -ll -ii
.venv/bin/python manage.py makemigrations --check --dry-run >/dev/null

if [ -n "${DATABASE_URL:-}" ]; then
  exec .venv/bin/python -m pytest "$@"
fi

databases=${TEST_DATABASES:-sqlite postgresql}
logs=$(mktemp -d /tmp/portal-tests.XXXXXX)
pgdir=""
cleanup() {
  [ -z "$pgdir" ] || { postgres_stop "$pgdir"; rm -rf "$pgdir"; }
  rm -rf "$logs"
}
trap cleanup EXIT

declare -A runs=()
names=()
run() {
  local name=$1
  shift
  "$@" >"$logs/$name.log" 2>&1 &
  runs[$name]=$!
  names+=("$name")
}
selection=()
for argument in "$@"; do
  [[ $argument == -* ]] || selection+=("$argument")
done
for database in $databases; do
  case $database in
    sqlite)
      if [ ${#selection[@]} -eq 0 ] && [[ " $databases " == *" postgresql "* ]]; then
        # The authorization matrix runs on PostgreSQL, the production
        # database, in a run of its own.
        run sqlite .venv/bin/python -m pytest -p no:cacheprovider "$@" \
          --ignore=tests/test_authorization.py
      else
        run sqlite .venv/bin/python -m pytest -p no:cacheprovider "$@"
      fi
      ;;
    postgresql)
      source scripts/postgres.sh
      pgdir=$(mktemp -d /tmp/portal-test-postgres.XXXXXX)
      # A throwaway cluster: durability is not what the suite tests.
      postgres_start "$pgdir" "${TEST_POSTGRES_PORT:-15433}" \
        -c fsync=off -c synchronous_commit=off -c full_page_writes=off
      cluster="postgres://postgres@127.0.0.1:${TEST_POSTGRES_PORT:-15433}"
      if [ ${#selection[@]} -eq 0 ]; then
        run postgresql env DATABASE_URL="$cluster/portal" \
          .venv/bin/python -m pytest -p no:cacheprovider "$@" --ignore=tests/e2e \
          --ignore=tests/test_isolation.py --ignore=tests/test_authorization.py
        run postgresql-matrix env DATABASE_URL="$cluster/portal_matrix" \
          .venv/bin/python -m pytest -p no:cacheprovider "$@" tests/test_authorization.py
      else
        run postgresql env DATABASE_URL="$cluster/portal" \
          .venv/bin/python -m pytest -p no:cacheprovider "$@" --ignore=tests/test_isolation.py
      fi
      ;;
    *) echo "Unknown database in TEST_DATABASES: $database" >&2; exit 2 ;;
  esac
done

started=$SECONDS
failed=0
for name in "${names[@]}"; do
  status=0
  wait "${runs[$name]}" || status=$?
  echo "=== $name: pytest exit status $status, $((SECONDS - started)) s ==="
  cat "$logs/$name.log"
  [ "$status" -eq 0 ] || failed=1
done
exit $failed
