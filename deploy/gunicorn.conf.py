"""gunicorn settings of one app server (``Procfile``'s ``web``): sync workers,
each holding its own persistent database connection.

The master loads the application and warms it up (``cms.warmup``: views,
catalogues, templates) before it forks the workers, so that no citizen waits
for a new worker's first request. New code therefore needs a restart of the
server, not a reload (HUP)."""

import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
wsgi_app = "cms.wsgi:application"
preload_app = True
control_socket_disable = True


def when_ready(server):
    from cms.warmup import warm_up

    server.log.info("Warmed up: %d templates compiled", warm_up())
