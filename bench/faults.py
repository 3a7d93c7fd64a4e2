"""Faults during load on the local production stack.

Run from the repository root, the stack started (``deploy/stack.sh up``):

    .venv/bin/python bench/faults.py                 # the four, about 8 minutes
    .venv/bin/python bench/faults.py smtp worker     # some of them
    .venv/bin/python bench/faults.py --users 20 --run-time 60

Each fault happens while the Locust citizens of ``bench/load.py`` are at work
(``--users`` for ``--run-time`` seconds; the fault starts after a quarter of
it), through ``deploy/stack.sh``:

- ``smtp``: the mail server is stopped for ``--outage`` seconds. No request
  may fail; once it is back, every e-mail queued meanwhile arrives, none twice
  (the task worker runs again the tasks that could not reach it).
- ``postgres``: PostgreSQL is stopped and started again. The app servers and
  the worker carry on without a restart; no acknowledged submission or payment
  is missing and none is half-written (a request without its documents, a
  payment whose invoices are not all paid).
- ``web``: one app server is killed (SIGKILL) and stays down; nginx sends the
  traffic to the other. It is started again at the end.
- ``worker``: the task worker is killed (SIGKILL) while a task runs, and
  started again, as systemd's ``Restart=always`` would: that task runs again,
  once, and every e-mail arrives once.

Figures and PASS/FAIL are printed; the exit status is 0 when it ran.
"""

import argparse
import json
import mailbox
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import Events, count_rows, prepare, run_locust
from bench.stack import REPO, STACK, setup_django

EMAIL_TASKS = (
    "cms.tasks.send_email",
    "services.tasks.send_submission_receipt",
    "services.tasks.notify_status_change",
    "payments.tasks.send_payment_receipt",
)


def stack(*arguments: str) -> None:
    subprocess.run([str(REPO / "deploy" / "stack.sh"), *arguments], check=True, cwd=REPO)  # noqa: S603


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def wait_for_queue(timeout: float) -> int:
    """Wait until no task is waiting or running, deferred ones included (the
    e-mails the worker tries again later), but for the next runs of the daily
    jobs (``cms.scheduling``), which wait for their hour."""
    from django.utils import timezone
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from cms.scheduling import daily_jobs

    deadline = time.monotonic() + timeout
    waiting = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
    ).exclude(task_path__in=[job.task_path for job in daily_jobs()], run_after__gt=timezone.now())
    while time.monotonic() < deadline:
        if not waiting.exists():
            return 0
        time.sleep(2)
    return waiting.count()


class Mail:
    """The messages the SMTP server received, from a point on."""

    def __init__(self):
        self.box = mailbox.Maildir(STACK / "mail", create=False)
        self.before = set(self.box.keys())

    def received(self) -> list:
        return [self.box[key] for key in self.box.keys() if key not in self.before]  # noqa: SIM118


