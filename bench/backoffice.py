"""Back office benchmarks: the agents' screens with many requests, and exports.

Run from the repository root:

    .venv/bin/python bench/backoffice.py [--requests 100000] [--small 10000] [--rounds 10]
                                         [--postgres] [--keep]

Everything happens in a throwaway directory, prepared as bench/services.py
does (SQLite database through DATABASE_URL, file cache, media, private
storage): the developer's db.sqlite3 and var/ are never used. With
``--postgres`` the database is a throwaway PostgreSQL cluster of Debian's
packages (scripts/postgres.sh) in a temporary directory of its own, stopped
and removed at the end; the agents' search then reads its trigram index. The script
migrates, loads the demo, then adds requests to the two demo communes with
``bulk_create``: each a copy of the answers of one of the commune's demo
requests (the school enrolment of Carvin among them, so that a detail page
shows real answers; documents promised by post rather than attached), sent
over the last year, statuses spread, some assigned to an agent, a history
row for each change of status. One request in ten is a school enrolment of
Carvin: 10,000 of them with the default 100,000 requests.

It measures at two sizes in the same run, first ``--small`` requests, then
``--requests``, in-process through Django's test client (the whole
middleware stack, sessions included), logged in as the demo agent of Carvin
(agent.carvin), over ``--rounds`` rounds after one warm-up:

a. the requests screen (the snippet listing of requests, its default view);
b. the same filtered by status and démarche (school enrolment, in progress);
c. a search by request number;
c2. a search for a word typed inside one request's answers (a licence plate
   written into a free-text answer of one request of Carvin at each size),
   among all statuses: the normalised search text of services.search, read
   through its trigram index on PostgreSQL (the plan is printed);
d. a request's detail (inspect) page;
e. the admin home page with the request figures (services.dashboard);

each with its SQL queries and median ms, and the ratio of the times between
the two sizes. The summary names the database the figures come from. Then,
as the demo supervisor of Carvin (regie.carvin):

f. the export of the school enrolments of Carvin as CSV and as XLSX
   (``services_export_procedure``), and at the larger size of those in
   progress only: rows, size, median time of the whole response read to its
   end, and in separate runs the growth of the process's resident memory and
   the peak of memory allocated by Python (tracemalloc) while the response
   is read. The export reads its rows from the database a chunk at a time:
   the peak follows the size of a chunk, not the number of rows.

Machines are noisy: compare figures within one run. The exit status is
non-zero only when the benchmark itself could not run.
"""

import argparse
import os
import random
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import tracemalloc
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HOST = "carvin.localhost"
AGENT = "agent.carvin"
SUPERVISOR = "regie.carvin"
SCHOOL_SLUG = "inscription-scolaire"
#: Share of each status among the requests added, as (status, weight).
STATUS_WEIGHTS = (
    ("submitted", 20),
    ("in_review", 15),
    ("incomplete", 8),
    ("complete", 7),
    ("accepted", 30),
    ("rejected", 12),
    ("closed", 8),
)
BATCH = 2000
BASH = shutil.which("bash") or "/bin/bash"
FIRST_NAMES = ("Jean", "Marie", "Nadia", "Karim", "Sophie", "Lucas", "Chloé", "Yann", "Inès")
LAST_NAMES = ("Martin", "Bernard", "Dubois", "Lefebvre", "Moreau", "Le Goff", "Benali", "Petit")
#: The licence plate typed into one request's answers at each size, searched by (c2).
PLATE = "GZ-{size}-QX"

# Run as a script, this file's folder comes first on sys.path, where
# "services" would be bench/services.py rather than the app.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]
sys.path.insert(0, str(REPO))

from bench import pages  # noqa: E402
from bench.pages import BenchError, log  # noqa: E402
from bench.services import (  # noqa: E402
    Timing,
    check_environment,
    prepare_environment,
    print_table,
    timed,
)

# --------------------------------------------------------------------------
# Requests, many of them
# --------------------------------------------------------------------------


def by_post(data: dict) -> dict:
    """The answers with each attached document promised by post instead: the
    copies share no file."""
    return {
        key: {"by_post": True} if isinstance(value, dict) and "attachment" in value else value
        for key, value in data.items()
    }


