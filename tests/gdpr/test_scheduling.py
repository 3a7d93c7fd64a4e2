"""The retention task runs once a day, however many task workers there are."""

import threading
import time
from datetime import datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult, get_date_max

from cms.management.commands import task_worker
from cms.models import AuditLogEntry, ScheduledRun
from cms.scheduling import schedule_daily_jobs
from services.retention import RETENTION_ACTION
from tests.gdpr.conftest import PARIS, at

RETENTION_TASK = "services.tasks.apply_retention"
MORNING = datetime(2026, 3, 10, 9, 30, tzinfo=PARIS)


@pytest.fixture
def database_tasks(db, settings, monkeypatch):
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    monkeypatch.setattr(task_worker, "close_old_connections", lambda: None)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def retention_tasks():
    return DBTaskResult.objects.filter(task_path=RETENTION_TASK).order_by("run_after", "pk")


def run_worker(worker_id="worker-1"):
    call_command(
        "task_worker", batch=True, worker_id=worker_id, startup_delay=False, interval=0, verbosity=0
    )


def test_two_workers_enqueue_one_run_for_today_and_one_for_tomorrow(database_tasks):
    with at(MORNING):
        first = schedule_daily_jobs()
        second = schedule_daily_jobs()

    assert [run.job for run in first].count("retention") == 2 and second == []
    tomorrow, today = retention_tasks()
    assert today.run_after == get_date_max()  # as soon as possible
    assert tomorrow.run_after == datetime(2026, 3, 11, 3, 0, tzinfo=PARIS)
    retention_runs = ScheduledRun.objects.filter(job="retention")
    assert set(retention_runs.values_list("day", flat=True)) == {
        MORNING.date(),
        MORNING.date() + timedelta(days=1),
    }


@pytest.mark.django_db(transaction=True)
def test_workers_scheduling_at_the_same_moment_enqueue_once(settings, carvin):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    barrier = threading.Barrier(3)

    def worker():
        try:
            barrier.wait()
            with at(MORNING):
                for _attempt in range(5):
                    try:
                        schedule_daily_jobs()
                        return
                    except OperationalError:  # SQLite: "database is locked", try again
                        time.sleep(0.05)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert retention_tasks().count() == 2
    assert ScheduledRun.objects.filter(job="retention", day=MORNING.date()).count() == 1


def test_the_worker_runs_the_retention_once_a_day_in_every_commune(
    database_tasks, carvin, saint_andre
):
    with at(MORNING):
        run_worker("worker-1")
        run_worker("worker-2")
    with at(MORNING + timedelta(hours=5)):
        run_worker("worker-1")

    assert AuditLogEntry.objects.filter(action=RETENTION_ACTION).count() == 2
    done = retention_tasks().filter(status=TaskResultStatus.SUCCESSFUL)
    assert done.count() == 1

    with at(datetime(2026, 3, 11, 3, 5, tzinfo=PARIS)):
        run_worker("worker-2")

    assert AuditLogEntry.objects.filter(action=RETENTION_ACTION).count() == 4
    assert retention_tasks().filter(status=TaskResultStatus.SUCCESSFUL).count() == 2
    # The run of the next day is planned already.
    assert ScheduledRun.objects.filter(day=datetime(2026, 3, 12).date()).exists()


def test_a_worker_started_before_the_hour_waits_for_it(database_tasks, carvin):
    with at(datetime(2026, 3, 10, 1, 0, tzinfo=PARIS)):
        run_worker()

    assert not AuditLogEntry.objects.filter(action=RETENTION_ACTION).exists()
    first = retention_tasks().first()
    assert first.run_after == datetime(2026, 3, 10, 3, 0, tzinfo=PARIS)
