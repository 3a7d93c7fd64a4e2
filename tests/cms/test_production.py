"""The production settings, read from the environment as on a server."""

import importlib
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import boto3
import pytest
from django.core.files.base import ContentFile
from django.utils.module_loading import import_string
from moto import mock_aws

ROOT = Path(__file__).resolve().parents[2]
ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "cms.settings.production",
    "DJANGO_SECRET_KEY": "kZ3u8Vq0-not-a-real-secret-but-long-enough-for-the-check-x9Pw2",
    "DJANGO_ALLOWED_HOSTS": "portail.example.org",
    "DATABASE_URL": "postgres://portal:secret@db.example.org:5432/portal",
    "REDIS_URL": "redis://cache.example.org:6379/0",
    "AWS_STORAGE_BUCKET_NAME": "portal-documents",
    "AWS_S3_REGION_NAME": "eu-west-3",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
}


def test_production_settings_pass_the_deployment_checks():
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**environment, **ENVIRONMENT},
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.fixture
def production(monkeypatch):
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    sys.modules.pop("cms.settings.production", None)
    yield importlib.import_module("cms.settings.production")
    sys.modules.pop("cms.settings.production", None)


def test_production_uses_postgresql_redis_and_the_database_task_queue(production):
    assert production.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert production.DATABASES["default"]["CONN_MAX_AGE"] > 0
    assert production.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    assert production.CACHES["default"]["BACKEND"].endswith("RedisCache")
    assert production.SESSION_ENGINE == "django.contrib.sessions.backends.cache"
    assert production.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"


def storage_of(production, alias):
    config = production.STORAGES[alias]
    return import_string(config["BACKEND"])(**config["OPTIONS"])


@mock_aws
def test_attachments_in_object_storage_are_private(production):
    s3 = boto3.client("s3", region_name="eu-west-3")
    s3.create_bucket(
        Bucket="portal-documents",
        CreateBucketConfiguration={"LocationConstraint": "eu-west-3"},
    )
    storage = storage_of(production, "private")

    name = storage.save("submissions/CAR-2026-000001/livret.pdf", ContentFile(b"%PDF-1.4"))

    key = f"private/{name}"
    grants = s3.get_object_acl(Bucket="portal-documents", Key=key)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]
    assert all(grant["Grantee"]["Type"] == "CanonicalUser" for grant in grants)
    assert "Signature" not in storage.url(name)
    with storage.open(name, "rb") as stored:
        assert stored.read() == b"%PDF-1.4"


@mock_aws
def test_a_second_file_of_the_same_name_never_replaces_the_first(production):
    boto3.client("s3", region_name="eu-west-3").create_bucket(
        Bucket="portal-documents",
        CreateBucketConfiguration={"LocationConstraint": "eu-west-3"},
    )
    storage = storage_of(production, "private")

    first = storage.save("submissions/a.pdf", ContentFile(b"first"))
    second = storage.save("submissions/a.pdf", ContentFile(b"second"))

    assert first != second
    assert storage.open(first).read() == b"first"


@pytest.mark.parametrize(
    "endpoint", ["", "https://s3.fr-par.scw.cloud"], ids=["amazon-s3", "other-provider"]
)
def test_the_policy_lets_pages_show_images_signed_by_the_object_storage(
    production, monkeypatch, endpoint
):
    monkeypatch.setenv("AWS_S3_ENDPOINT_URL", endpoint)
    sys.modules.pop("cms.settings.production", None)
    production = importlib.import_module("cms.settings.production")
    storage = storage_of(production, "default")

    url = urlsplit(storage.url("images/mairie.original.jpg"))

    assert "X-Amz-Signature=" in url.query
    img_src = production.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"]
    assert f"{url.scheme}://{url.netloc}" in img_src
    assert "'unsafe-inline'" not in production.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"]