def analyse() -> None:
    """Fresh statistics of the tables filled, as autovacuum would gather them
    some time after a bulk load."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


class Seeder:
    """Adds requests to the demo communes, copies of their demo requests, up
    to a given total; the school enrolments of Carvin get one in ten."""

    def __init__(self, seed: int = 20261123):
        from django.contrib.auth.models import Group
        from django.utils import timezone
        from wagtail.models import Site

        from services.models import Submission

        self.random = random.Random(seed)  # noqa: S311 (sample data, not a secret)
        self.now = timezone.now()
        self.number = 0
        self.communes = []
        for site in Site.objects.exclude(site_name="").order_by("site_name"):
            demo = list(
                Submission.objects.filter(site=site)
                .exclude(status="draft")
                .select_related("page", "page_revision", "account")
                .order_by("pk")
            )
            if not demo:
                raise BenchError(f"{site.site_name} has no demo request to copy")
            staff = list(
                Group.objects.filter(name__startswith=f"{site.site_name} — ")
                .exclude(name__endswith="Communication")
                .values_list("user", flat=True)
            )
            if site.hostname == HOST:
                school = [s for s in demo if s.page.slug == SCHOOL_SLUG]
                if not school:
                    raise BenchError("the demo has no school enrolment of Carvin to copy")
                self.school, self.school_staff = school[0], [pk for pk in staff if pk]
                demo = [s for s in demo if s not in school]
            self.communes.append((site, demo, [pk for pk in staff if pk]))
        self.statuses = [status for status, _ in STATUS_WEIGHTS]
        self.weights = [weight for _, weight in STATUS_WEIGHTS]

    def _request(self, template, staff):
        from services.models import Submission
        from services.search import search_text

        rnd = self.random
        self.number += 1
        status = rnd.choices(self.statuses, self.weights)[0]
        sent = self.now - timedelta(days=rnd.triangular(0, 365, 0), minutes=rnd.randint(0, 600))
        changed = None
        if status != "submitted":
            changed = min(self.now, sent + timedelta(days=rnd.uniform(0.2, 20)))
        contact = {}
        if template.account_id is None:
            contact = {
                "contact_first_name": rnd.choice(FIRST_NAMES),
                "contact_last_name": rnd.choice(LAST_NAMES),
                "contact_email": f"demandeur{self.number}@example.org",
            }
        prefix = template.reference.split("-")[0]
        reference = f"{prefix}-BENCH-{self.number:07d}"
        data = by_post(template.data)
        account = template.account
        names = [template.concerns, *contact.values()]
        if account is not None:
            names += [account.first_name, account.last_name, account.email]
        return Submission(
            site_id=template.site_id,
            page_id=template.page_id,
            page_revision_id=template.page_revision_id,
            title=template.title,
            reference=reference,
            account_id=template.account_id,
            member_id=template.member_id,
            concerns=template.concerns,
            data=data,
            search_text=search_text(
                reference=reference, names=names, steps=template.steps, data=data
            ),
            status=status,
            created_at=sent - timedelta(minutes=rnd.randint(5, 90)),
            submitted_at=sent,
            status_changed_at=changed,
            assigned_to_id=rnd.choice(staff) if staff and rnd.random() < 0.4 else None,
            **contact,
        )

    def add(self, count: int) -> None:
        """``count`` more requests, with their history, in batches."""
        from services.models import StatusChange, Submission

        created = Submission._meta.get_field("created_at")
        history_created = StatusChange._meta.get_field("created_at")
        created.auto_now_add = history_created.auto_now_add = False
        try:
            while count > 0:
                batch = []
                for _ in range(min(BATCH, count)):
                    if self.number % 10 == 0:
                        template, staff = self.school, self.school_staff
                    else:
                        _, demo, staff = self.random.choice(self.communes)
                        template = self.random.choice(demo)
                    batch.append(self._request(template, staff))
                count -= len(batch)
                Submission.objects.bulk_create(batch)
                StatusChange.objects.bulk_create(
                    StatusChange(
                        submission_id=request.pk,
                        status=request.status,
                        previous_status="submitted",
                        author_id=request.assigned_to_id,
                        created_at=request.status_changed_at,
                    )
                    for request in batch
                    if request.status_changed_at
                )
        finally:
            created.auto_now_add = history_created.auto_now_add = True

    def fill_to(self, total: int) -> float:
        from services.models import Submission

        t0 = time.perf_counter()
        missing = total - Submission.objects.exclude(status="draft").count()
        if missing > 0:
            self.add(missing)
            analyse()
        return time.perf_counter() - t0


def plant_plate(site, size: int) -> tuple[str, str]:
    """Type a licence plate into a free-text answer of one request of the
    commune (the one in the middle of its requests), as a citizen would have;
    returns the plate and the request's number."""
    from services.models import Submission
    from services.search import submission_search_text

    plate = PLATE.format(size=size)
    requests = (
        Submission.objects.filter(site=site, reference__contains="-BENCH-")
        .select_related("page", "page_revision", "account")
        .order_by("pk")
    )
    for request in requests[requests.count() // 2 :].iterator():
        texts = [
            block.key
            for step in request.steps
            for block in step.blocks
            if block.type in ("short_text", "long_text")
            and isinstance(request.data.get(block.key), str)
        ]
        if texts:
            request.data[texts[-1]] = f"{request.data[texts[-1]]} (plaque {plate})"
            request.search_text = submission_search_text(request)
            request.save(update_fields=["data", "search_text"])
            return plate, request.reference
    raise BenchError("no request of Carvin has a free-text answer to type a plate into")


def search_plan(site, plate: str) -> str:
    """How the database finds the requests of the search for ``plate``."""
    from django.db import connection

    from services.models import Submission
    from services.selectors import submissions_matching

    if connection.vendor != "postgresql":
        return ""
    requests = Submission.objects.filter(site=site).exclude(status="draft")
    return submissions_matching(requests, plate).order_by("submitted_at", "pk")[:50].explain()


# --------------------------------------------------------------------------
# Screens
# --------------------------------------------------------------------------


def screens(site, plate: str) -> dict[str, str]:
    """The agent's screens measured, by label: their path."""
    from django.urls import reverse

    from services.admin.filters import SubmissionFilterSet
    from services.models import ServicePage, Submission

    school = ServicePage.objects.descendant_of(site.root_page).get(slug=SCHOOL_SLUG)
    for name in ("status", "page"):
        if name not in SubmissionFilterSet.base_filters:
            raise BenchError(f"the requests screen has no “{name}” filter any more")
    viewset = Submission.snippet_viewset
    listing = reverse(viewset.get_url_name("list"))
    latest = (
        Submission.objects.filter(site=site, page=school, status="in_review")
        .order_by("-pk")
        .first()
    )
    searched = Submission.objects.filter(site=site, status="complete").order_by("pk")
    searched = searched.values_list("reference", flat=True)[searched.count() // 2]
    return {
        "(a) requests screen": listing,
        "(b) filtered: in progress, school enrolment": (
            f"{listing}?status=submitted&page={school.pk}"
        ),
        "(c) search by number": f"{listing}?q={searched}",
        "(c2) search inside the answers": f"{listing}?status=all&q={plate}",
        "(d) request detail (inspect)": reverse(viewset.get_url_name("inspect"), args=[latest.pk]),
        "(e) admin home (dashboard)": reverse("wagtailadmin_home"),
    }


def measure_screens(client, paths: dict, rounds: int, planted: tuple) -> dict[str, Timing]:
    timings = {label: Timing(label) for label in paths}
    found = {}
    for path in paths.values():
        timed(client, "GET", path)  # warm-up
    for _ in range(rounds):
        for label, path in paths.items():
            queries, seconds, response = timed(client, "GET", path)
            timings[label].add(queries, seconds)
            if label.startswith("(c"):
                found[label] = response
    searched = paths["(c) search by number"].rsplit("=", 1)[1]
    if searched not in found["(c) search by number"].content.decode():
        raise BenchError(f"the search for {searched} does not list it")
    plate, reference = planted
    if reference not in found["(c2) search inside the answers"].content.decode():
        raise BenchError(f"the search for {plate} does not find {reference}, which holds it")
    return timings


# --------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------


def rss_bytes() -> int:
    """The process's resident memory now."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()


def read_export(client, path: str, each_chunk=None) -> tuple[int, float]:
    """The export read to its end, as a browser downloads it: (bytes, seconds)."""
    t0 = time.perf_counter()
    response = client.get(path, HTTP_HOST=HOST)
    if response.status_code != 200:
        raise BenchError(f"GET {path} answered {response.status_code}")
    size = 0
    if response.streaming:
        for chunk in response.streaming_content:
            size += len(chunk)
            if each_chunk:
                each_chunk()
    else:
        size = len(response.content)
    response.close()
    return size, time.perf_counter() - t0


def measure_export(client, path: str, rounds: int) -> dict:
    """Median time over ``rounds``; then, in two more runs, the growth of the
    resident memory (sampled at each chunk read) and the peak of Python's
    allocations (tracemalloc slows the run down, so it is not timed)."""
    read_export(client, path)  # warm-up
    seconds = []
    for _ in range(rounds):
        size, elapsed = read_export(client, path)
        seconds.append(elapsed)
    before = rss_bytes()
    highest = [before]
    read_export(client, path, each_chunk=lambda: highest.append(rss_bytes()))
    tracemalloc.start()
    try:
        read_export(client, path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return {
        "size": size,
        "median_ms": statistics.median(seconds) * 1000,
        "peak": peak,
        "rss_growth": max(highest) - before,
    }


def export_path(page) -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("services_export_procedure", args=[page.pk])
    except NoReverseMatch:
        return None


# --------------------------------------------------------------------------
# PostgreSQL
# --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_start(directory: Path) -> str:
    """A throwaway cluster in ``directory`` (scripts/postgres.sh), without
    durability; returns the address of its empty database ``bench``."""
    import psycopg

    port = free_port()
    directory.chmod(0o755)
    subprocess.run(  # noqa: S603 (our own script and arguments)
        [
            BASH,
            "-c",
            'source scripts/postgres.sh && postgres_start "$1" "$2" '
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            "bash",
            str(directory),
            str(port),
        ],
        cwd=REPO,
        check=True,
    )
    with psycopg.connect(f"postgres://postgres@127.0.0.1:{port}/postgres", autocommit=True) as db:
        db.execute("CREATE DATABASE bench")
    log(f"Throwaway PostgreSQL cluster: {directory}, port {port}")
    return f"postgres://postgres@127.0.0.1:{port}/bench"


def postgres_stop(directory: Path) -> None:
    subprocess.run(  # noqa: S603 (our own script and arguments)
        [BASH, "-c", 'source scripts/postgres.sh && postgres_stop "$1"', "bash", str(directory)],
        cwd=REPO,
        check=False,
    )


def setup_django_on_postgres() -> None:
    import django

    os.chdir(REPO)
    django.setup()
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["HOST"] != "127.0.0.1" or database["NAME"] != "bench":
        raise BenchError(f"refusing to run against database {database['NAME']!r}")


def check_files(tmp: Path) -> None:
    """Every file written goes under the throwaway directory."""
    from django.conf import settings

    for name, path in (
        ("MEDIA_ROOT", settings.MEDIA_ROOT),
        ("private storage", settings.STORAGES["private"]["OPTIONS"]["location"]),
    ):
        if not Path(path).resolve().is_relative_to(tmp.resolve()):
            raise BenchError(f"refusing to run: the {name} is {path}, outside {tmp}")


def database_name() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        return f"PostgreSQL {connection.pg_version // 10000}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}"


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------


def mib(size: int) -> str:
    if abs(size) < 1024 * 1024:
        return f"{size / 1024:.0f} KiB"
    return f"{size / 1024 / 1024:.1f} MiB"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=100_000,
        help="requests in the database for the second measure (default 100000)",
    )
    parser.add_argument(
        "--small",
        type=int,
        default=10_000,
        help="requests in the database for the first measure (default 10000)",
    )
    parser.add_argument(
        "--rounds", type=int, default=10, help="timed rounds of each screen (default 10)"
    )
    parser.add_argument(
        "--export-rounds", type=int, default=3, help="timed rounds of each export (default 3)"
    )
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="run on a throwaway PostgreSQL cluster (scripts/postgres.sh) instead of SQLite",
    )
    parser.add_argument(
        "--skip-exports", action="store_true", help="measure the screens only, not the exports"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    if not 1 <= args.rounds <= 1000 or not 1 <= args.export_rounds <= 100:
        parser.error("--rounds must be between 1 and 1000, --export-rounds between 1 and 100")
    if not 100 <= args.small < args.requests <= 2_000_000:
        parser.error("sizes must satisfy 100 <= --small < --requests <= 2000000")

    tmp = Path(tempfile.mkdtemp(prefix="bench-backoffice-"))
    cluster = None
    try:
        prepare_environment(tmp, tasks="database")
        log(f"Temporary directory: {tmp}")
        if args.postgres:
            cluster = Path(tempfile.mkdtemp(prefix="bench-backoffice-postgres-"))
            os.environ["DATABASE_URL"] = postgres_start(cluster)
            setup_django_on_postgres()
            check_files(tmp)
        else:
            pages.setup_django()
            check_environment(tmp)
        pages.load_demo()
        return run(args)
    except BenchError as exc:
        log(f"\nBENCHMARK ERROR: {exc}")
        return 2
    except Exception:
        traceback.print_exc()
        log("\nBENCHMARK ERROR: unexpected exception (see above)")
        return 2
    finally:
        if cluster is not None:
            postgres_stop(cluster)
        if args.keep:
            log(f"Kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
            if cluster is not None:
                shutil.rmtree(cluster, ignore_errors=True)


def run(args) -> int:
    from django.utils.http import urlencode
    from wagtail.models import Site

    from accounts.models import User
    from services.models import ServicePage, Submission

    site = Site.objects.get(hostname=HOST)
    school = ServicePage.objects.descendant_of(site.root_page).get(slug=SCHOOL_SLUG)
    export = export_path(school)
    seeder = Seeder()

    results = {}
    for size in (args.small, args.requests):
        seconds = seeder.fill_to(size)
        # Logged in after the seeding, which may last longer than the staff's
        # idle timeout.
        agent = pages.staff_client(User.objects.get(username=AGENT))
        supervisor = pages.staff_client(User.objects.get(username=SUPERVISOR))
        carvin = Submission.objects.filter(site=site).exclude(status="draft").count()
        school_rows = Submission.objects.filter(site=site, page=school).exclude(status="draft")
        log(
            f"\n== {size:,} requests ({carvin:,} of Carvin, {school_rows.count():,} school "
            f"enrolments of Carvin), added in {seconds:.1f} s: {args.rounds} rounds =="
        )
        planted = plant_plate(site, size)
        paths = screens(site, planted[0])
        timings = measure_screens(agent, paths, args.rounds, planted)
        for label, timing in timings.items():
            log(f"  {label}: {timing.query_text} queries, {timing.median_ms:.1f} ms")
        plan = search_plan(site, planted[0])
        if plan:
            log("  (c2) the database's plan of the search:")
            log("\n".join(f"    {line}" for line in plan.splitlines()))
        exports = []
        if export and not args.skip_exports:
            # All the school enrolments, and at the larger size those in
            # progress only: a streamed export's memory does not follow its rows.
            subsets = [({}, school_rows)]
            if size == args.requests:
                subsets.append(({"status": "submitted"}, school_rows.filter(status="submitted")))
            for filters, rows in subsets:
                count = rows.count()
                for export_format in ("csv", "xlsx"):
                    query = urlencode({**filters, "export": export_format})
                    figures = measure_export(supervisor, f"{export}?{query}", args.export_rounds)
                    exports.append((count, query, figures))
                    log(
                        f"  (f) ?{query}, {count:,} rows: {mib(figures['size'])}, "
                        f"{figures['median_ms']:.0f} ms, peak {mib(figures['peak'])}"
                    )
        results[size] = (paths, timings, exports)

    small, large = results[args.small], results[args.requests]
    rows = []
    for size, (paths, timings, _) in results.items():
        rows.append((f"{size:,} requests, as {AGENT}", "", "", ""))
        for label, timing in timings.items():
            note = paths[label].split("?")[1] if "?" in paths[label] else paths[label]
            if size == args.requests:
                ratio = timing.median_ms / small[1][label].median_ms
                note = f"x{ratio:.1f} vs {args.small:,}"
            rows.append((f"  {label}", timing.query_text, f"{timing.median_ms:.1f}", note))
        rows.append(None)

    log(
        f"\n== Summary: median ms over {args.rounds} rounds in-process (test client, whole "
        f"middleware), {database_name()} =="
    )
    log("SQL queries as CaptureQueriesContext counts them (BEGIN and COMMIT included).")
    print_table(rows)

    log(f"\n== (f) Export of Carvin's school enrolments, as {SUPERVISOR} ==")
    if not export:
        log(
            "The export view (URL name services_export_procedure) is not installed: "
            "nothing measured."
        )
        return 0
    if args.skip_exports:
        log("Not measured (--skip-exports).")
        return 0
    log(f"{export}: median of {args.export_rounds} rounds, each response read to its end")
    header = ("Rows", "Query", "Size", "Median ms", "tracemalloc peak", "RSS growth")
    lines = [header]
    for _, _, exports in (small, large):
        for count, query, figures in exports:
            lines.append(
                (
                    f"{count:,}",
                    query,
                    mib(figures["size"]),
                    f"{figures['median_ms']:.0f}",
                    mib(figures["peak"]),
                    mib(figures["rss_growth"]),
                )
            )
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    for number, line in enumerate(lines):
        log("  ".join(str(cell).rjust(width) for cell, width in zip(line, widths, strict=True)))
        if number == 0:
            log("  ".join("-" * width for width in widths))
    return 0


if __name__ == "__main__":
    sys.exit(main())
