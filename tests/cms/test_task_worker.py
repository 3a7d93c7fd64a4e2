import shlex
import socket
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from cms.management.commands import task_worker
from cms.tasks import send_email

WORKER = "worker-1"
BASE_DIR = Path(__file__).resolve().parents[2]
EMAIL = {
    "subject": "Votre demande",
    "body": "Bonjour",
    "html": "<p>Bonjour</p>",
    "from_email": "mairie@carvin.localhost",
    "to": ["amelie@example.org"],
}


@task()
def fails_for_good() -> None:
    raise ValueError("a bug, not an outage")


@pytest.fixture
def database_tasks(db, settings, monkeypatch):
    """The database backend; the worker keeps the test's connection (it
    closes it between tasks, as a long-running process should)."""
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    monkeypatch.setattr(task_worker, "close_old_connections", lambda: None)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_worker():
    call_command(
        "task_worker", batch=True, worker_id=WORKER, startup_delay=False, interval=0, verbosity=0
    )


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_email_the_mail_server_could_not_take_is_sent_once_it_is_back(database_tasks, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    result = send_email.enqueue(**EMAIL)

    run_worker()

    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.READY
    assert row.run_after > timezone.now()
    assert mail.outbox == []

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    DBTaskResult.objects.filter(pk=result.id).update(run_after=timezone.now())
    run_worker()

    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.worker_ids == [WORKER, WORKER]
    assert [m.subject for m in mail.outbox] == ["Votre demande"]


def test_a_task_that_fails_for_another_reason_is_not_run_again(database_tasks):
    result = fails_for_good.enqueue()

    run_worker()

    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.FAILED
    assert row.worker_ids == [WORKER]


def test_a_task_left_running_by_a_killed_worker_runs_again_once(database_tasks):
    result = send_email.enqueue(**EMAIL)
    DBTaskResult.objects.get(pk=result.id).claim(WORKER)

    run_worker()

    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.worker_ids == [WORKER, WORKER]
    assert len(mail.outbox) == 1


def test_a_task_running_in_another_worker_is_left_alone(database_tasks):
    result = send_email.enqueue(**EMAIL)
    DBTaskResult.objects.get(pk=result.id).claim("worker-2")

    run_worker()

    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.RUNNING
    assert mail.outbox == []


def worker_command(script: Path) -> list[str]:
    """The arguments of ``manage.py`` on the line of ``script`` that starts
    the task worker."""
    for line in script.read_text().splitlines():
        words = [word for word in shlex.split(line, comments=True) if word != "&"]
        if "manage.py" in words and words[words.index("manage.py") + 1].endswith("worker"):
            return words[words.index("manage.py") + 1 :]
    raise AssertionError(f"{script} starts no task worker")


def test_the_demos_worker_runs_again_a_task_it_was_killed_in(database_tasks):
    name, *arguments = worker_command(BASE_DIR / "scripts" / "demo.sh")
    worker_id = arguments[arguments.index("--worker-id") + 1]
    result = send_email.enqueue(**EMAIL)
    DBTaskResult.objects.get(pk=result.id).claim(worker_id)  # then the demo was stopped

    call_command(name, *arguments, "--batch", "--verbosity", "0")

    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("script", ["scripts/demo.sh", "deploy/Procfile", "deploy/stack.sh"])
def test_no_script_starts_a_worker_that_leaves_killed_tasks_running(script):
    text = (BASE_DIR / script).read_text()

    assert "db_worker" not in text
