from datetime import timedelta

from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult


def test_health_endpoint_checks_every_backing_service(client, db):
    response = client.get("/healthz/")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok",
        "cache": "ok",
        "storage": "ok",
        "tasks": "ok",
    }
    assert "no-cache" in response["Cache-Control"]


def test_health_endpoint_fails_when_storage_cannot_be_written(client, db, settings, tmp_path):
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": blocked},
        },
    }

    response = client.get("/healthz/")

    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["status"].startswith("error")
    assert response.json()["checks"]["database"]["status"] == "ok"


def test_health_endpoint_fails_when_no_worker_takes_the_tasks(client, db, settings):
    settings.HEALTH_TASK_MAX_WAIT = 60
    task = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="cms.tasks.send_email",
        backend_name="default",
        status=TaskResultStatus.READY,
        run_after=timezone.now() - timedelta(minutes=5),
    )
    DBTaskResult.objects.filter(pk=task.pk).update(
        enqueued_at=timezone.now() - timedelta(minutes=5)
    )

    response = client.get("/healthz/")

    assert response.status_code == 503
    assert "waited" in response.json()["checks"]["tasks"]["status"]


def test_health_endpoint_ignores_tasks_deferred_to_later(client, db, settings):
    settings.HEALTH_TASK_MAX_WAIT = 60
    DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="cms.tasks.send_email",
        backend_name="default",
        status=TaskResultStatus.READY,
        run_after=timezone.now() + timedelta(minutes=5),
    )

    assert client.get("/healthz/").status_code == 200
