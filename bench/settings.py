"""Settings for the benchmarks in bench/ only: the dev settings plus a trivial view.

Every path comes from the environment that bench/pages.py sets up (a throwaway
SQLite database, cache, media and static directories), so the developer's
db.sqlite3 and var/ are never touched.
"""

import os

from cms.settings.dev import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# Production-like request handling: no DEBUG query log, no template debug
# info, WhiteNoise serving the collected files without re-scanning them.
DEBUG = os.environ.get("BENCH_DEBUG", "0") == "1"
ALLOWED_HOSTS = ["localhost", ".localhost", "127.0.0.1"]

# An extra static directory holding the same-size file served by WhiteNoise.
if os.environ.get("BENCH_STATIC_DIR"):
    STATICFILES_DIRS = [*STATICFILES_DIRS, os.environ["BENCH_STATIC_DIR"]]  # noqa: F405

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "ERROR"},
}

# bench/pages.py --cache redis: the cache on a throwaway redis-server, as in
# production (cms/settings/production.py reads REDIS_URL); sessions stay in
# the database, as in the dev settings.
if os.environ.get("BENCH_REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["BENCH_REDIS_URL"],
            "TIMEOUT": 600,
        }
    }
