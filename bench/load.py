"""Load test of the local production stack with Locust, headless and bounded
in time: citizens of Carvin read the FAQ, log in, send a school enrolment with
two PDF documents and pay two invoices at a time at the local test bank.

Run from the repository root, the stack started (``deploy/stack.sh up``):

    .venv/bin/python bench/load.py                  # 50 citizens, 2 minutes
    .venv/bin/python bench/load.py --users 20 --run-time 60

It prepares one validated account per simulated citizen (``load.citizen.N``
in Carvin, a child in the household) and fresh invoices to pay, runs Locust,
waits for the task worker to finish, then prints: requests and server errors,
p95 of pages and of submissions (the démarche's POSTs, the payment's), and
the rows in PostgreSQL against the acknowledged requests. Targets (PASS/FAIL,
not asserted): no 5xx, p95 < 800 ms for pages and < 1.5 s for submissions, no
lost submission or payment.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stack import REPO, STACK, host_header, setup_django

PASSWORD = "load-citizen-password"  # noqa: S105 (accounts of the local stack only)
INVOICES_PER_CITIZEN = 40


def prepare(users: int, run_tag: str) -> dict:
    """Accounts, invoices and the démarche's answers for the simulated citizens."""
    from django.utils import timezone
    from wagtail.models import Site

    from accounts.models import AccountStatus, User
    from accounts.services import MemberData, account_register
    from bench.services import first_choice
    from demo.services import demo_pdf
    from demo.submissions import BOTH_PARENTS
    from payments.models import Invoice, Regie
    from services.models import ServicePage

    site = Site.objects.get(hostname="carvin.localhost")
    page = ServicePage.objects.live().descendant_of(site.root_page).get(slug="inscription-scolaire")
    regie = Regie.objects.get(site=site, name="Ville")
    template = Invoice.objects.filter(regie=regie).exclude(account=None).first()
    citizens = []
    for number in range(users):
        username = f"load.citizen.{number}"
        user = User.objects.filter(site=site, username=username).first()
        if user is None:
            user = account_register(
                site=site,
                first_name="Citoyen",
                last_name=f"Charge{number}",
                birth_date=date(1985, 5, 1),
                email=f"load.citizen.{number}@example.org",
                phone="06 12 34 56 78",
                address_line="1 place de la Mairie",
                postcode="62220",
                city="Carvin",
                contact_preference="email",
                password=PASSWORD,
                members=[MemberData("Léa", f"Charge{number}", date(2020, 3, 1), "child")],
            )
            User.objects.filter(pk=user.pk).update(
                status=AccountStatus.VALIDATED, username=username
            )
            user.refresh_from_db()
        child = user.household_members.get(first_name="Léa")
        invoices = Invoice.objects.bulk_create(
            Invoice(
                site=site,
                regie=regie,
                account=user,
                payer_name=user.get_full_name(),
                domain=template.domain,
                number=f"L{run_tag}-{number:03d}-{index:02d}",
                label="Restauration scolaire",
                amount="12.50",
                issued_on=timezone.localdate() - timedelta(days=10),
                due_on=timezone.localdate() + timedelta(days=20),
                payment_key=f"L{run_tag}{number:03d}{index:02d}",
            )
            for index in range(INVOICES_PER_CITIZEN)
        )
        citizens.append(
            {
                "username": username,
                "password": PASSWORD,
                "pk": user.pk,
                "child": child.pk,
                "invoices": [invoice.pk for invoice in invoices],
            }
        )
    steps = [
        {
            "nom": "Charge",
            "prenom": "Léa",
            "date_naissance": "2020-03-01",
            "niveau": "CP",
            "deja_scolarise": "no",
        },
        {"ecole": first_choice(page, "ecole"), "derogation": "no"},
        {
            "autorite_parentale": BOTH_PARENTS,
            "autre_parent": "Paul Charge",
            "telephone": "06 12 34 56 78",
        },
        {"livret_famille__by_post": "on", "certification": "on"},
    ]
    return {
        "citizens": citizens,
        "school": {"url": page.relative_url(site), "page": page.pk, "steps": steps},
        "pdf": demo_pdf("Justificatif", ["Load test"]).decode("latin-1"),
    }


