"""Scale: the key pages on a PostgreSQL database of the size of a platform
with many communes, against the same pages on the demo database.

Run from the repository root, the stack started (``deploy/stack.sh up``):

    .venv/bin/python bench/scale.py generate      # once: database portal_scale (long)
    .venv/bin/python bench/scale.py measure       # queries and median ms, big vs demo
    .venv/bin/python bench/scale.py generate --accounts 100000 --submissions 500000

``generate`` makes a second database in the stack's PostgreSQL cluster,
``portal_scale``: migrated, the demo loaded (Carvin and Saint-André-des-Eaux,
their citizens and agents), ``--communes`` communes in all (made by
``commune_create``, each with a régie), then ``--accounts`` citizen accounts,
``--submissions`` requests and ``--invoices`` invoices spread evenly over
the communes, written by PostgreSQL itself (``INSERT … SELECT generate_series``),
then ``ANALYZE``. It prints the sizes reached and how long each part took.

``measure`` requests the key pages in-process through Django's whole
handler (production settings, the stack's Redis and S3; the anonymous page
cache made stale before each request, Wagtail's own caches kept), on the
demo database (``portal``) and on ``portal_scale``, in separate processes
of the same run, and prints SQL queries and the median time of each, side by
side. Targets (PASS/FAIL): no
page more than 2× slower, no more queries on the big database.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stack import REPO, stack_environment

SCALE_DB = "portal_scale"
CITIZEN = "amélie.lire"
AGENT = "agent.carvin"
HOST = "carvin.localhost"


def database_url(environment: dict, name: str) -> str:
    return environment["DATABASE_URL"].rsplit("/", 1)[0] + f"/{name}"


def run_django(environment: dict, database: str, *arguments: str) -> str:
    env = {**os.environ, **environment, "DATABASE_URL": database_url(environment, database)}
    result = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, __file__, *arguments],
        env=env,
        cwd=REPO,
        check=False,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise SystemExit(f"{' '.join(arguments[:1])} failed on {database}:\n{result.stderr}")
    return result.stdout


# --------------------------------------------------------------------------
# Generate
# --------------------------------------------------------------------------


def timed(label: str, action):
    started = time.monotonic()
    result = action()
    print(f"  {label:<52} {time.monotonic() - started:7.1f} s", flush=True)
    return result


def generate(options) -> None:
    environment = stack_environment()
    url = environment["DATABASE_URL"].rsplit("/", 1)[0]
    psql = ["psql", f"{url}/postgres", "-qAt", "-c"]
    exists = subprocess.run(  # noqa: S603 (our own command line)
        [*psql, f"SELECT 1 FROM pg_database WHERE datname = '{SCALE_DB}'"],  # noqa: S608
        capture_output=True,
        text=True,
        check=True,
    )
    if exists.stdout.strip():
        subprocess.run([*psql, f"DROP DATABASE {SCALE_DB}"], check=True)  # noqa: S603
    subprocess.run([*psql, f"CREATE DATABASE {SCALE_DB}"], check=True)  # noqa: S603
    print(f"Generating {SCALE_DB}:", flush=True)
    env = {**environment, "DATABASE_URL": database_url(environment, SCALE_DB)}
    for command in (["migrate", "--noinput"], ["load_demo"]):
        timed(
            f"manage.py {command[0]}",
            lambda command=command: subprocess.run(  # noqa: S603
                [sys.executable, "manage.py", *command],
                env={**os.environ, **env},
                cwd=REPO,
                check=True,
                capture_output=True,
            ),
        )
    print(run_django(environment, SCALE_DB, "_fill", json.dumps(vars(options))), end="")


def fill(options: dict) -> None:
    """Runs inside Django, on the scale database."""
    from django.db import connection
    from wagtail.models import Site

    from cms.services import commune_create
    from payments.models import Regie
    from services.models import ServicePage

    def communes():
        for number in range(Site.objects.count(), options["communes"]):
            hostname = f"commune-{number:03d}.localhost"
            commune_create(name=f"Commune {number:03d}", hostname=hostname)
        sites = list(Site.objects.order_by("pk").values_list("pk", flat=True))
        for site_id in sites:
            if not Regie.objects.filter(site_id=site_id).exists():
                Regie.objects.create(site_id=site_id, name="Ville", backend="testbank")
        return sites

    sites = timed(f"{options['communes']} communes (commune_create) and their régies", communes)
    regies = [
        Regie.objects.filter(site_id=s).order_by("pk").values_list("pk", flat=True).first()
        for s in sites
    ]
    carvin = Site.objects.get(hostname=HOST)
    school = ServicePage.objects.descendant_of(carvin.root_page).get(slug="inscription-scolaire").pk
    n = len(sites)
    site_array = "ARRAY[" + ",".join(map(str, sites)) + "]"
    regie_array = "ARRAY[" + ",".join(map(str, regies)) + "]"

    with connection.cursor() as cursor:
        # A generation that stopped half-way goes on where it stopped.
        cursor.execute("SELECT COUNT(*), MIN(id) - 1 FROM accounts_user WHERE password = '!'")
        made_accounts, first_account = cursor.fetchone()
        if not made_accounts:
            cursor.execute("SELECT COALESCE(MAX(id), 0) FROM accounts_user")
            (first_account,) = cursor.fetchone()
        cursor.execute("SELECT COUNT(*) FROM services_submission WHERE reference LIKE 'GEN-%%'")
        (made_submissions,) = cursor.fetchone()
        cursor.execute("SELECT COUNT(*) FROM payments_invoice WHERE number LIKE 'GEN-%%'")
        (made_invoices,) = cursor.fetchone()

        def accounts():
            # Integers of the options and our own arrays, never input.
            cursor.execute(
                f"""
                INSERT INTO accounts_user (id, password, is_superuser, first_name, last_name, email,
                    is_staff, is_active, date_joined, username, site_id, address_line, birth_date,
                    city, contact_preference, phone, postcode, rejection_reason, status)
                SELECT {first_account} + g, '!', false, 'Prénom' || g, 'Nom' || g,
                    'citoyen' || g || '@example.org',
                    false, true, now() - (g % 1000) * interval '1 day', 'citoyen.' || g,
                    ({site_array})[1 + g % {n}], g || ' rue de la République',
                    date '1950-01-01' + (g % 20000), 'Ville', 'email', '0600000000', '62000', '',
                    CASE WHEN g % 50 = 0 THEN 'pending' ELSE 'validated' END
                FROM generate_series(1, {options["accounts"]}) AS g
                """  # noqa: S608  # nosec B608
            )
            cursor.execute(
                "SELECT setval('accounts_user_id_seq', (SELECT MAX(id) FROM accounts_user))"
            )

        def submissions():
            statuses = "ARRAY['submitted', 'in_review', 'incomplete', 'complete', 'accepted', " + (
                "'rejected', 'closed']"
            )
            # Integers of the options and our own arrays, never input.
            cursor.execute(
                f"""
                INSERT INTO services_submission (title, reference, concerns, contact_first_name,
                    contact_last_name, contact_email, contact_phone, access_nonce, progress, data,
                    status, created_at, updated_at, submitted_at, status_changed_at, account_id,
                    page_id, site_id)
                SELECT 'Inscription scolaire', 'GEN-' || lpad(g::text, 8, '0'), '', '', '', '', '',
                    '', '{{}}', jsonb_build_object('niveau', 'CP', 'ecole', 'École ' || (g % 7)),
                    ({statuses})[1 + g % 7], t, t, t, t, {first_account} + a,
                    CASE WHEN ({site_array})[1 + a % {n}] = {carvin.pk} THEN {school} END,
                    ({site_array})[1 + a % {n}]
                FROM (
                    SELECT g, 1 + (g::bigint * 7919) % {options["accounts"]} AS a,
                        now() - (g % 700) * interval '1 day' AS t
                    FROM generate_series(1, {options["submissions"]}) AS g
                ) AS s
                """  # noqa: S608  # nosec B608
            )

        def invoices():
            # Integers of the options and our own arrays, never input.
            cursor.execute(
                f"""
                INSERT INTO payments_invoice (payer_name, domain, number, label, amount, issued_on,
                    due_on, status, paid_at, payment_key, pdf, created_at, updated_at, account_id,
                    site_id, regie_id)
                SELECT 'Nom ' || a, 'school', 'GEN-' || g, 'Restauration scolaire',
                    10 + g % 90, current_date - (g % 700), current_date - (g % 700) + 30,
                    CASE WHEN g % 3 = 0 THEN 'to_pay' ELSE 'paid_elsewhere' END,
                    CASE WHEN g % 3 = 0 THEN NULL ELSE now() - (g % 600) * interval '1 day' END,
                    'GENKEY' || g, '', now(), now(), {first_account} + a,
                    ({site_array})[1 + a % {n}], ({regie_array})[1 + a % {n}]
                FROM (
                    SELECT g, 1 + (g::bigint * 104729) % {options["accounts"]} AS a
                    FROM generate_series(1, {options["invoices"]}) AS g
                ) AS s
                """  # noqa: S608  # nosec B608
            )

        if not made_accounts:
            timed(f"{options['accounts']:,} accounts", accounts)
        if not made_submissions:
            timed(f"{options['submissions']:,} submissions", submissions)
        if not made_invoices:
            timed(f"{options['invoices']:,} invoices", invoices)
        timed("ANALYZE", lambda: cursor.execute("ANALYZE"))
        sizes = {}
        for table in (
            "wagtailcore_site",
            "accounts_user",
            "services_submission",
            "payments_invoice",
        ):
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (our table names)  # nosec B608
            sizes[table] = cursor.fetchone()[0]
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        (size,) = cursor.fetchone()
    print(
        "Sizes reached: " + ", ".join(f"{t} {c:,}" for t, c in sizes.items()) + f"; database {size}"
    )
    carvin_rows = {
        "accounts": carvin_count("accounts_user", carvin.pk),
        "submissions": carvin_count("services_submission", carvin.pk),
        "invoices": carvin_count("payments_invoice", carvin.pk),
    }
    print("Of which Carvin: " + ", ".join(f"{k} {v:,}" for k, v in carvin_rows.items()))


def carvin_count(table: str, site_id: int) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table} WHERE site_id = %s", [site_id])  # noqa: S608  # nosec B608
        return cursor.fetchone()[0]


# --------------------------------------------------------------------------
# Measure
# --------------------------------------------------------------------------


def pages(rounds: int) -> dict:
    """Runs inside Django: queries and median ms of each key page."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from accounts.models import User
    from cms.cache import invalidate_all
    from services.models import Submission

    citizen = User.objects.get(username=CITIZEN, site__hostname=HOST)
    agent = User.objects.get(username=AGENT)
    submission = Submission.objects.filter(account=citizen).exclude(status="draft").latest("pk")
    from bench.pages import staff_client

    anonymous, logged_in, staff = Client(), Client(), staff_client(agent)
    logged_in.force_login(citizen)
    targets = [
        ("FAQ (anonymous)", anonymous, "/faq/"),
        ("home (anonymous)", anonymous, "/"),
        ("services index (anonymous)", anonymous, "/services/"),
        ("citizen: Accueil", logged_in, "/compte/"),
        ("citizen: Mes comptes (statement)", logged_in, "/paiement/releve/"),
        ("citizen: invoices to pay", logged_in, "/paiement/"),
        ("agents' queue", staff, reverse("wagtailsnippets_services_submission:list")),
        (
            "a submission's detail",
            staff,
            reverse("wagtailsnippets_services_submission:inspect", args=[submission.pk]),
        ),
    ]
    results = {}
    for label, client, path in targets:
        timings, queries = [], 0
        for _ in range(rounds + 1):
            invalidate_all()
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(path, HTTP_HOST=HOST, secure=True)
                elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise SystemExit(f"{path}: {response.status_code}")
            timings.append(elapsed)
            queries = len(captured)
        results[label] = {"queries": queries, "ms": statistics.median(timings[1:])}
    return results


