"""Structured logs: one JSON object a line; ordinary bad requests as
warnings."""

import json
import logging
from datetime import UTC, datetime

# Attributes every LogRecord has; anything else was passed through ``extra``.
RESERVED = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "method"):
            entry["method"] = request.method
            entry["path"] = request.path
        for key, value in vars(record).items():
            if key not in RESERVED and key != "request" and key not in entry:
                entry[key] = value if isinstance(value, int | float | bool | None) else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class OrdinaryBadRequests(logging.Filter):
    """A 400 (a NUL byte in an address, an unknown step, a host not served)
    is what scanners and broken clients cause every day: Django logs the
    ``SuspiciousOperation`` behind it as an error with its traceback, which
    would flood alerting. Log it as a warning, its message alone."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 400 and record.name.startswith(
            ("django.security", "django.request")
        ):
            if record.levelno > logging.WARNING:
                record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info = record.exc_text = None
        return True