def email_check(since, mail: Mail) -> list[tuple[str, object, bool]]:
    """Every e-mail task since ``since`` succeeded; the server received one
    message per task, none twice."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    tasks = DBTaskResult.objects.filter(task_path__in=EMAIL_TASKS, enqueued_at__gte=since)
    total = tasks.count()
    succeeded = tasks.filter(status=TaskResultStatus.SUCCESSFUL).count()
    retried = sum(1 for ids in tasks.values_list("worker_ids", flat=True) if len(ids) > 1)
    messages = mail.received()
    twice = sum(n - 1 for n in Counter((m["To"], m["Subject"]) for m in messages).values() if n > 1)
    return [
        ("e-mail tasks queued", total, True),
        ("e-mail tasks run more than once", retried, True),
        ("e-mail tasks succeeded", succeeded, succeeded == total),
        ("messages received by the SMTP server", len(messages), len(messages) == total),
        ("messages received twice", twice, twice == 0),
    ]


def request_check(events: Events, *, after: float | None = None) -> list[tuple[str, object, bool]]:
    failed = events.server_errors()
    rows = [
        ("requests", len(events.requests), True),
        ("failed requests (5xx, no answer)", len(failed), None),
    ]
    if after is not None:
        late = [e for e in failed if e["at"] > after]
        rows.append(("failed requests once recovered", len(late), len(late) == 0))
    return rows


def row_check(prepared, events, since) -> list[tuple[str, object, bool]]:
    rows = count_rows(prepared, events, since)
    return [
        (
            "submissions acknowledged / rows",
            f"{rows.submissions_acknowledged} / {rows.submissions_in_database}",
            rows.submissions_acknowledged <= rows.submissions_in_database,
        ),
        (
            "payments acknowledged / rows paid",
            f"{rows.payments_acknowledged} / {rows.payments_in_database}",
            rows.payments_acknowledged <= rows.payments_in_database,
        ),
        (
            "submissions without their documents",
            rows.submissions_incomplete,
            rows.submissions_incomplete == 0,
        ),
        ("payments half-written", rows.payments_half_written, rows.payments_half_written == 0),
    ]


def pids_of(name: str) -> str:
    return (STACK / "run" / f"{name}.pid").read_text().strip()


def inject(fault: str, *, outage: float, log: dict) -> None:
    """Run in a thread while Locust runs."""
    if fault == "smtp":
        stack("stop", "smtp")
        log["fault_at"] = time.time()
        time.sleep(outage)
        stack("start", "smtp")
        log["recovered_at"] = time.time()
    elif fault == "postgres":
        stack("stop", "postgres")
        log["fault_at"] = time.time()
        time.sleep(outage)
        stack("start", "postgres")
        log["recovered_at"] = time.time()
    elif fault == "web":
        stack("kill", "web1")
        log["fault_at"] = time.time()
        log["recovered_at"] = time.time() + 1
    elif fault == "worker":
        from django_tasks_db.models import DBTaskResult

        deadline = time.monotonic() + 60
        running = None
        while running is None and time.monotonic() < deadline:
            running = DBTaskResult.objects.running().values_list("pk", "task_path").first()
            if running is None:
                time.sleep(0.02)
        stack("kill", "worker")
        log["fault_at"] = time.time()
        log["killed_task"] = running
        time.sleep(3)
        stack("start", "worker")
        log["recovered_at"] = time.time()


def run_fault(fault: str, options) -> None:
    from django.utils import timezone

    print(f"\n=== {fault}: {FAULTS[fault]}", flush=True)
    run_dir = STACK / "faults" / f"{timezone.now():%Y%m%d-%H%M%S}-{fault}"
    run_dir.mkdir(parents=True)
    prepared = prepare(options.users, run_dir.name[9:15])
    citizens = run_dir / "citizens.json"
    citizens.write_text(json.dumps(prepared), encoding="utf-8")
    events_file = run_dir / "events.jsonl"
    events_file.touch()
    # What was queued before (the demo's e-mails after `stack.sh up`, the
    # preparation's) is delivered first: the checks count this run's only.
    wait_for_queue(300)
    mail = Mail()
    app_pids = (pids_of("web1"), pids_of("web2"))
    since = timezone.now()
    locust = run_locust(
        users=options.users,
        run_time=options.run_time,
        citizens=citizens,
        events=events_file,
        environment=ENVIRONMENT,
        think=options.think,
    )
    time.sleep(options.run_time / 4)
    log = {}
    injector = threading.Thread(
        target=inject, args=(fault,), kwargs={"outage": options.outage, "log": log}
    )
    injector.start()
    injector.join()
    locust.wait()
    from django.db import connection

    connection.close()
    remaining = wait_for_queue(300)
    events = Events.read(events_file)
    recovered = log["recovered_at"] + options.grace
    checks = []
    if fault == "smtp":
        failed = events.server_errors()
        checks += [
            ("requests", len(events.requests), True),
            ("failed requests", len(failed), not failed),
        ]
        checks += email_check(since, mail)
    elif fault == "postgres":
        during = [e for e in events.server_errors() if e["at"] <= recovered]
        checks += request_check(events, after=recovered)
        checks[1] = ("failed requests during the outage", len(during), True)
        same = app_pids == (pids_of("web1"), pids_of("web2"))
        checks.append(("app servers not restarted", same, same))
        checks += row_check(prepared, events, since)
        checks += email_check(since, mail)
    elif fault == "web":
        after_kill = [e for e in events.requests if e["at"] > log["fault_at"]]
        checks += request_check(events, after=recovered)
        checks.append(("requests after the kill", len(after_kill), len(after_kill) > 0))
        checks += row_check(prepared, events, since)
        stack("start", "web1")
    elif fault == "worker":
        from django_tasks_db.models import DBTaskResult

        killed = log.get("killed_task")
        if killed is None:
            checks.append(("a task was running when the worker was killed", False, False))
        else:
            task = DBTaskResult.objects.get(pk=killed[0])
            checks.append(
                (
                    f"killed task {killed[1].rsplit('.', 1)[-1]} runs",
                    len(task.worker_ids),
                    len(task.worker_ids) == 2,
                )
            )
            checks.append(("its status", task.status, task.status == "SUCCESSFUL"))
        failed = events.server_errors()
        checks += [
            ("requests", len(events.requests), True),
            ("failed requests", len(failed), not failed),
        ]
        checks += email_check(since, mail)
    checks.append(("tasks left in the queue", remaining, remaining == 0))
    for label, value, ok in checks:
        mark = "" if ok is None else verdict(ok)
        print(f"  {label:<50} {value!s:>10}   {mark}")
    failed = Counter((e["name"], e["status"]) for e in events.server_errors())
    for (name, status), count in failed.most_common(8):
        print(f"    failed: {count} × {name} ({status or 'no answer'})")


FAULTS = {
    "smtp": "the SMTP server stopped during load",
    "postgres": "PostgreSQL restarted during load",
    "web": "one app server killed during load",
    "worker": "the task worker killed while it runs a task",
}
ENVIRONMENT: dict = {}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("faults", nargs="*", help=f"some of {', '.join(FAULTS)} (default: all)")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--run-time", type=int, default=60, help="seconds of load per fault")
    parser.add_argument(
        "--think", default="1-3", help="seconds on each page, as MIN-MAX (default 1-3), or 0"
    )
    parser.add_argument(
        "--outage", type=float, default=20, help="seconds the SMTP server or PostgreSQL stay down"
    )
    parser.add_argument(
        "--grace",
        type=float,
        default=5,
        help="seconds after a recovery before requests must succeed again",
    )
    options = parser.parse_args()
    unknown = set(options.faults) - set(FAULTS)
    if unknown:
        parser.error(f"unknown fault: {', '.join(sorted(unknown))}")
    ENVIRONMENT.update(setup_django())
    for fault in options.faults or FAULTS:
        run_fault(fault, options)
    return 0


if __name__ == "__main__":
    sys.exit(main())