def measure(options) -> None:
    environment = stack_environment()
    # The page cache of these processes is a Redis database of its own.
    environment = {**environment, "REDIS_URL": environment["REDIS_URL"].rsplit("/", 1)[0] + "/3"}
    demo = json.loads(run_django(environment, "portal", "_pages", str(options.rounds)))
    big = json.loads(run_django(environment, SCALE_DB, "_pages", str(options.rounds)))
    print(f"{'page':<36} {'demo: queries':>14} {'ms':>8}   {'big: queries':>13} {'ms':>8}   ratio")
    for label, small in demo.items():
        large = big[label]
        ratio = large["ms"] / small["ms"]
        ok = ratio <= 2 and large["queries"] <= small["queries"]
        print(
            f"{label:<36} {small['queries']:>14} {small['ms']:>8.1f}   {large['queries']:>13} "
            f"{large['ms']:>8.1f}   {ratio:4.2f}  {'PASS' if ok else 'FAIL'}"
        )


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] in ("_fill", "_pages"):
        import django

        django.setup()
        if sys.argv[1] == "_fill":
            fill(json.loads(sys.argv[2]))
        else:
            print(json.dumps(pages(int(sys.argv[2]))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("generate")
    make.add_argument("--communes", type=int, default=100)
    make.add_argument("--accounts", type=int, default=1_000_000)
    make.add_argument("--submissions", type=int, default=5_000_000)
    make.add_argument("--invoices", type=int, default=2_000_000)
    check = commands.add_parser("measure")
    check.add_argument("--rounds", type=int, default=10)
    options = parser.parse_args()
    if options.command == "generate":
        generate(options)
    else:
        measure(options)
    return 0


if __name__ == "__main__":
    sys.exit(main())
