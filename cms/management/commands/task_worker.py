"""The task worker of a deployment: Django-tasks' database worker, made to
survive what happens to long-running processes.

- A task that was running when the worker was killed (a crash, an OOM kill, a
  host reboot) would stay "running" for ever. The worker has a stable id (the
  host name unless ``--worker-id`` says otherwise, one worker per id) and, when
  it starts, puts back in the queue the tasks that its previous run claimed and
  never finished: each runs again, once.
- A task that failed because a server could not be reached (the mail server
  is down: connection refused, dropped, timed out) runs again later, after
  ``RETRY_DELAYS``; such a failure happens before the server accepted
  anything, so an e-mail is never sent twice. Other failures are final.
- When the database goes away (a restart, a failover), the worker waits and
  carries on instead of exiting.
- It schedules the daily jobs (``cms.scheduling``) when it starts and after
  each task: each job runs once a day, however many workers there are.
"""

import logging
import smtplib
import socket
import time
from datetime import timedelta

from django.db import InterfaceError, OperationalError, close_old_connections
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from cms.scheduling import schedule_daily_jobs

logger = logging.getLogger("django_tasks_db")

# Seconds before each new run of a task that could not reach a server: about
# a day in all, then its failure is final.
RETRY_DELAYS = [10, 30, 60, 120, 300, 600, 1800, 3600, *[7200] * 11]
TRANSIENT_ERRORS = (
    ConnectionError,
    TimeoutError,
    smtplib.SMTPConnectError,
    smtplib.SMTPServerDisconnected,
)


def is_transient(exception_class_path: str) -> bool:
    try:
        error_class = import_string(exception_class_path)
    except ImportError:
        return False
    return isinstance(error_class, type) and issubclass(error_class, TRANSIENT_ERRORS)


def requeue_unfinished(*, worker_id: str, backend_name: str) -> int:
    """Put back in the queue the tasks last claimed by ``worker_id`` and still
    marked as running; returns how many."""
    running = DBTaskResult.objects.running().filter(backend_name=backend_name)
    claims = running.values_list("pk", "worker_ids")
    orphans = [pk for pk, worker_ids in claims if worker_ids[-1:] == [worker_id]]
    if orphans:
        DBTaskResult.objects.filter(pk__in=orphans, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.READY, started_at=None
        )
        logger.warning("Requeued %d task(s) left running by worker_id=%s", len(orphans), worker_id)
    return len(orphans)


class Worker(db_worker.Worker):
    def run_task(self, db_task_result: DBTaskResult) -> None:
        super().run_task(db_task_result)
        self.retry_if_transient(db_task_result)
        schedule_daily_jobs()

    def retry_if_transient(self, db_task_result: DBTaskResult) -> None:
        attempts = len(db_task_result.worker_ids)
        if (
            db_task_result.status == TaskResultStatus.FAILED
            and is_transient(db_task_result.exception_class_path)
            and attempts <= len(RETRY_DELAYS)
        ):
            delay = RETRY_DELAYS[attempts - 1]
            DBTaskResult.objects.filter(
                pk=db_task_result.pk, status=TaskResultStatus.FAILED
            ).update(
                status=TaskResultStatus.READY,
                run_after=timezone.now() + timedelta(seconds=delay),
                finished_at=None,
            )
            logger.warning(
                "Task id=%s could not reach a server (%s); attempt %d in %d s",
                db_task_result.pk,
                db_task_result.exception_class_path,
                attempts + 1,
                delay,
            )


class Command(db_worker.Command):
    help = (
        "Run the database task worker; requeues the tasks its previous run left "
        "unfinished and waits out database outages."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(worker_id=socket.gethostname()[:64], reload=False)
        parser.add_argument(
            "--retry-delay",
            type=float,
            default=2.0,
            help="Seconds to wait before trying again when the database is unreachable.",
        )

    def handle(self, *, verbosity, worker_id, backend_name, retry_delay, **options):
        self.configure_logging(verbosity)
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        worker = Worker(
            queue_names=queue_names,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=backend_name,
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=worker_id,
            excluded_queue_names=excluded,
        )
        worker.configure_signals()
        try:
            self.run(worker, backend_name=backend_name, retry_delay=retry_delay)
        finally:
            worker.reset_signals()

    def run(self, worker: Worker, *, backend_name: str, retry_delay: float) -> None:
        while True:
            try:
                requeue_unfinished(worker_id=worker.worker_id, backend_name=backend_name)
                schedule_daily_jobs()
                worker.run()
                return
            except (OperationalError, InterfaceError) as error:
                if not worker.running:
                    return
                logger.warning("Database unavailable (%s); retrying in %.0f s", error, retry_delay)
                worker.running_task = False
                time.sleep(retry_delay)
                close_old_connections()
