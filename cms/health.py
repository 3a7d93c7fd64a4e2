"""Health endpoint for load balancers and monitoring: ``/healthz/``.

Checks each backing service the app servers depend on and answers 200 when
all are usable, 503 otherwise, with one line per check. It never touches
sessions or the page cache and says nothing about the data.
"""

import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django_tasks_db.models import DBTaskResult, get_date_max

from cms import antivirus
from cms.decorators import reachable_in_preparation

PROBE_PREFIX = "healthz/"


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def check_cache() -> str:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("the cache did not return what was stored")
    cache.delete(key)
    return "ok"


def check_storage() -> str:
    """Write, read back and delete a small object in the private storage."""
    storage = storages["private"]
    name = storage.save(f"{PROBE_PREFIX}{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    try:
        with storage.open(name, "rb") as probe:
            if probe.read() != b"ok":
                raise RuntimeError("the storage did not return what was stored")
    finally:
        storage.delete(name)
    return "ok"


def check_tasks() -> str:
    """The queue is reachable and a worker takes its tasks: the oldest task
    waiting to run has waited less than ``HEALTH_TASK_MAX_WAIT`` seconds."""
    oldest = DBTaskResult.objects.ready().order_by("enqueued_at").first()
    if oldest is None:
        return "ok"
    # A task not deferred has the latest possible date as its ``run_after``.
    since = oldest.enqueued_at if oldest.run_after >= get_date_max() else oldest.run_after
    waited = (timezone.now() - since).total_seconds()
    if waited > settings.HEALTH_TASK_MAX_WAIT:
        raise RuntimeError(f"a task has waited {waited:.0f} s for a worker")
    return "ok"


def check_antivirus() -> str:
    """ClamAV's daemon answers, when uploads are scanned."""
    return antivirus.ping()


CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "storage": check_storage,
    "tasks": check_tasks,
}


@reachable_in_preparation
@never_cache
def healthz(request):
    results = {}
    healthy = True
    checks = dict(CHECKS)
    if antivirus.enabled():
        checks["antivirus"] = check_antivirus
    for name, check in checks.items():
        started = time.perf_counter()
        try:
            status = check()
        except Exception as error:  # any failure is the answer
            status = f"error: {type(error).__name__}: {error}"
            healthy = False
        results[name] = {"status": status, "ms": round((time.perf_counter() - started) * 1000, 1)}
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": results},
        status=200 if healthy else 503,
    )
