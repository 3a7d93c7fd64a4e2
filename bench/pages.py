"""Page benchmarks: SQL queries, in-process render time and HTTP throughput.

Run from the repository root:

    .venv/bin/python bench/pages.py [--cache file|redis] [--duration 10] [--rounds 30]
                                    [--conn-max-age 600] [--memory] [--skip-peer]
                                    [--skip-http] [--keep]

Everything happens in a throwaway directory (SQLite database, file cache or a
throwaway redis-server, media, static files): the developer's db.sqlite3 and
var/ are never used. The script migrates, loads the demo, then measures for
Carvin (``carvin.localhost``) the FAQ page ``/faq/`` and the home page ``/``:

1. SQL queries per anonymous uncached request (cache cleared before each
   request) with generated FAQ bodies of 20 and 500 questions, with and
   without internal links in the answers; target <= 15 and no growth, and
   <= 10 for the demo FAQ.
2. Median in-process render time, uncached, through the full WSGI handler
   and middleware stack, next to a trivial view measured in the same rounds.
2b. The same against a plain Wagtail project (bench/peer.py, built in the
   temporary directory, run in a process of its own) whose page has the
   byte size of the demo FAQ: alternating batches, ratio of the medians
   (target <= 0.6), and the SQL queries of both.
3. Requests per second through gunicorn (2 sync workers on 127.0.0.1) with
   wrk, in alternating segments: the page served from the anonymous cache,
   a static file of the same size served through the portal (its middleware
   first, then WhiteNoise), the same file served by WhiteNoise alone (a
   neutral baseline: no Django), and the uncached page (a session cookie
   bypasses the cache). Targets: cached FAQ >= 0.95 x the neutral file with
   the file cache, >= 1.0 x with Redis; >= 0.5 x the portal's static file.
4. With ``--memory``: the resident memory of the gunicorn workers of the
   portal and of the peer after 6,000 requests each (target <= 1.1 x).

Database connections are kept between requests as deployed (600 s, see
cms/settings/production.py), by the portal and the peer alike;
``--conn-max-age 0`` opens one per request on both sides, as Django's default.

Every figure is printed with the machine's load average (1/5/15 minutes).
Targets are reported (PASS/FAIL), not asserted: the exit status is non-zero
only when the benchmark itself could not run.
"""

import argparse
import json
import math
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request
from io import StringIO
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HOST = "carvin.localhost"
FAQ_PATH = "/faq/"
HOME_PATH = "/"
LOGIN_PATH = "/compte/connexion/"
TRIVIAL_PATH = "/bench/trivial/"
QUERY_TARGET = 15
RATIO_TARGET = 0.5
COLD_QUERY_TARGET = 10  # the FAQ with the cache cleared, next to the plain Wagtail peer
NEUTRAL_TARGETS = {"file": 0.95, "redis": 1.0}  # cached FAQ / WhiteNoise-only file
PEER_TIME_TARGET = 0.6  # uncached FAQ / the peer's same-size page, in-process
MEMORY_TARGET = 1.1  # portal worker RSS / peer worker RSS after the same requests
SESSION_COOKIE = "sessionid=benchnocache0000000000000000000000"

SITE_PACKAGES_RE = re.compile(r".*/site-packages/")


class BenchError(Exception):
    """The benchmark could not run (as opposed to a target being missed)."""


def log(message=""):
    print(message, flush=True)


# --------------------------------------------------------------------------
# Environment: everything in a temporary directory, set before Django loads.
# --------------------------------------------------------------------------


CONN_MAX_AGE = 600
"""Database connections kept between requests, as deployed
(cms/settings/production.py); the peer keeps its own as long."""


def prepare_environment(tmp: Path, *, conn_max_age: int = CONN_MAX_AGE) -> dict:
    dirs = {name: tmp / name for name in ("cache", "media", "static-root", "static-src")}
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "DATABASE_CONN_MAX_AGE": str(conn_max_age),
        "CACHE_DIR": str(dirs["cache"]),
        "MEDIA_ROOT": str(dirs["media"]),
        "PRIVATE_ROOT": str(tmp / "private"),
        "STATIC_ROOT": str(dirs["static-root"]),
        "BENCH_STATIC_DIR": str(dirs["static-src"]),
        "PAGE_CACHE_TIMEOUT": "600",
        "BENCH_DEBUG": "0",
    }
    os.environ.update(env)
    return {"env": env, **dirs}


def setup_django():
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    os.chdir(REPO)
    import django

    django.setup()
    from django.conf import settings

    # Belt and braces: never run against anything but the throwaway database.
    name = str(settings.DATABASES["default"]["NAME"])
    if not name.startswith(tempfile.gettempdir()) or Path(name) == REPO / "db.sqlite3":
        raise BenchError(f"refusing to run against database {name!r}")


def load_demo():
    from django.core.management import call_command

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    t1 = time.perf_counter()
    call_command("load_demo", stdout=StringIO())
    t2 = time.perf_counter()
    log(f"Throwaway database ready: migrate {t1 - t0:.1f} s, load_demo {t2 - t1:.1f} s")


# --------------------------------------------------------------------------
# FAQ content
# --------------------------------------------------------------------------


def carvin_faq():
    from wagtail.models import Site

    from faq.models import FAQPage

    root = Site.objects.get(hostname=HOST).root_page
    return FAQPage.objects.descendant_of(root).filter(locale_id=root.locale_id).get()


def link_targets():
    """Pages and a document that generated answers may link to."""
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model
    from wagtail.models import Site

    root = Site.objects.get(hostname=HOST).root_page
    pages = list(root.get_children().live().values_list("pk", flat=True))
    Document = get_document_model()
    doc = Document.objects.filter(title="Formulaire bench").first()
    if doc is None:
        doc = Document(title="Formulaire bench")
        doc.file.save("formulaire-bench.txt", ContentFile(b"formulaire\n"), save=False)
        doc.save()
    return pages, doc.pk


