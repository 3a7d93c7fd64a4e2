"""Settings for the test suite: fast hashing, in-memory cache and e-mail."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403

SECRET_KEY = "test-secret-key"  # noqa: S105 (tests only)
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="portal-test-media-"))
PRIVATE_ROOT = MEDIA_ROOT / "private"
STORAGES["private"]["OPTIONS"]["location"] = PRIVATE_ROOT
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory: tests of concurrent requests need several connections.
    DATABASES["default"]["TEST"] = {"NAME": str(MEDIA_ROOT.parent / f"{MEDIA_ROOT.name}.sqlite3")}
