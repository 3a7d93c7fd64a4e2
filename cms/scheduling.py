"""Jobs the task workers run once a day, whatever the number of workers.

An app registers a task (``register_daily_job``, from its ``AppConfig.ready``)
and the task worker (``manage.py task_worker``) calls ``schedule_daily_jobs``
when it starts and after each task it runs. That enqueues each job for today
(now, or at its hour if later) and for tomorrow at its hour, once: a
``ScheduledRun`` row per job and day, unique, is written in the same
transaction as the task, so a second worker that tries the same day fails on
the constraint and enqueues nothing. When tomorrow's run is done, the worker
schedules the day after, and so on: no cron is needed.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import ScheduledRun

logger = logging.getLogger("cms.scheduling")


@dataclass(frozen=True)
class DailyJob:
    name: str
    task_path: str
    hour: int


_daily_jobs: dict[str, DailyJob] = {}


def register_daily_job(name: str, task_path: str, *, hour: int = 3) -> None:
    """Run the django-tasks task at ``task_path`` (no arguments) every day
    at ``hour`` (local time) or as soon as a worker runs after it."""
    _daily_jobs[name] = DailyJob(name=name, task_path=task_path, hour=hour)


def daily_jobs() -> list[DailyJob]:
    return list(_daily_jobs.values())


def _at(day, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour=hour)))


def _enqueue_once(job: DailyJob, day, run_after: datetime | None) -> ScheduledRun | None:
    task = import_string(job.task_path)
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return None
        task = task.using(run_after=run_after)
    try:
        with transaction.atomic():
            run = ScheduledRun.objects.create(job=job.name, day=day)
            result = task.enqueue()
            run.task_result_id = str(result.id)
            run.save(update_fields=["task_result_id"])
    except IntegrityError:
        return None
    logger.info("Scheduled %s for %s", job.name, day)
    return run


def schedule_daily_jobs(*, now: datetime | None = None) -> list[ScheduledRun]:
    """Enqueue today's and tomorrow's run of every daily job that has none
    yet; returns the runs this call enqueued."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    tomorrow = today + timedelta(days=1)
    enqueued = []
    for job in daily_jobs():
        planned = set(
            ScheduledRun.objects.filter(job=job.name, day__in=[today, tomorrow]).values_list(
                "day", flat=True
            )
        )
        if today not in planned:
            start = _at(today, job.hour)
            enqueued.append(_enqueue_once(job, today, start if start > now else None))
        if tomorrow not in planned:
            enqueued.append(_enqueue_once(job, tomorrow, _at(tomorrow, job.hour)))
    return [run for run in enqueued if run is not None]