@dataclass
class Events:
    requests: list[dict] = field(default_factory=list)
    acks: list[dict] = field(default_factory=list)

    @classmethod
    def read(cls, path: Path) -> "Events":
        events = cls()
        for line in path.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            (events.acks if entry["kind"] == "ack" else events.requests).append(entry)
        return events

    def of_kind(self, kind: str) -> list[dict]:
        return [e for e in self.requests if e["kind"] == kind]

    def server_errors(self) -> list[dict]:
        return [e for e in self.requests if e["status"] >= 500 or e["status"] == 0]

    def acknowledged(self, what: str) -> list[dict]:
        return [a for a in self.acks if a["what"] == what]


def p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[94]


def run_locust(
    *, users: int, run_time: int, citizens: Path, events: Path, environment: dict, think: str
):
    """Start Locust headless in the background; returns the process."""
    env = {
        **os.environ,
        "LOAD_THINK": think,
        "LOAD_CITIZENS": str(citizens),
        "LOAD_EVENTS": str(events),
        "LOAD_HOST_HEADER": host_header(environment),
    }
    return subprocess.Popen(  # noqa: S603 (our own command line)
        [
            str(REPO / ".venv" / "bin" / "locust"),
            "-f",
            str(REPO / "bench" / "locustfile.py"),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(max(1, users // 10)),
            "--run-time",
            f"{run_time}s",
            "--stop-timeout",
            "30",
            "--host",
            f"https://127.0.0.1:{environment['PORT']}",
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=open(events.with_suffix(".log"), "w"),
    )


def wait_for_tasks(timeout: float = 300) -> int:
    """Wait until the worker has run every task that is due; returns how many remain."""
    from django_tasks_db.models import DBTaskResult

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        remaining = DBTaskResult.objects.ready().count() + DBTaskResult.objects.running().count()
        if not remaining:
            return 0
        time.sleep(1)
    return remaining


@dataclass
class RowCheck:
    submissions_acknowledged: int
    submissions_in_database: int
    submissions_incomplete: int
    payments_acknowledged: int
    payments_in_database: int
    payments_half_written: int

    @property
    def lost(self) -> int:
        return max(0, self.submissions_acknowledged - self.submissions_in_database) + max(
            0, self.payments_acknowledged - self.payments_in_database
        )


def count_rows(prepared: dict, events: Events, since) -> RowCheck:
    """The rows written since ``since`` by the simulated citizens, against
    what Locust was told had succeeded."""
    from django.db.models import Count, Q

    from payments.models import InvoiceStatus, Transaction, TransactionStatus
    from services.models import Submission, SubmissionStatus

    accounts = [c["pk"] for c in prepared["citizens"]]
    sent = (
        Submission.objects.filter(account__in=accounts, page_id=prepared["school"]["page"])
        .filter(submitted_at__gte=since)
        .exclude(status=SubmissionStatus.DRAFT)
        .annotate(documents=Count("attachments"))
    )
    paid = Transaction.objects.filter(
        account__in=accounts, created_at__gte=since, status=TransactionStatus.PAID
    ).annotate(
        lines_count=Count("lines", distinct=True),
        unpaid=Count(
            "lines", filter=~Q(lines__invoice__status=InvoiceStatus.PAID_ONLINE), distinct=True
        ),
    )
    return RowCheck(
        submissions_acknowledged=len(events.acknowledged("submission")),
        submissions_in_database=sent.count(),
        submissions_incomplete=sent.exclude(documents=2).count(),
        payments_acknowledged=len(events.acknowledged("payment")),
        payments_in_database=paid.count(),
        payments_half_written=paid.filter(Q(lines_count=0) | Q(unpaid__gt=0)).count(),
    )


def report(events: Events, rows: RowCheck, *, page_target=800, submit_target=1500) -> bool:
    pages = [e["ms"] for e in events.of_kind("page")]
    submits = [e["ms"] for e in events.of_kind("submit")]
    errors = events.server_errors()
    client_errors = [e for e in events.requests if 400 <= e["status"] < 500]
    checks = [
        ("server errors (5xx or no answer)", len(errors), len(errors) == 0),
        ("p95 of pages (ms)", round(p95(pages)), p95(pages) < page_target),
        ("p95 of submissions (ms)", round(p95(submits)), p95(submits) < submit_target),
        ("lost submissions or payments", rows.lost, rows.lost == 0),
        (
            "submissions without their 2 documents",
            rows.submissions_incomplete,
            rows.submissions_incomplete == 0,
        ),
        ("payments half-written", rows.payments_half_written, rows.payments_half_written == 0),
    ]
    print(
        f"requests: {len(events.requests)} ({len(pages)} pages, {len(submits)} submissions), "
        f"4xx: {len(client_errors)}"
    )
    print(
        f"median of pages {statistics.median(pages or [0]):.0f} ms, "
        f"of submissions {statistics.median(submits or [0]):.0f} ms"
    )
    print(
        f"submissions: {rows.submissions_acknowledged} acknowledged, "
        f"{rows.submissions_in_database} rows"
    )
    print(
        f"payments: {rows.payments_acknowledged} acknowledged, "
        f"{rows.payments_in_database} rows paid"
    )
    if events.requests:
        span = max(e["at"] for e in events.requests) - min(e["at"] for e in events.requests)
        print(f"throughput: {len(events.requests) / max(span, 1):.1f} requests/s")
    print(f"  {'request':<28} {'kind':<7} {'count':>6} {'median':>7} {'p95':>7}")
    by_request: dict[tuple[str, str], list[float]] = {}
    for entry in events.requests:
        by_request.setdefault((entry["name"], entry["kind"]), []).append(entry["ms"])
    for (name, kind), times in sorted(by_request.items(), key=lambda item: -p95(item[1])):
        print(
            f"  {name[:28]:<28} {kind:<7} {len(times):>6} "
            f"{statistics.median(times):>7.0f} {p95(times):>7.0f}"
        )
    for label, value, ok in checks:
        print(f"  {label:<40} {value:>7}   {'PASS' if ok else 'FAIL'}")
    if errors:
        by_name = {}
        for error in errors:
            by_name.setdefault((error["name"], error["status"], error["error"][:80]), 0)
            by_name[(error["name"], error["status"], error["error"][:80])] += 1
        for (name, status, message), count in sorted(by_name.items(), key=lambda i: -i[1])[:10]:
            print(f"    {count:>4} × {status} {name} {message}")
    return all(ok for _, _, ok in checks)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--run-time", type=int, default=120, help="seconds (default 120)")
    parser.add_argument(
        "--think",
        default="1-3",
        help="seconds a citizen spends on a page before the next, as MIN-MAX "
        '(default 1-3); "0" sends each page as soon as the previous one answered',
    )
    options = parser.parse_args()

    environment = setup_django()
    from django.utils import timezone

    run_dir = STACK / "load" / timezone.now().strftime("%Y%m%d-%H%M%S")
    run_dir.mkdir(parents=True)
    print(f"Preparing {options.users} citizens…", flush=True)
    prepared = prepare(options.users, run_dir.name[-6:])
    citizens = run_dir / "citizens.json"
    citizens.write_text(json.dumps(prepared), encoding="utf-8")
    events_file = run_dir / "events.jsonl"
    events_file.touch()

    since = timezone.now()
    print(f"Locust: {options.users} citizens for {options.run_time} s…", flush=True)
    locust = run_locust(
        users=options.users,
        run_time=options.run_time,
        citizens=citizens,
        events=events_file,
        environment=environment,
        think=options.think,
    )
    locust.wait()
    remaining = wait_for_tasks()
    events = Events.read(events_file)
    rows = count_rows(prepared, events, since)
    print(
        f"\nLoad: {options.users} citizens, {options.run_time} s, {options.think} s on each page "
        f"(events in {run_dir})"
    )
    report(events, rows)
    print(f"tasks left in the queue: {remaining}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