def make_body(questions: int, *, links: bool, targets) -> list[dict]:
    """Raw stream data like faq.services.faq_import writes: categories of at
    most 20 questions, answers with placeholders, lists and external links
    and, with ``links``, a page link in 1 answer out of 5 and a document
    link in 1 out of 10 (both allowed by the answer's rich text features)."""
    page_ids, doc_id = targets
    per_category = 20
    categories = max(1, math.ceil(questions / per_category))
    data, number = [], 0
    for c in range(categories):
        count = questions // categories + (1 if c < questions % categories else 0)
        items = []
        for _ in range(count):
            number += 1
            answer = (
                f"<p>Pour la démarche n°{number}, connectez-vous sur {{portail}} ou "
                f"adressez-vous à <b>{{mairie}}</b> aux heures d'ouverture.</p>"
                "<ul><li>pièce d'identité en cours de validité,</li>"
                "<li>justificatif de domicile de moins de trois mois.</li></ul>"
                '<p>Voir aussi <a href="https://www.service-public.fr/">service-public.fr</a>.</p>'
            )
            if links and number % 5 == 0:
                pid = page_ids[(number // 5) % len(page_ids)]
                answer += f'<p>Détails : <a linktype="page" id="{pid}">la page dédiée</a>.</p>'
            if links and number % 10 == 3:
                answer += f'<p><a linktype="document" id="{doc_id}">Formulaire à remplir</a></p>'
            items.append(
                {
                    "type": "item",
                    "id": f"00000000-0000-4000-8000-{number:012d}",
                    "value": {
                        "question": f"Comment effectuer la démarche n°{number} à {{commune}} ?",
                        "answer": answer,
                        "anchor": "",
                    },
                }
            )
        data.append(
            {
                "type": "category",
                "id": f"00000000-0000-4000-9000-{c:012d}",
                "value": {"title": f"Thème {c + 1}", "anchor": "", "questions": items},
            }
        )
    return data


def publish_faq_body(data) -> None:
    """Save and publish a new FAQ body the way the admin does (clean assigns
    the anchors; publishing bumps the page cache generation)."""
    page = carvin_faq()
    current = page.get_latest_revision_as_object()
    current.body = data
    current.save_revision().publish()


def faq_body_data() -> list:
    return carvin_faq().body.get_prep_value()


# --------------------------------------------------------------------------
# In-process requests through the full WSGI handler (all middleware)
# --------------------------------------------------------------------------


class InProcess:
    """The portal as its WSGI server runs it (``cms.wsgi``: the front that
    serves stored pages, then Django), called in this process."""

    def __init__(self):
        from django.core.handlers.wsgi import WSGIHandler
        from django.test import RequestFactory

        from cms.cache import CachedPages

        self.handler = CachedPages(WSGIHandler())
        self.factory = RequestFactory()

    def request(self, path, *, cookie=None):
        extra = {"HTTP_HOST": HOST}
        if cookie:
            extra["HTTP_COOKIE"] = cookie
        environ = self.factory.get(path, **extra).environ
        status = []

        def start_response(s, headers, exc_info=None):
            status.append(s)

        t0 = time.perf_counter()
        response = self.handler(environ, start_response)
        try:
            body = b"".join(response)
        finally:
            if hasattr(response, "close"):  # Django's: fires request_finished, like a WSGI server
                response.close()
        elapsed = time.perf_counter() - t0
        code = int(status[0].split()[0])
        if code != 200:
            raise BenchError(f"GET {path} (Host {HOST}) answered {status[0]}")
        return body, elapsed


def staff_client(user):
    """A test client logged in as a member of staff, second factor included
    (as if the code of their app had been typed), like ``force_login`` in the
    test suite. Log in again after a pause longer than the staff's idle
    timeout (``SESSION_IDLE_TIMEOUT_STAFF``)."""
    from django.test import Client

    from accounts.second_factor import mark_verified

    client = Client()
    client.force_login(user)
    mark_verified(client, user)
    return client


def clear_cache():
    """The whole cache: the shared one, and what this process keeps of it."""
    from django.core.cache import cache

    from cms.cache import forget_in_process

    cache.clear()
    forget_in_process()


def _origin() -> str:
    """Where a query comes from: the library frame closest to the database
    call, the innermost template being rendered and the innermost project
    frame (the page cache middleware, which wraps everything, is skipped)."""
    project = library = template = None
    frame = sys._getframe(2)
    while frame is not None and not project:
        code = frame.f_code
        name = code.co_filename
        if code.co_name == "_render" and name.endswith("django/template/base.py") and not template:
            origin = getattr(frame.f_locals.get("self"), "origin", None)
            template = getattr(origin, "template_name", None)
        skip = (
            "/django/db/" in name
            or "/django/utils/" in name
            or name == __file__
            or name.endswith("cms/cache.py")
        )
        if not skip:
            short = (
                f"{SITE_PACKAGES_RE.sub('', name).replace(str(REPO) + '/', '')}:{frame.f_lineno}"
            )
            if name.startswith(str(REPO)) and "/.venv/" not in name:
                project = f"{short} {code.co_name}"
            elif library is None:
                library = f"{short} {code.co_name}"
        frame = frame.f_back
    parts = [library, f"template {template}" if template else None, project]
    return " <- ".join(p for p in parts if p)


def _summary(sql: str) -> str:
    sql = sql.replace('"', "")
    tables = re.findall(r"\bFROM (\w+)", sql)
    where = re.search(r"\bWHERE (.*?)(?: ORDER BY| LIMIT|$)", sql)
    cond = where.group(1) if where else ""
    cond = re.sub(r"\b\w+\.(\w+)", r"\1", cond)
    return f"{tables[0] if tables else sql[:40]}: {cond[:90]}"


def capture_queries(app: InProcess, path, *, cookie=None, clear=True):
    """Run one request, return (queries, body). Each query is (summary, origin)."""
    from django.db import connection

    queries = []

    def wrapper(execute, sql, params, many, context):
        queries.append((_summary(sql), _origin()))
        return execute(sql, params, many, context)

    if clear:
        clear_cache()
    with connection.execute_wrapper(wrapper):
        body, _ = app.request(path, cookie=cookie)
    return queries, body


def print_queries(title, queries):
    """Queries in first-seen order; identical ones (same SQL shape and origin)
    are counted instead of repeated."""
    grouped = {}
    for summary, origin in queries:
        grouped.setdefault((summary, origin), 0)
        grouped[(summary, origin)] += 1
    log(f"\n  Queries for the {title}: {len(queries)} in all")
    for i, ((summary, origin), n) in enumerate(grouped.items(), 1):
        times = f"  x{n}" if n > 1 else ""
        log(f"   {i:>2}. {summary}{times}\n       from {origin}")


def steady_count(app, path, *, runs=3, invalidate_only=False):
    """Queries of an uncached request once the process is warm (the first
    requests also load content types and other per-process caches)."""
    from cms.cache import invalidate_all

    counts, last = [], None
    for i in range(runs + 1):
        if invalidate_only:
            invalidate_all()
        queries, body = capture_queries(app, path, clear=not invalidate_only)
        if i:  # first one is a warm-up
            counts.append(len(queries))
            last = (queries, body)
    return min(counts), max(counts), last


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def time_rounds(app, paths: dict, rounds: int, *, cached=False) -> tuple[dict, dict]:
    """Median seconds per path; paths are interleaved in each round so that
    machine noise hits them alike. Uncached: cache cleared before each
    request (outside the timed section). Cached: the cache is warmed first.
    Also returns, per path, how many timed requests ran no SQL at all (for
    a cached page: how many were really served from the cache)."""
    from django.db import connection

    times = {name: [] for name in paths}
    no_sql = dict.fromkeys(paths, 0)
    if cached:
        clear_cache()
    for path in paths.values():  # warm-up
        if not cached:
            clear_cache()
        app.request(path)
        if cached:
            app.request(path)
            if path != TRIVIAL_PATH and not page_cache_is_warm(path):
                raise BenchError(f"{path} did not enter the anonymous page cache")
    for _ in range(rounds):
        for name, path in paths.items():
            if not cached:
                clear_cache()
            counter = QueryCounter()
            with connection.execute_wrapper(counter):
                _, elapsed = app.request(path)
            times[name].append(elapsed)
            no_sql[name] += counter.count == 0
    medians = {name: statistics.median(values) for name, values in times.items()}
    return medians, no_sql


def _median_ms(func, runs):
    values = []
    for _ in range(runs):
        t0 = time.perf_counter()
        func()
        values.append(time.perf_counter() - t0)
    return statistics.median(values) * 1000


def breakdown(size: int, request_seconds: float, rounds: int) -> None:
    """Time the per-question steps of the FAQ page separately, calling the
    application's own functions, to show where the time of a large FAQ goes."""
    from django.template.loader import render_to_string
    from django.test import RequestFactory
    from django.utils import translation

    from cms.templatetags.portal import json_ld
    from faq.models import FAQPage
    from faq.selectors import expand_rich_texts, faq_entries, faq_json_ld

    runs = max(5, min(rounds, 20))
    pk = carvin_faq().pk
    request = RequestFactory().get(FAQ_PATH, HTTP_HOST=HOST)

    def decode():
        page = FAQPage.objects.get(pk=pk)
        return [q for block in page.body for q in block.value["questions"]]

    page = FAQPage.objects.get(pk=pk)
    sources = [q["answer"].source for block in page.body for q in block.value["questions"]]
    faq_entries(page=page, request=request)  # caches site and settings on the request
    categories = faq_entries(page=page, request=request)
    data = faq_json_ld(categories=categories)
    raw = json.dumps(data, ensure_ascii=False)

    with translation.override("fr"):
        steps = [
            ("load + decode body (1 SQL)", _median_ms(decode, runs)),
            (
                "faq_entries() [faq/selectors.py]",
                _median_ms(lambda: faq_entries(page=page, request=request), runs),
            ),
            (
                "  of which expand_rich_texts(all answers)",
                _median_ms(lambda: expand_rich_texts(sources), runs),
            ),
            ("faq_json_ld()", _median_ms(lambda: faq_json_ld(categories=categories), runs)),
            (
                "|json_ld filter [cms/templatetags/portal.py]",
                _median_ms(lambda: json_ld(data), runs),
            ),
            (
                "category/question includes (templates)",
                _median_ms(
                    lambda: [
                        render_to_string("faq/blocks/category.html", {"value": c})
                        for c in categories
                    ],
                    runs,
                ),
            ),
        ]
    log(
        f"\n  Breakdown for the FAQ with {size} questions (median of {runs}; "
        f"JSON-LD {len(raw) / 1024:.0f} KiB), whole request {request_seconds * 1000:.1f} ms:"
    )
    for label, ms in steps:
        log(f"    {label:<46} {ms:8.2f} ms")


# --------------------------------------------------------------------------
# gunicorn + wrk
# --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(port, path, *, host=HOST, cookie=None, timeout=10):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": host})
    if cookie:
        request.add_header("Cookie", cookie)
    # Always http://127.0.0.1: never a file: or another scheme.
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310  # nosec B310
        return response.status, dict(response.headers), response.read()


def gunicorn_exe() -> str:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    if not gunicorn.exists():
        raise BenchError(f"gunicorn not found at {gunicorn}")
    return str(gunicorn)


def gunicorn_argv(app: str, port: int, chdir: Path, workers: int = 2) -> list[str]:
    return [
        gunicorn_exe(),
        app,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--chdir",
        str(chdir),
        "--log-level",
        "warning",
        "--timeout",
        "60",
    ]


class Gunicorn:
    """A gunicorn master with 2 sync workers on 127.0.0.1, in its own session.

    ``Gunicorn.portal(env, log)``: the portal (cms.wsgi); ``Gunicorn.neutral``:
    WhiteNoise alone over the collected static files (no Django, no
    middleware); ``Gunicorn.peer``: the plain Wagtail project of bench/peer.py.
    """

    def __init__(self, argv, env, cwd, log_path: Path, port: int, ready_path, ready_host=HOST):
        self.port = port
        self.log_path = log_path
        self.ready_path = ready_path
        self.ready_host = ready_host
        self.log_file = open(log_path, "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(  # noqa: S603
            argv,
            cwd=cwd,
            env=env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @classmethod
    def portal(cls, env: dict, log_path: Path):
        port = free_port()
        argv = gunicorn_argv("cms.wsgi:application", port, REPO)
        return cls(argv, {**os.environ, **env}, REPO, log_path, port, TRIVIAL_PATH)

    @classmethod
    def neutral(cls, static_root: Path, tmp: Path, ready_path: str):
        """The same files served by WhiteNoise alone: a WSGI app answering 404
        wrapped in ``WhiteNoise(root=STATIC_ROOT, prefix="static/")``."""
        folder = tmp / "neutral"
        folder.mkdir(exist_ok=True)
        (folder / "neutral_static.py").write_text(NEUTRAL_APP)
        port = free_port()
        argv = gunicorn_argv("neutral_static:application", port, folder)
        env = {**os.environ, "NEUTRAL_STATIC_ROOT": str(static_root)}
        return cls(argv, env, folder, tmp / "gunicorn-neutral.log", port, ready_path)

    @classmethod
    def peer(cls, directory: Path, log_path: Path, *, cache: str, redis_url=None):
        from bench import peer

        port = free_port()
        argv, env, cwd = peer.gunicorn_command(directory, port, cache=cache, redis_url=redis_url)
        return cls(argv, env, cwd, log_path, port, peer.PAGE_PATH, peer.HOST)

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"gunicorn exited early:\n{self.log_path.read_text()[-3000:]}")
            try:
                status, _, _ = http_get(self.port, self.ready_path, host=self.ready_host, timeout=2)
                if status == 200:
                    # Make sure both workers have loaded the application.
                    for _ in range(4):
                        http_get(self.port, self.ready_path, host=self.ready_host, timeout=10)
                    return
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.3)
        raise BenchError(
            f"gunicorn not ready after {timeout} s:\n{self.log_path.read_text()[-3000:]}"
        )

    def worker_pids(self) -> list[int]:
        """The workers: the children of the gunicorn master."""
        pid = self.proc.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return sorted(int(c) for c in children)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        self.log_file.close()


NEUTRAL_APP = '''"""WhiteNoise alone, for bench/pages.py: a neutral static file baseline."""

import os

from whitenoise import WhiteNoise


def not_found(environ, start_response):
    start_response("404 Not Found", [("Content-Type", "text/plain")])
    return [b"not found"]


application = WhiteNoise(not_found, root=os.environ["NEUTRAL_STATIC_ROOT"], prefix="static/")
'''


class RedisServer:
    """A throwaway redis-server (no persistence) in the temporary directory."""

    def __init__(self, tmp: Path):
        exe = shutil.which("redis-server")
        if exe is None:
            raise BenchError("redis-server not found (apt-get install -y redis-server)")
        folder = tmp / "redis"
        folder.mkdir(exist_ok=True)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log_path = folder / "redis.log"
        self.proc = subprocess.Popen(  # noqa: S603
            [
                exe,
                *("--port", str(self.port), "--bind", "127.0.0.1", "--save", ""),
                *("--appendonly", "no", "--dir", str(folder), "--logfile", str(self.log_path)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def wait_ready(self, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"redis-server exited: {self.log_path.read_text()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise BenchError("redis-server did not answer")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)


def loadavg() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f}/{five:.2f}/{fifteen:.2f}"


def vm_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise BenchError(f"no VmRSS for process {pid}")


WRK_RATE_RE = re.compile(r"Requests/sec:\s+([\d.]+)")
WRK_NON2XX_RE = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
WRK_ERRORS_RE = re.compile(r"Socket errors:.*")
WRK_TOTAL_RE = re.compile(r"(\d+) requests in")
WRK_LATENCY_RE = re.compile(r"Latency\s+(\S+)")


def run_wrk(port, path, *, args, seconds, cookie=None) -> dict:
    cmd = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-H",
        f"Host: {HOST}",
    ]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    cmd.append(f"http://127.0.0.1:{port}{path}")
    result = subprocess.run(  # noqa: S603
        cmd, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    out = result.stdout
    rate = WRK_RATE_RE.search(out)
    if result.returncode != 0 or not rate:
        raise BenchError(f"wrk failed ({' '.join(cmd)}):\n{out}\n{result.stderr}")
    non2xx = WRK_NON2XX_RE.search(out)
    errors = WRK_ERRORS_RE.search(out)
    total = WRK_TOTAL_RE.search(out)
    latency = WRK_LATENCY_RE.search(out)
    return {
        "rps": float(rate.group(1)),
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "errors": errors.group(0) if errors else "",
        "total": int(total.group(1)) if total else 0,
        "latency": latency.group(1) if latency else "?",
    }


def services_index_path() -> str:
    from wagtail.models import Site

    from services.models import ServiceIndexPage

    site = Site.objects.get(hostname=HOST)
    return ServiceIndexPage.objects.child_of(site.root_page).get().relative_url(site)


def page_cache_is_warm(path) -> bool:
    from cms.cache import page_cache_key, pages

    return pages.get(page_cache_key("http", HOST, path), HOST) is not None


# --------------------------------------------------------------------------
# The plain Wagtail peer (bench/peer.py), in a process of its own
# --------------------------------------------------------------------------


def compare_with_peer(app, args, peer_dir, rows, *, faq_bytes, cold_queries, cache, redis_url):
    """The uncached FAQ in-process against the peer's page of the same size,
    in alternating batches (the portal's requests here, the peer's in its
    worker process), three ways:

    - page cache bypassed: a session cookie, as for a logged-in citizen or
      any page the cache cannot keep; the portal's other caches (and
      Wagtail's) kept, the peer's too (it has no page cache). This is the
      page rendered again and again: the target applies to it.
    - the first request after a publish: the portal's caches of the site
      made stale before each request (all of them are written again); the
      peer keeps Wagtail's caches.
    - cold: the whole cache cleared before each request on both sides."""
    from bench import peer
    from cms.cache import invalidate_all

    batches, rounds = args.peer_batches, args.peer_rounds
    log(
        f"\n== 2b. Against a plain Wagtail project (bench/peer.py, cache {cache}): uncached "
        f"FAQ in-process, {batches} alternating batches of {rounds} requests each =="
    )
    results = {}
    with peer.Worker(peer_dir, cache=cache, redis_url=redis_url) as worker:
        log(
            f"  peer worker ready (pid {worker.info['pid']}): first request of its process ran "
            f"{worker.info['queries_first_request']} queries"
        )
        for mode, before_each, cookie, peer_what in (
            ("page cache bypassed", lambda: None, SESSION_COOKIE, "page-warm"),
            ("after a publish", invalidate_all, None, "page-warm"),
            ("cold, cache cleared", clear_cache, None, "page-uncached"),
        ):
            for _ in range(2):  # warm-up of the portal's side
                before_each()
                app.request(FAQ_PATH, cookie=cookie)
            portal_times, peer_times, batch_ratios = [], [], []
            peer_result = None
            for b in range(batches):
                mine = []

                def portal_batch(mine=mine, before_each=before_each, cookie=cookie):
                    for _ in range(rounds):
                        before_each()
                        _, elapsed = app.request(FAQ_PATH, cookie=cookie)
                        mine.append(elapsed * 1000)

                # Who goes first alternates, so that a drift of the machine's
                # load does not favour one side.
                if b % 2 == 0:
                    portal_batch()
                    peer_result = worker.measure(peer_what, rounds)
                else:
                    peer_result = worker.measure(peer_what, rounds)
                    portal_batch()
                portal_times += mine
                peer_times += peer_result["times_ms"]
                batch_ratios.append(statistics.median(mine) / peer_result["median_ms"])
            results[mode] = (portal_times, peer_times, batch_ratios, peer_result)
        form_post = worker.measure("form-post", rounds)
        form_flow = worker.measure("form-flow", rounds)
    peer_result = results["cold, cache cleared"][3]
    if abs(peer_result["bytes"] - faq_bytes) > 0.05 * faq_bytes:
        raise BenchError(f"peer page {peer_result['bytes']} B against {faq_bytes} B")

    # Queries of the portal's FAQ with its caches warm but no page cache (a
    # session cookie bypasses it), next to the peer's warm request.
    capture_queries(app, FAQ_PATH, cookie=SESSION_COOKIE, clear=False)
    warm, _ = capture_queries(app, FAQ_PATH, cookie=SESSION_COOKIE, clear=False)
    log(
        f"  SQL: portal FAQ ({faq_bytes} B) {cold_queries} cold (cache cleared), {len(warm)} "
        f"warm (session cookie); peer /faq/ ({peer_result['bytes']} B) "
        f"{peer_result['queries_cold']} cold, {peer_result['queries_warm']} warm"
    )
    for mode, (portal_times, peer_times, batch_ratios, _) in results.items():
        portal_ms = statistics.median(portal_times)
        peer_ms = statistics.median(peer_times)
        ratio = portal_ms / peer_ms
        log(
            f"  {mode:<20}: portal {portal_ms:7.2f} ms, peer {peer_ms:7.2f} ms, "
            f"portal / peer = {ratio:.2f}  (per batch: "
            + ", ".join(f"{r:.2f}" for r in batch_ratios)
            + f")  [{loadavg()}]"
        )
        targeted = mode == "page cache bypassed"
        rows.append(
            (
                f"in-process uncached FAQ / peer page, {mode}",
                f"{portal_ms:.2f} / {peer_ms:.2f} ms = {ratio:.2f}",
                f"<= {PEER_TIME_TARGET}" if targeted else "-",
                verdict(ratio <= PEER_TIME_TARGET) if targeted else "info",
            )
        )
    log(
        f"  peer contact form, for information: one valid POST {form_post['median_ms']:.2f} ms "
        f"({form_post['queries_warm']} queries: submission stored, e-mail sent); GET then POST "
        f"{form_flow['median_ms']:.2f} ms ({form_flow['queries_warm']} queries)"
    )
    rows.append(
        (
            "SQL FAQ cold / warm (peer's)",
            f"{cold_queries} / {len(warm)} "
            f"(peer {peer_result['queries_cold']} / {peer_result['queries_warm']})",
            f"cold <= {COLD_QUERY_TARGET}",
            verdict(cold_queries <= COLD_QUERY_TARGET),
        )
    )
    rows.append(
        (
            "peer contact form POST / GET+POST",
            f"{form_post['median_ms']:.2f} / {form_flow['median_ms']:.2f} ms",
            "-",
            "info",
        )
    )


# --------------------------------------------------------------------------
# Workers' memory after many requests
# --------------------------------------------------------------------------


def send_requests(port, mix, total, threads=4):
    """``total`` GETs spread evenly over ``mix`` [(path, host, cookie)], from
    ``threads`` client threads; returns the count of each status."""
    from concurrent.futures import ThreadPoolExecutor

    def one(i):
        path, host, cookie = mix[i % len(mix)]
        try:
            status, _, _ = http_get(port, path, host=host, cookie=cookie, timeout=30)
        except urllib.error.HTTPError as exc:
            status = exc.code
        return status

    statuses = {}
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for status in pool.map(one, range(total)):
            statuses[status] = statuses.get(status, 0) + 1
    return statuses


def measure_memory(server, mix, total, label) -> dict:
    server.wait_ready()
    for path, host, cookie in mix:  # each path once on each worker, about
        for _ in range(4):
            http_get(server.port, path, host=host, cookie=cookie)
    pids = server.worker_pids()
    before = {pid: vm_rss_kib(pid) for pid in pids}
    t0 = time.perf_counter()
    statuses = send_requests(server.port, mix, total)
    elapsed = time.perf_counter() - t0
    if set(statuses) != {200}:
        raise BenchError(f"{label}: answers {statuses} (all 200 expected)")
    after = {pid: vm_rss_kib(pid) for pid in server.worker_pids()}
    if set(after) != set(pids):
        raise BenchError(f"{label}: the workers changed during the run ({pids} -> {list(after)})")
    log(
        f"  {label:<7}: {total} requests in {elapsed:.0f} s; worker VmRSS "
        + ", ".join(
            f"pid {pid} {before[pid] / 1024:.1f} -> {after[pid] / 1024:.1f} MiB" for pid in pids
        )
        + f"  [{loadavg()}]"
    )
    return {"before": before, "after": after}


def memory_section(args, dirs, tmp, rows, *, peer_dir, static_path, services_path, cache, redis):
    from bench import peer

    log(
        f"\n== 4. Memory of a gunicorn worker (VmRSS) after {args.memory_requests} requests, "
        "2 sync workers each, 4 client threads =="
    )
    portal_mix = [
        (FAQ_PATH, HOST, SESSION_COOKIE),  # uncached: the cookie bypasses the page cache
        (HOME_PATH, HOST, None),
        (services_path, HOST, None),
        (LOGIN_PATH, HOST, None),
        (static_path, HOST, None),
    ]
    shown = [p + (" (session cookie)" if c else "") for p, _, c in portal_mix]
    log("  portal mix: " + ", ".join(shown))
    server = Gunicorn.portal(dirs["env"], tmp / "gunicorn-memory.log")
    try:
        portal = measure_memory(server, portal_mix, args.memory_requests, "portal")
    finally:
        server.stop()
    peer_mix = [
        (peer.PAGE_PATH, peer.HOST, None),
        ("/", peer.HOST, None),
        ("/about/", peer.HOST, None),
        (peer.FORM_PATH, peer.HOST, None),
        ("/static/css/peer.css", peer.HOST, None),
    ]
    log("  peer mix  : " + ", ".join(p for p, _, _ in peer_mix))
    server = Gunicorn.peer(peer_dir, tmp / "gunicorn-peer.log", cache=cache, redis_url=redis)
    try:
        other = measure_memory(server, peer_mix, args.memory_requests, "peer")
    finally:
        server.stop()
    portal_max = max(portal["after"].values())
    peer_max = max(other["after"].values())
    ratio = portal_max / peer_max
    log(
        f"  biggest worker: portal {portal_max / 1024:.1f} MiB / peer {peer_max / 1024:.1f} MiB "
        f"= {ratio:.2f}"
    )
    rows.append(
        (
            f"worker RSS after {args.memory_requests} req. / peer",
            f"{portal_max / 1024:.0f} / {peer_max / 1024:.0f} MiB = {ratio:.2f}",
            f"<= {MEMORY_TARGET}",
            verdict(ratio <= MEMORY_TARGET),
        )
    )


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------


def fmt_ms(seconds):
    return f"{seconds * 1000:.2f} ms"


class Rows(list):
    """Rows of the summary table: each (measure, value, target, verdict) gets
    the machine's load average at the time it is added."""

    def append(self, row):
        super().append((*row, loadavg()))


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="20,500", help="FAQ question counts (default 20,500)")
    parser.add_argument(
        "--rounds", type=int, default=30, help="timed requests per page (default 30)"
    )
    parser.add_argument("--duration", type=int, default=10, help="wrk seconds per run (default 10)")
    parser.add_argument(
        "--segments",
        type=int,
        default=2,
        help="split each wrk measure into this many alternating runs (default 2)",
    )
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--connections", type=int, default=10, help="wrk connections (default 10)")
    parser.add_argument(
        "--http-faq",
        default="demo",
        help="FAQ content for the HTTP runs: 'demo' (load_demo's FAQ, default) or a question count",
    )
    parser.add_argument(
        "--cache",
        choices=("file", "redis"),
        default="file",
        help="the portal's cache: 'file' (the dev settings', default) or 'redis' (a throwaway "
        "redis-server, as in production); the peer uses the same kind",
    )
    parser.add_argument("--skip-http", action="store_true", help="skip gunicorn/wrk (part 3)")
    parser.add_argument(
        "--skip-peer", action="store_true", help="skip the plain Wagtail peer (part 2b)"
    )
    parser.add_argument(
        "--memory",
        action="store_true",
        help="also measure the workers' memory after --memory-requests requests (part 4, "
        "a few minutes)",
    )
    parser.add_argument(
        "--peer-batches",
        type=int,
        default=6,
        help="alternating batches of the portal and the peer (default 6)",
    )
    parser.add_argument(
        "--peer-rounds", type=int, default=10, help="requests per peer batch (default 10)"
    )
    parser.add_argument(
        "--memory-requests",
        type=int,
        default=6000,
        help="requests sent to each server before reading its workers' memory (default 6000)",
    )
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=CONN_MAX_AGE,
        help=f"seconds database connections are kept, for the portal and the peer alike "
        f"(default {CONN_MAX_AGE}, as deployed; 0 opens one per request)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if not 1 <= args.segments <= args.duration:
        parser.error("--segments must be between 1 and --duration")
    seconds = args.duration // args.segments
    if args.duration < 1 or args.duration > 120:
        parser.error("--duration must be between 1 and 120 seconds")

    wrk_missing = False
    if not args.skip_http and shutil.which("wrk") is None:
        wrk_missing = True
        log("*** wrk is not installed: the HTTP throughput part (3) cannot run. ***")
        log("*** Install it: `apt-get install -y wrk` (Debian package), or pass --skip-http. ***")

    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))  # bench.peer, and the portal's apps
    tmp = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    gunicorn = None
    servers = []  # other gunicorns and redis-server, stopped at the end
    peer_build = None
    rows = Rows()  # summary table rows: (measure, value, target, verdict, load)
    try:
        redis_url = None
        if args.cache == "redis":
            redis = RedisServer(tmp)
            servers.append(redis)
            redis.wait_ready()
            redis_url = redis.url
            os.environ["BENCH_REDIS_URL"] = redis_url
        dirs = prepare_environment(tmp, conn_max_age=args.conn_max_age)
        if redis_url:
            dirs["env"]["BENCH_REDIS_URL"] = redis_url
        log(f"Temporary directory: {tmp}")
        if not args.skip_peer or args.memory:
            from bench import peer

            # Wagtail's migrations take a while: build the peer meanwhile.
            peer_dir = tmp / "peer"
            peer_build = peer.start_build(peer_dir)
        setup_django()
        from django.conf import settings

        cache_conf = settings.CACHES["default"]
        cache_backend = cache_conf["BACKEND"].rsplit(".", 1)[-1]
        cache_label = f"{cache_backend} ({cache_conf['LOCATION']})"
        log(f"Cache backend of the portal: {cache_label}; {loadavg()}")
        log(f"Database connections kept {args.conn_max_age} s, by the portal and the peer alike")
        load_demo()

        from cms.cache import invalidate_all

        app = InProcess()
        demo_body = faq_body_data()
        demo_questions = sum(len(c["value"]["questions"]) for c in demo_body)
        targets = link_targets()

        # ---------------- 1. SQL queries ----------------
        log("\n== 1. SQL queries per anonymous uncached request (cache cleared before each) ==")
        counts = {}
        listings = {}
        lo, hi, (queries, _) = steady_count(app, HOME_PATH)
        counts[("home", None)] = (lo, hi)
        lo2, hi2, _ = steady_count(app, HOME_PATH, invalidate_only=True)
        counts[("home-inv", None)] = (lo2, hi2)
        listings["home"] = queries
        lo, hi, _ = steady_count(app, FAQ_PATH)
        counts[("faq", "demo")] = (lo, hi)
        lo2, hi2, _ = steady_count(app, FAQ_PATH, invalidate_only=True)
        counts[("faq-inv", "demo")] = (lo2, hi2)
        log(
            f"  home                          : {counts[('home', None)][1]:>4} queries "
            f"({counts[('home-inv', None)][1]} after a publish, i.e. generation bump only)"
        )
        log(
            f"  FAQ demo ({demo_questions:>3} questions)      : "
            f"{counts[('faq', 'demo')][1]:>4} queries "
            f"({counts[('faq-inv', 'demo')][1]} after a publish)"
        )
        for variant in ("text", "links"):
            for size in sizes:
                publish_faq_body(make_body(size, links=variant == "links", targets=targets))
                lo, hi, (queries, body) = steady_count(app, FAQ_PATH)
                lo2, hi2, _ = steady_count(app, FAQ_PATH, invalidate_only=True)
                rendered = body.count(b'class="faq-question"')
                if rendered != size:
                    raise BenchError(f"FAQ rendered {rendered} questions instead of {size}")
                counts[("faq", f"{variant}-{size}")] = (lo, hi)
                counts[("faq-inv", f"{variant}-{size}")] = (lo2, hi2)
                listings[f"{variant}-{size}"] = queries
                spread = f" (min {lo})" if lo != hi else ""
                log(
                    f"  FAQ {variant:<5} {size:>4} questions      : {hi:>4} queries{spread} "
                    f"({hi2} after a publish), page {len(body) / 1024:.0f} KiB"
                )

        biggest = max(sizes)
        print_queries(f"FAQ, {biggest} questions, text answers", listings[f"text-{biggest}"])
        print_queries(
            f"FAQ, {biggest} questions, answers with page/document links",
            listings[f"links-{biggest}"],
        )
        print_queries("home page", listings["home"])

        smallest = min(sizes)
        for variant in ("text", "links"):
            small = counts[("faq", f"{variant}-{smallest}")][1]
            big = counts[("faq", f"{variant}-{biggest}")][1]
            rows.append(
                (
                    f"SQL/request FAQ {variant} {smallest}->{biggest} q.",
                    f"{small} -> {big}",
                    f"<= {QUERY_TARGET}, constant",
                    verdict(big <= QUERY_TARGET and big == small),
                )
            )
        home_q = counts[("home", None)][1]
        rows.append(
            (
                "SQL/request home",
                str(home_q),
                f"<= {QUERY_TARGET}",
                "PASS" if home_q <= QUERY_TARGET else "FAIL",
            )
        )
        demo_q = counts[("faq", "demo")][1]
        rows.append(
            (
                f"SQL/request FAQ demo ({demo_questions} q.)",
                str(demo_q),
                f"<= {QUERY_TARGET}",
                "PASS" if demo_q <= QUERY_TARGET else "FAIL",
            )
        )
        rows.append(
            (
                "SQL/request FAQ demo, cold (cache cleared)",
                str(demo_q),
                f"<= {COLD_QUERY_TARGET}",
                verdict(demo_q <= COLD_QUERY_TARGET),
            )
        )

        # ---------------- 2. In-process render time ----------------
        log(
            f"\n== 2. Median in-process time per request, {args.rounds} rounds, "
            "full middleware stack =="
        )
        timing_sets = [("demo", demo_body)] + [
            (f"text-{size}", make_body(size, links=False, targets=targets)) for size in sizes
        ]
        home_med = trivial_home = None
        for label, data in timing_sets:
            publish_faq_body(data)
            medians, _ = time_rounds(
                app, {"trivial": TRIVIAL_PATH, "faq": FAQ_PATH, "home": HOME_PATH}, args.rounds
            )
            ratio = medians["faq"] / medians["trivial"]
            log(
                f"  FAQ {label:<9}: uncached {fmt_ms(medians['faq']):>11}  trivial "
                f"{fmt_ms(medians['trivial']):>9}  ratio {ratio:7.1f}x   "
                f"(home {fmt_ms(medians['home'])})  [{loadavg()}]"
            )
            rows.append(
                (
                    f"render FAQ {label} (uncached)",
                    fmt_ms(medians["faq"]),
                    f"{ratio:.1f}x trivial ({fmt_ms(medians['trivial'])})",
                    "info",
                )
            )
            if home_med is None:
                home_med, trivial_home = medians["home"], medians["trivial"]
            last_faq_median = medians["faq"]
        rows.append(
            (
                "render home (uncached)",
                fmt_ms(home_med),
                f"{home_med / trivial_home:.1f}x trivial ({fmt_ms(trivial_home)})",
                "info",
            )
        )
        # Where the time of the biggest FAQ goes (the page holds it now).
        # Supplementary: it calls application functions that may be renamed.
        try:
            breakdown(max(sizes), last_faq_median, args.rounds)
        except Exception as exc:
            log(f"\n  Breakdown skipped ({type(exc).__name__}: {exc})")

        # The cached path, for comparison (same process, warm cache): the
        # page holds the biggest generated FAQ now, then the demo FAQ.
        for label, data in ((f"text-{biggest}", None), ("demo", demo_body)):
            if data is not None:
                publish_faq_body(data)
            cached, no_sql = time_rounds(
                app,
                {"trivial": TRIVIAL_PATH, "faq": FAQ_PATH, "home": HOME_PATH},
                args.rounds,
                cached=True,
            )
            log(
                f"  cache hits, FAQ {label:<9}: {fmt_ms(cached['faq']):>9}  trivial "
                f"{fmt_ms(cached['trivial']):>9}  (home {fmt_ms(cached['home'])}); requests "
                f"without SQL: FAQ {no_sql['faq']}/{args.rounds}, "
                f"home {no_sql['home']}/{args.rounds}  [{loadavg()}]"
            )
            if min(no_sql["faq"], no_sql["home"]) < args.rounds:
                log("  WARNING: some 'cached' requests ran SQL, so were not served from the cache")
            rows.append(
                (
                    f"render FAQ {label} (cache hit)",
                    fmt_ms(cached["faq"]),
                    f"{cached['faq'] / cached['trivial']:.1f}x trivial "
                    f"({fmt_ms(cached['trivial'])})",
                    "info",
                )
            )

        # ---------------- 2b. The plain Wagtail peer ----------------
        # The page holds the demo FAQ again (the cached loop ended with it).
        faq_bytes = len(app.request(FAQ_PATH)[0])
        peer_cache = {"file": "file", "redis": "redis"}[args.cache]
        peer_redis = redis_url.rsplit("/", 1)[0] + "/1" if redis_url else None
        if peer_build is not None:
            from bench import peer

            built = peer.finish_build(peer_build)
            peer_build = None
            fitted = peer.fit(peer_dir, faq_bytes)
            log(
                f"\n  Peer built in {peer_dir} (migrate {built['migrate_s']} s); its /faq/ "
                f"fitted to {fitted['page_bytes']} B for the portal's {faq_bytes} B"
            )
            if abs(fitted["page_bytes"] - faq_bytes) > 0.05 * faq_bytes:
                raise BenchError(f"the peer's page is {fitted['page_bytes']} B, not ~{faq_bytes}")
        if args.skip_peer:
            log("\n== 2b. Against a plain Wagtail project: skipped ==")
        else:
            compare_with_peer(
                app,
                args,
                peer_dir,
                rows,
                faq_bytes=faq_bytes,
                cold_queries=demo_q,
                cache=peer_cache,
                redis_url=peer_redis,
            )

        # ---------------- 3. gunicorn + wrk ----------------
        http_results = {}
        run_http = not (args.skip_http or wrk_missing)
        if run_http or args.memory:
            if args.http_faq == "demo":
                publish_faq_body(demo_body)
                faq_label = f"FAQ demo ({demo_questions} q.)"
            else:
                n = int(args.http_faq)
                publish_faq_body(make_body(n, links=False, targets=targets))
                faq_label = f"FAQ text ({n} q.)"
            invalidate_all()
            pages = {faq_label: FAQ_PATH, "home": HOME_PATH}
            static_paths = {}
            sizes_bytes = {}
            for label, path in pages.items():
                body, _ = app.request(path)
                sizes_bytes[label] = len(body)
                name = f"bench/same-size-{'faq' if path == FAQ_PATH else 'home'}.html"
                target = dirs["static-src"] / name
                target.parent.mkdir(parents=True, exist_ok=True)
                # Same byte size as the page, HTML-ish content.
                filler = (b"<p>static</p>\n" * (len(body) // 14 + 1))[: len(body)]
                target.write_bytes(filler)
                static_paths[label] = "/static/" + name
            from django.core.management import call_command

            t0 = time.perf_counter()
            call_command("collectstatic", interactive=False, verbosity=0)
            log(f"\n  collectstatic into {dirs['static-root']} ({time.perf_counter() - t0:.1f} s)")
            invalidate_all()

        if not run_http:
            log("\n== 3. HTTP throughput: skipped ==")
        else:
            log(
                f"\n== 3. HTTP throughput: gunicorn 2 sync workers, wrk -t{args.threads} "
                f"-c{args.connections}, {args.duration} s per measure in {args.segments} "
                f"alternating runs of -d{seconds}s, Host {HOST} =="
            )
            gunicorn = Gunicorn.portal(dirs["env"], tmp / "gunicorn.log")
            gunicorn.wait_ready()
            neutral = Gunicorn.neutral(dirs["static-root"], tmp, static_paths[faq_label])
            servers.append(neutral)
            neutral.wait_ready()
            log(
                f"  gunicorn up on 127.0.0.1:{gunicorn.port} (the portal) and "
                f"127.0.0.1:{neutral.port} (WhiteNoise alone: the neutral static file)"
            )
            for label, path in pages.items():
                # Warm the anonymous cache and check both sizes over HTTP.
                for _ in range(3):
                    status, _, page_body = http_get(gunicorn.port, path)
                if not page_cache_is_warm(path):
                    raise BenchError(f"{path} is not in the page cache after warming it")
                status_s, _, static_body = http_get(gunicorn.port, static_paths[label])
                status_n, _, neutral_body = http_get(neutral.port, static_paths[label])
                if status != 200 or status_s != 200 or status_n != 200:
                    raise BenchError(
                        f"warm-up failed: page {status}, static {status_s}, neutral {status_n}"
                    )
                if not len(page_body) == len(static_body) == len(neutral_body):
                    raise BenchError(
                        f"size mismatch for {label}: page {len(page_body)} B, "
                        f"static {len(static_body)} B, neutral {len(neutral_body)} B"
                    )
                _, _, uncached_body = http_get(gunicorn.port, path, cookie=SESSION_COOKIE)
                log(
                    f"  {label}: {len(page_body)} B page / {len(static_body)} B static; "
                    f"uncached (session cookie) body {len(uncached_body)} B"
                )

                # Each measure gets --duration seconds in all, split into
                # --segments runs alternating with the other measures, so
                # that a burst of noise on the machine hits them alike.
                kinds = {
                    "cached": (gunicorn.port, path, None),
                    "static": (gunicorn.port, static_paths[label], None),
                    "neutral": (neutral.port, static_paths[label], None),
                    "uncached": (gunicorn.port, path, SESSION_COOKIE),
                }
                runs = {kind: [] for kind in kinds}
                for _ in range(args.segments):
                    for kind, (port, url, cookie) in kinds.items():
                        r = run_wrk(port, url, args=args, seconds=seconds, cookie=cookie)
                        r["load"] = loadavg()
                        if r["non2xx"] or r["errors"]:
                            raise BenchError(
                                f"wrk {label} {kind}: {r['non2xx']} non-2xx, {r['errors']}"
                            )
                        runs[kind].append(r)
                    if not page_cache_is_warm(path):
                        raise BenchError(f"{path} left the page cache during the run")
                res = {}
                for kind, values in runs.items():
                    res[kind] = {
                        "rps": statistics.mean(r["rps"] for r in values),
                        "total": sum(r["total"] for r in values),
                        "each": [r["rps"] for r in values],
                    }
                    each = ", ".join(f"{r['rps']:.0f} ({r['load']})" for r in values)
                    log(
                        f"    {kind:<9} {res[kind]['rps']:>9.1f} req/s  "
                        f"({res[kind]['total']} requests; per segment: {each})"
                    )
                pairs = (("cached", "neutral"), ("cached", "static"), ("static", "neutral"))
                for num, den in pairs:
                    seg_ratios = [
                        a / b for a, b in zip(res[num]["each"], res[den]["each"], strict=True)
                    ]
                    log(
                        f"    {num}/{den} per segment: "
                        + ", ".join(f"{r:.2f}" for r in seg_ratios)
                        + f"; in all {res[num]['rps'] / res[den]['rps']:.2f}"
                    )
                http_results[label] = res
                cached, static, neutral_rps = (
                    res["cached"]["rps"],
                    res["static"]["rps"],
                    res["neutral"]["rps"],
                )
                target = NEUTRAL_TARGETS[args.cache]
                ratio = cached / neutral_rps
                rows.append(
                    (
                        f"HTTP {label} cached / neutral static",
                        f"{cached:.0f} / {neutral_rps:.0f} = {ratio:.2f}",
                        f">= {target} ({args.cache} cache)" if path == FAQ_PATH else "-",
                        verdict(ratio >= target) if path == FAQ_PATH else "info",
                    )
                )
                ratio = cached / static
                rows.append(
                    (
                        f"HTTP {label} cached / portal static",
                        f"{cached:.0f} / {static:.0f} = {ratio:.2f}",
                        f">= {RATIO_TARGET}",
                        verdict(ratio >= RATIO_TARGET),
                    )
                )
                rows.append(
                    (
                        f"HTTP {label} portal static / neutral",
                        f"{static:.0f} / {neutral_rps:.0f} = {static / neutral_rps:.2f}",
                        "-",
                        "info",
                    )
                )
                u = res["uncached"]["rps"]
                rows.append(
                    (
                        f"HTTP {label} uncached (session)",
                        f"{u:.0f} req/s = {u / neutral_rps:.2f} of neutral static",
                        "-",
                        "info",
                    )
                )
            gunicorn.stop()
            gunicorn = None
            neutral.stop()

        # ---------------- 4. Workers' memory ----------------
        if not args.memory:
            log("\n== 4. Memory of the workers: skipped ==")
        else:
            publish_faq_body(demo_body)
            memory_section(
                args,
                dirs,
                tmp,
                rows,
                peer_dir=peer_dir,
                static_path=static_paths[faq_label],
                services_path=services_index_path(),
                cache=peer_cache,
                redis=peer_redis,
            )

        # ---------------- Summary ----------------
        log("\n== Summary (compare ratios within this run only) ==")
        log(f"Cache backend: {cache_label}")
        log(f"Database connections kept: {args.conn_max_age} s (portal and peer)")
        header = ("Measure", "Value", "Target", "Verdict", "Load 1/5/15 min")
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(5)]
        line = "  ".join("-" * w for w in widths)
        log("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
        log(line)
        for row in rows:
            log("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
        if wrk_missing:
            log("\nHTTP part not run: wrk is missing (apt-get install -y wrk).")
            return 3
        return 0
    except BenchError as exc:
        log(f"\nBENCHMARK ERROR: {exc}")
        if gunicorn is not None and gunicorn.log_path.exists():
            log(
                "gunicorn log (last lines):\n"
                + gunicorn.log_path.read_text(errors="replace")[-4000:]
            )
        return 2
    except Exception:
        traceback.print_exc()
        log("\nBENCHMARK ERROR: unexpected exception (see above)")
        return 2
    finally:
        if gunicorn is not None:
            gunicorn.stop()
        for server in servers:
            server.stop()
        if peer_build is not None and peer_build.poll() is None:
            peer_build.kill()
            peer_build.communicate()
        if args.keep:
            log(f"Kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
