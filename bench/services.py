"""Démarche benchmarks: what sending a request costs, and its receipt PDF.

Run from the repository root:

    .venv/bin/python bench/services.py [--rounds 20] [--tasks database|immediate] [--keep]

Everything happens in a throwaway directory, prepared as bench/pages.py does
(SQLite database through DATABASE_URL, file cache, media) plus the private
storage of the supporting documents: the developer's db.sqlite3 and var/ are
never used. The script migrates, loads the demo, then measures in-process,
through Django's test client (the whole middleware stack, sessions included):

a. Carvin's "Inscription scolaire" sent by the demo citizen amélie.lire: every
   step posted with valid answers (two small PDFs attached, one document
   promised by post), then the recap posted. SQL queries per request and in
   all, median ms over --rounds rounds, each round with a fresh draft.
b. The same for Carvin's "Demande d'acte de naissance" without an account
   (one PDF attached). The anti-robot check cannot be solved by a script: it
   is replaced, in this process only, by an optional empty field.
c. The receipt and cover sheet PDFs of a request of (a): median ms of
   ``services.pdf.receipt_pdf`` and ``cover_sheet_pdf``, queries, size.
d. Pages amélie.lire opens (logged in, so never served from the anonymous
   page cache): the Services index, the démarche's introduction, its first
   step and the "Requests" tab of her account.
e. What a price adds: Carvin's "Emplacement au marché de Noël" (paid at
   sending) sent by amélie.lire with its price (the recap shows it, the
   sending issues its invoice and holds the request until paid), then the
   same démarche with its price removed; and ``fees.services.quote_for``
   alone (the price computed from a request's answers).

The receipt e-mail is a task (django-tasks). With ``--tasks database`` (the
default, as deployed) sending a request only enqueues it, and its cost is
that of (c) plus the e-mail, paid by the worker; ``--tasks immediate`` runs
it inside the recap's request, as the test suite does.

Machines are noisy: compare figures within one run. The exit status is
non-zero only when the benchmark itself could not run.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HOST = "carvin.localhost"
CITIZEN_EMAIL = "amelie.lire@example.org"
SCHOOL_SLUG = "inscription-scolaire"
BIRTH_SLUG = "acte-de-naissance"
STALL_SLUG = "marche-de-noel"
CSRF_FIELD = "x" * 64
"""Posted like a browser's form field; the test client does not check it, but
the recap tells a posted form from an empty one by the data it holds."""
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}

# Run as a script, this file's folder comes first on sys.path, where
# "services" would be this file rather than the app.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]
sys.path.insert(0, str(REPO))

from bench import pages  # noqa: E402
from bench.pages import BenchError, log  # noqa: E402

# --------------------------------------------------------------------------
# Environment
# --------------------------------------------------------------------------


def prepare_environment(tmp: Path, *, tasks: str, conn_max_age: int = pages.CONN_MAX_AGE) -> None:
    pages.prepare_environment(tmp, conn_max_age=conn_max_age)
    private = tmp / "private"
    private.mkdir()
    os.environ.update(
        {
            "PRIVATE_ROOT": str(private),
            "TASKS_BACKEND": TASK_BACKENDS[tasks],
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
    )


def check_environment(tmp: Path) -> None:
    """Belt and braces: every file written goes under the throwaway directory."""
    from django.conf import settings

    for name, path in (
        ("MEDIA_ROOT", settings.MEDIA_ROOT),
        ("private storage", settings.STORAGES["private"]["OPTIONS"]["location"]),
        ("database", settings.DATABASES["default"]["NAME"]),
    ):
        if not Path(path).resolve().is_relative_to(tmp.resolve()):
            raise BenchError(f"refusing to run: the {name} is {path}, outside {tmp}")


def bypass_captcha() -> None:
    """The anti-robot check, in this process only: an optional empty field."""
    from django import forms

    import services.views

    services.views.captcha_field = lambda request: forms.CharField(required=False)


# --------------------------------------------------------------------------
# Requests
# --------------------------------------------------------------------------


@dataclass
class Timing:
    """Queries and durations of one kind of request over the rounds."""

    label: str
    queries: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    def add(self, queries: int, seconds: float) -> None:
        self.queries.append(queries)
        self.seconds.append(seconds)

    @property
    def query_text(self) -> str:
        low, high = min(self.queries), max(self.queries)
        return str(high) if low == high else f"{low}-{high}"

    @property
    def median_ms(self) -> float:
        return statistics.median(self.seconds) * 1000


def error_summary(response) -> str:
    """The error summary of a page shown again, as text, to say why a step failed."""
    import re

    html = response.content.decode(errors="replace")
    start = html.find('id="form-errors"')
    if start == -1:
        return html[:300]
    summary = html[start : html.find("</div>", start)]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", summary)).strip()


def timed(client, method: str, path: str, data=None, *, expect: str = "", listing=None):
    """One request through the test client: (queries, seconds, response).

    ``expect`` is the end of the URL a POST must redirect to; a GET must
    answer 200. With a ``listing`` list, each query's summary and origin is
    appended to it (as bench/pages.py lists them)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def record(execute, sql, params, many, context):
        listing.append((pages._summary(sql), pages._origin()))
        return execute(sql, params, many, context)

    with (
        CaptureQueriesContext(connection) as queries,
        connection.execute_wrapper(
            record if listing is not None else lambda execute, *args: execute(*args)
        ),
    ):
        t0 = time.perf_counter()
        if method == "POST":
            response = client.post(path, data or {}, HTTP_HOST=HOST)
        else:
            response = client.get(path, HTTP_HOST=HOST)
        elapsed = time.perf_counter() - t0
    if method == "POST":
        location = response.get("Location", "")
        if response.status_code != 302 or not location.endswith(expect):
            raise BenchError(
                f"POST {path} answered {response.status_code} {location!r} instead of a "
                f"redirect to …{expect}: {error_summary(response)}"
            )
    elif response.status_code != 200:
        raise BenchError(f"GET {path} answered {response.status_code}")
    return len(queries), elapsed, response


