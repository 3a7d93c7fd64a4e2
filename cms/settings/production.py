"""Production: every secret and address comes from the environment.

Required: ``DJANGO_SECRET_KEY``, ``DJANGO_ALLOWED_HOSTS``, ``DATABASE_URL``
(PostgreSQL) and ``REDIS_URL``. Documents and attachments go to S3-compatible
object storage when ``AWS_STORAGE_BUCKET_NAME`` is set (local files
otherwise, for a single server). E-mail goes through an API provider when
``ANYMAIL_ESP`` is set, through SMTP otherwise. ``deploy/README.md`` lists
every variable.
"""

from urllib.parse import urlsplit

import dj_database_url

from .base import *  # noqa: F403


def env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.lower() in ("1", "true", "yes", "on")


def object_storage_origins(bucket: str, endpoint_url: str | None, region: str | None) -> list[str]:
    """Where the bucket's signed URLs point, in both the path and the
    virtual-host styles: the endpoint's origin, or Amazon S3's."""
    if endpoint_url:
        endpoint = urlsplit(endpoint_url)
        return [
            f"{endpoint.scheme}://{endpoint.netloc}",
            f"{endpoint.scheme}://{bucket}.{endpoint.netloc}",
        ]
    hosts = ["s3.amazonaws.com"] + ([f"s3.{region}.amazonaws.com"] if region else [])
    return [f"https://{bucket}.{host}" for host in hosts] + [f"https://{host}" for host in hosts]


SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# PostgreSQL through psycopg 3; connections are kept between requests and
# checked before reuse, so a restarted database costs one failed check, not
# a failed request.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ["DATABASE_URL"],
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}

# Redis: the cache (anonymous pages, Wagtail) and, in a database of its own,
# the sessions.
REDIS_URL = os.environ["REDIS_URL"]
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "TIMEOUT": 600,
    },
    "sessions": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ.get("REDIS_SESSIONS_URL", REDIS_URL),
        "KEY_PREFIX": "session",
    },
}
SESSION_ENGINE = "django.contrib.sessions.backends.cache"
SESSION_CACHE_ALIAS = "sessions"

# Object storage: one private bucket. Citizens' documents and invoices are
# streamed by the views that check who asks (never a link to the bucket);
# Wagtail documents are served by Wagtail's view for the same reason; images
# are linked with signed URLs that expire.
if os.environ.get("AWS_STORAGE_BUCKET_NAME"):
    S3_OPTIONS = {
        "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
        "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
        "default_acl": "private",
        "file_overwrite": False,
        "signature_version": "s3v4",
    }
    STORAGES = {
        **STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **S3_OPTIONS,
                "location": "media",
                "querystring_auth": True,
                "querystring_expire": 3600,
            },
        },
        "private": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**S3_OPTIONS, "location": "private", "querystring_auth": False},
        },
    }
    # Signed image URLs point at the bucket: the policy lets pages show them.
    CONTENT_SECURITY_POLICY = {
        **CONTENT_SECURITY_POLICY,
        "DIRECTIVES": {
            **CONTENT_SECURITY_POLICY["DIRECTIVES"],
            "img-src": [
                *CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"],
                *object_storage_origins(
                    S3_OPTIONS["bucket_name"], S3_OPTIONS["endpoint_url"], S3_OPTIONS["region_name"]
                ),
            ],
        },
    }
WAGTAILDOCS_SERVE_METHOD = "serve_view"

# E-mail: an API provider through django-anymail (ANYMAIL_ESP names its
# backend module, e.g. "brevo", "mailgun", "amazon_ses"), or SMTP.
if os.environ.get("ANYMAIL_ESP"):
    esp = os.environ["ANYMAIL_ESP"]
    EMAIL_BACKEND = f"anymail.backends.{esp}.EmailBackend"
    ANYMAIL = {f"{esp.upper()}_API_KEY": os.environ.get("ANYMAIL_API_KEY", "")}
else:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_flag("EMAIL_USE_TLS", False)
    EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))

# Tasks: the database backend (base settings) run by ``manage.py task_worker``.

# Behind nginx: the client's address comes from its X-Forwarded-For
# (cms.proxies), trusted from these addresses only; nginx on the same machine
# by default.
TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("TRUSTED_PROXIES", "127.0.0.1,::1").split(",") if p.strip()
]

# HTTPS behind a proxy that says so in X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
PAYMENTS_TESTBANK_ENABLED = env_flag("PAYMENTS_TESTBANK_ENABLED", False)

# One JSON object a line on standard error, for the journal or a log shipper.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "cms.logging.JSONFormatter"}},
    "filters": {"bad_requests": {"()": "cms.logging.OrdinaryBadRequests"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["bad_requests"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django_tasks": {"level": "INFO"},
        "django_tasks_db": {"level": "INFO"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