# --------------------------------------------------------------------------
# The two démarches, as a citizen fills them in
# --------------------------------------------------------------------------


def demo_pdf(title: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from demo.services import demo_pdf as make_pdf

    name = f"{title.lower().replace(' ', '-')}.pdf"
    return SimpleUploadedFile(name, make_pdf(title, ["Bench"]), "application/pdf")


def first_choice(page, key: str) -> str:
    from services.fields.schema import choice_lines

    block = next(b for step in page.steps for b in step.blocks if b.key == key)
    return choice_lines(block.value["choices"])[0]


def school_answers(page, account) -> list[dict]:
    from demo.submissions import BOTH_PARENTS

    child = account.household_members.get(first_name="Léa")
    return [
        {
            "enfant": str(child.pk),
            "nom": child.last_name,
            "prenom": child.first_name,
            "date_naissance": child.birth_date.isoformat(),
            "niveau": "CP",
            "deja_scolarise": "no",
        },
        {"ecole": first_choice(page, "ecole"), "derogation": "no"},
        {
            "autorite_parentale": BOTH_PARENTS,
            "autre_parent": "Paul Lire",
            "telephone": "06 12 34 56 78",
        },
        {
            "justificatif_domicile": demo_pdf("Facture energie"),
            "livret_famille__by_post": "on",
            "vaccinations": demo_pdf("Carnet de sante"),
            "certification": "on",
        },
    ]


def stall_answers(page, account) -> list[dict]:
    return [
        {
            "enseigne": "Les bougies d'Amélie",
            "produits": first_choice(page, "produits"),
            "metres": "4",
            "electricite": "yes",
        },
        {"siret": "123 456 789 00012", "assurance": demo_pdf("Assurance"), "reglement": "on"},
    ]


def birth_answers(page, account) -> list[dict]:
    return [
        {
            "_contact_first_name": "Jean",
            "_contact_last_name": "Martin",
            "_contact_email": "jean.martin@example.org",
            "_contact_phone": "06 98 76 54 32",
        },
        {"type_acte": "Copie intégrale", "exemplaires": "1"},
        {
            "nom": "Martin",
            "prenoms": "Jean Pierre",
            "date_naissance": "1980-03-14",
            "parent_1": "Martin Paul",
            "parent_2": "Durand Anne",
        },
        {"qualite": "La personne concernée", "justificatif_lien": demo_pdf("Carte identite")},
        {
            "adresse_envoi__street": "4 rue de la Gare",
            "adresse_envoi__postcode": "62220",
            "adresse_envoi__city": "Carvin",
            "etranger": "no",
            "certification": "on",
        },
    ]


@dataclass
class Demarche:
    """A démarche sent again and again by one visitor, with what each of its
    requests costs; ``answers(page, account)`` gives the data of each step."""

    label: str
    page: object
    account: object
    answers: object
    timings: list[Timing] = field(init=False)
    total: Timing = field(init=False)

    def __post_init__(self):
        count = len(self.answers(self.page, self.account))
        self.timings = [Timing(f"step {n} POST") for n in range(1, count + 1)]
        self.timings.append(Timing("recap POST (send)"))
        self.total = Timing(f"whole submission ({count} steps + recap)")

    def client(self):
        from django.test import Client

        client = Client()
        if self.account is not None:
            client.force_login(self.account)
        return client

    def submit(self, client, *, record: bool, listings: dict | None = None):
        """Fill in every step and send: a new request, from a new draft. With
        ``listings``, the queries of each request are listed in it by label."""
        from services.models import Submission, SubmissionStatus

        page = self.page
        url = page.relative_url(page.get_site())
        steps = self.answers(page, self.account)
        draft_count = Submission.objects.filter(page=page, status=SubmissionStatus.DRAFT).count()
        if draft_count:
            raise BenchError(f"{page.title}: a draft is left before a new round")
        requests = [
            (
                f"{url}etape/{number}/",
                {**data, "action": "next", "csrfmiddlewaretoken": CSRF_FIELD},
                f"etape/{number + 1}/" if number < len(steps) else "verification/",
            )
            for number, data in enumerate(steps, start=1)
        ]
        requests.append((f"{url}verification/", {"csrfmiddlewaretoken": CSRF_FIELD}, "envoyee/"))
        results = []
        for timing, (path, data, expect) in zip(self.timings, requests, strict=True):
            listing = None if listings is None else listings.setdefault(timing.label, [])
            queries, seconds, _ = timed(client, "POST", path, data, expect=expect, listing=listing)
            results.append((queries, seconds))
        if record:
            for timing, (queries, seconds) in zip(self.timings, results, strict=True):
                timing.add(queries, seconds)
            self.total.add(sum(q for q, _ in results), sum(s for _, s in results))
        return Submission.objects.filter(page=page).exclude(status="draft").latest("pk")

    def browse(self, client, clock, pace: int, timing: Timing, listings: dict | None = None):
        """Everything a browser asks for to send the request, at a human pace:
        the introduction, each step (its page, then its form), the recap's
        page and its form, the confirmation. ``clock`` (time_machine) moves
        by ``pace`` seconds before each request, as a citizen reading and
        typing would, so that the session's activity clock runs as it does
        for people."""
        page = self.page
        url = page.relative_url(page.get_site())
        steps = self.answers(page, self.account)
        flow = [("GET", url, None, "")]
        for number, data in enumerate(steps, start=1):
            after = f"etape/{number + 1}/" if number < len(steps) else "verification/"
            flow.append(("GET", f"{url}etape/{number}/", None, ""))
            flow.append(
                (
                    "POST",
                    f"{url}etape/{number}/",
                    {**data, "action": "next", "csrfmiddlewaretoken": CSRF_FIELD},
                    after,
                )
            )
        flow.append(("GET", f"{url}verification/", None, ""))
        flow.append(
            ("POST", f"{url}verification/", {"csrfmiddlewaretoken": CSRF_FIELD}, "envoyee/")
        )
        flow.append(("GET", f"{url}envoyee/", None, ""))
        queries = seconds = 0
        for method, path, data, expect in flow:
            clock.shift(pace)
            listing = None
            if listings is not None:
                listing = listings.setdefault(f"{method} {path.removeprefix(url) or 'intro'}", [])
            count, elapsed, _ = timed(client, method, path, data, expect=expect, listing=listing)
            queries, seconds = queries + count, seconds + elapsed
        timing.add(queries, seconds)
        return len(flow)


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------


def median_ms(func, rounds: int) -> tuple[float, object]:
    values, result = [], None
    for _ in range(rounds):
        t0 = time.perf_counter()
        result = func()
        values.append(time.perf_counter() - t0)
    return statistics.median(values) * 1000, result


def count_queries(func) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        func()
    return len(queries)


def print_table(rows) -> None:
    """Rows of (measure, queries, median ms, notes); ``None`` leaves a blank line."""
    header = ("Measure", "SQL queries", "Median ms", "Notes")
    filled = [header, *(row for row in rows if row)]
    widths = [max(len(str(row[i])) for row in filled) for i in range(4)]

    def line(row):
        cells = [
            str(cell).rjust(width) if i in (1, 2) else str(cell).ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        return "  ".join(cells).rstrip()

    log(line(header))
    log("  ".join("-" * width for width in widths))
    for row in rows:
        log(line(row) if row else "")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--rounds", type=int, default=20, help="timed rounds of each measure (default 20)"
    )
    parser.add_argument(
        "--tasks",
        choices=sorted(TASK_BACKENDS),
        default="database",
        help="task backend for the receipt e-mail: 'database' (default, as deployed: the "
        "request only enqueues it) or 'immediate' (sent within the request)",
    )
    parser.add_argument(
        "--queries",
        action="store_true",
        help="list the SQL queries of each request of one more school enrolment, "
        "with where they come from",
    )
    parser.add_argument(
        "--pace",
        type=int,
        default=20,
        help="seconds a citizen spends on each page of the whole flow (a fake clock; default 20)",
    )
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=pages.CONN_MAX_AGE,
        help=f"seconds database connections are kept, for the portal and the peer alike "
        f"(default {pages.CONN_MAX_AGE}, as deployed; 0 opens one per request)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    if not 1 <= args.rounds <= 1000:
        parser.error("--rounds must be between 1 and 1000")

    tmp = Path(tempfile.mkdtemp(prefix="bench-services-"))
    try:
        from bench import peer

        # The plain Wagtail project of (a') is built meanwhile, in a process
        # of its own.
        os.environ["BENCH_PEER_DIR"] = str(tmp / "peer")
        args.peer_build = peer.start_build(tmp / "peer")
        prepare_environment(tmp, tasks=args.tasks, conn_max_age=args.conn_max_age)
        log(f"Temporary directory: {tmp}")
        pages.setup_django()
        check_environment(tmp)
        pages.load_demo()
        bypass_captcha()
        return run(args)
    except BenchError as exc:
        log(f"\nBENCHMARK ERROR: {exc}")
        return 2
    except Exception:
        traceback.print_exc()
        log("\nBENCHMARK ERROR: unexpected exception (see above)")
        return 2
    finally:
        if args.keep:
            log(f"Kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def run(args) -> int:
    from django.core import mail
    from django.urls import reverse
    from django_tasks_db.models import DBTaskResult
    from wagtail.models import Site

    from accounts.models import User
    from services.models import ServiceIndexPage, ServicePage, Submission
    from services.pdf import cover_sheet_pdf, receipt_pdf

    site = Site.objects.get(hostname=HOST)
    index = ServiceIndexPage.objects.child_of(site.root_page).get()
    demarches = {p.slug: p for p in ServicePage.objects.child_of(index).live().specific()}
    amelie = User.objects.get(site=site, email=CITIZEN_EMAIL)
    school = Demarche(
        "(a) Inscription scolaire, amélie.lire", demarches[SCHOOL_SLUG], amelie, school_answers
    )
    birth = Demarche(
        "(b) Acte de naissance, without account", demarches[BIRTH_SLUG], None, birth_answers
    )
    rounds = args.rounds
    rows = []

    # ---------------- a, b. Whole submissions ----------------
    log(f"\n== (a), (b) Sending a request: {rounds} rounds, each from a new draft ==")
    receipts = DBTaskResult.objects.filter(task_path__endswith=".send_submission_receipt")
    tasks_before = receipts.count()
    mails_before = len(getattr(mail, "outbox", []))
    for demarche in (school, birth):
        client = demarche.client()
        demarche.submit(client, record=False)  # warm-up
        for _ in range(rounds):
            sent = demarche.submit(client, record=True)
        log(f"  {demarche.label}: last one {sent.reference}, {demarche.total.median_ms:.1f} ms")
    sent_count = 2 * (rounds + 1)
    if args.tasks == "database":
        enqueued = receipts.count() - tasks_before
        if enqueued != sent_count:
            raise BenchError(f"{enqueued} receipts enqueued for {sent_count} requests sent")
        task_note = "receipt e-mail, agents' alert and status actions only enqueued"
    else:
        sent_mails = len(getattr(mail, "outbox", [])) - mails_before
        if sent_mails != sent_count:
            raise BenchError(f"{sent_mails} e-mails sent for {sent_count} requests")
        task_note = "receipt e-mail (with its PDFs) sent within"
    if args.queries:
        listings = {}
        school.submit(school.client(), record=False, listings=listings)
        for label, listing in listings.items():
            pages.print_queries(f"school enrolment, {label}", listing)
    for demarche in (school, birth):
        rows.append((demarche.label, "", "", ""))
        for timing in [*demarche.timings, demarche.total]:
            note = task_note if timing is demarche.timings[-1] else ""
            rows.append((f"  {timing.label}", timing.query_text, f"{timing.median_ms:.1f}", note))
        rows.append(None)
    sent_school = Submission.objects.filter(page=school.page).exclude(status="draft").latest("pk")

    # ---------------- a'. The whole flow a browser makes ----------------
    import time_machine

    from bench import peer

    log(
        f"\n== (a') The whole school enrolment, every GET and POST, one every {args.pace} s, "
        "next to a plain Wagtail contact form (bench/peer.py) =="
    )
    flow = Timing(f"(a') whole flow, GETs included, one request every {args.pace} s")
    form_posts = []
    peer_dir = Path(os.environ["BENCH_PEER_DIR"])
    peer.finish_build(args.peer_build)
    with (
        peer.Worker(peer_dir, cache="file") as contact,
        time_machine.travel(time.time(), tick=False) as clock,
    ):
        client = school.client()
        school.browse(client, clock, args.pace, Timing("warm-up"))
        contact.measure("form-post", 2)
        for _ in range(rounds):
            requests = school.browse(client, clock, args.pace, flow)
            form_posts.append(contact.measure("form-post", 3))
        if args.queries:
            listings = {}
            school.browse(client, clock, args.pace, Timing("listed"), listings)
            for label, listing in listings.items():
                pages.print_queries(f"whole flow, {label}", listing)
    form_ms = statistics.median(post["median_ms"] for post in form_posts)
    form_queries = max(post["queries_warm"] for post in form_posts)
    rows.append((flow.label, flow.query_text, f"{flow.median_ms:.1f}", f"{requests} requests"))
    rows.append(
        (
            "  its POSTs alone, back to back (a)",
            school.total.query_text,
            f"{school.total.median_ms:.1f}",
            "",
        )
    )
    rows.append(
        (
            "  a plain Wagtail contact form, one valid POST",
            form_queries,
            f"{form_ms:.1f}",
            "bench/peer.py: 5 fields, submission stored, e-mail sent; same rounds",
        )
    )
    flow_ratio = flow.median_ms / form_ms
    posts_ratio = school.total.median_ms / form_ms
    rows.append(
        (
            "  whole flow / contact-form POST",
            "",
            f"{flow_ratio:.2f}x",
            f"target <= 3x: {'PASS' if flow_ratio <= 3 else 'FAIL'}; "
            f"queries target <= 120: {'PASS' if max(flow.queries) <= 120 else 'FAIL'}",
        )
    )
    rows.append(("  its POSTs alone / contact-form POST", "", f"{posts_ratio:.2f}x", ""))
    rows.append(None)

    # ---------------- c. Receipt PDF ----------------
    log(f"\n== (c) Receipt and cover sheet of {sent_school.reference}: {rounds} rounds ==")

    def fresh():
        return Submission.objects.select_related("site", "account", "page").get(pk=sent_school.pk)

    receipt_pdf(fresh())  # warm-up: the logo's rendition is made once
    receipt_queries = count_queries(lambda: receipt_pdf(fresh()))
    cover_queries = count_queries(lambda: cover_sheet_pdf(fresh()))
    submissions = [fresh() for _ in range(2 * rounds)]
    receipt_ms, receipt = median_ms(lambda: receipt_pdf(submissions.pop()), rounds)
    cover_ms, cover = median_ms(lambda: cover_sheet_pdf(submissions.pop()), rounds)
    if not receipt.startswith(b"%PDF") or not cover or not cover.startswith(b"%PDF"):
        raise BenchError("the receipt or the cover sheet is not a PDF")
    rows.append(("(c) PDFs of a school enrolment", "", "", ""))
    rows.append(
        ("  receipt_pdf", receipt_queries, f"{receipt_ms:.1f}", f"{len(receipt) / 1024:.1f} KiB")
    )
    rows.append(
        ("  cover_sheet_pdf", cover_queries, f"{cover_ms:.1f}", f"{len(cover) / 1024:.1f} KiB")
    )
    rows.append(None)

    # ---------------- d. Pages ----------------
    log(f"\n== (d) Pages opened by amélie.lire, logged in: {rounds} rounds ==")
    client = school.client()
    intro = school.page.relative_url(site)
    paths = {
        "Services index": index.relative_url(site),
        "démarche introduction": intro,
        "step 1 GET": f"{intro}etape/1/",
        '"Requests" tab': reverse("services:submissions"),
    }
    timings = {name: Timing(name) for name in paths}
    for path in paths.values():
        timed(client, "GET", path)  # warm-up
    for _ in range(rounds):
        for name, path in paths.items():
            queries, seconds, _ = timed(client, "GET", path)
            timings[name].add(queries, seconds)
    rows.append(("(d) Pages, logged in (no page cache)", "", "", ""))
    for name, path in paths.items():
        rows.append((f"  {name}", timings[name].query_text, f"{timings[name].median_ms:.1f}", path))

    rows.append(None)

    # ---------------- e. The added cost of a price ----------------
    from fees.models import DemarcheFee
    from fees.services import quote_for

    stall_page = demarches[STALL_SLUG]
    log(f"\n== (e) {stall_page.title}, with and without its price: {rounds} rounds ==")
    priced = Demarche("(e) Marché de Noël, with its price", stall_page, amelie, stall_answers)
    unpriced = Demarche("(e) the same, without a price", stall_page, amelie, stall_answers)
    client = priced.client()
    priced.submit(client, record=False)  # warm-up
    for _ in range(rounds):
        held = priced.submit(client, record=True)
    if held.status != "awaiting_payment" or not held.payments.exists():
        raise BenchError(f"{held.reference} was not held for its payment")
    answers = held.data
    quote_queries = count_queries(lambda: quote_for(stall_page, answers))
    quote_ms, quote = median_ms(lambda: quote_for(stall_page, answers), rounds)
    DemarcheFee.objects.filter(page=stall_page).delete()
    unpriced.submit(client, record=False)
    for _ in range(rounds):
        free = unpriced.submit(client, record=True)
    if free.status == "awaiting_payment":
        raise BenchError(f"{free.reference} waits for a payment without a price")
    for demarche in (priced, unpriced):
        rows.append((demarche.label, "", "", ""))
        for timing in (demarche.timings[0], demarche.timings[-1], demarche.total):
            rows.append((f"  {timing.label}", timing.query_text, f"{timing.median_ms:.1f}", ""))
    recap_priced, recap_free = priced.timings[-1], unpriced.timings[-1]
    rows.append(
        (
            "  added by the price to the sending",
            max(recap_priced.queries) - max(recap_free.queries),
            f"{recap_priced.median_ms - recap_free.median_ms:.1f}",
            "the invoice issued, the request held",
        )
    )
    rows.append(
        (
            "  quote_for (the price alone)",
            quote_queries,
            f"{quote_ms:.2f}",
            f"{quote.total} € in {len(quote.lines)} lines",
        )
    )

    log(
        f"\n== Summary: {rounds} rounds, median ms in-process (test client, whole middleware), "
        f"tasks '{args.tasks}', database connections kept {args.conn_max_age} s =="
    )
    log(
        "SQL queries as CaptureQueriesContext counts them (BEGIN and COMMIT included); "
        "POSTs timed without following their redirect.\n"
        "Anti-robot check of (b) replaced by an optional empty field in this process: "
        "its cost is not counted."
    )
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
