"""Background work of payments, through Django's task API (django-tasks)."""

import logging
from urllib.parse import urlsplit, urlunsplit

import requests
from django_tasks import task

logger = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"


@task()
def send_payment_receipt(*, transaction_id: int) -> None:
    """E-mail the receipt (PDF attached) of a paid transaction, once."""
    from .receipts import receipt_email_send

    receipt_email_send(transaction_id=transaction_id)


@task()
def reconcile_transactions(*, min_age_minutes: int = 15) -> dict:
    """Ask the banks about transactions still waiting for their answer; run
    it every few minutes (see ``manage.py payments_reconcile``)."""
    from datetime import timedelta

    from .services import transactions_reconcile

    report = transactions_reconcile(min_age=timedelta(minutes=min_age_minutes))
    return {status: len(orders) for status, orders in report.items()}


@task()
def testbank_notify(*, url: str, fields: dict) -> None:
    """The local test bank's server-to-server notification, posted like a
    bank's. ``*.localhost`` names are loopback (RFC 6761) even where the
    system resolver does not know them, so they are sent to 127.0.0.1."""
    parts = urlsplit(url)
    target, headers = url, {}
    if parts.hostname and (parts.hostname == "localhost" or parts.hostname.endswith(".localhost")):
        netloc = LOOPBACK + (f":{parts.port}" if parts.port else "")
        target = urlunsplit(parts._replace(netloc=netloc))
        headers["Host"] = parts.netloc
    try:
        response = requests.post(target, data=fields, headers=headers, timeout=10)
        response.raise_for_status()
    except requests.RequestException as error:
        logger.warning("The test bank could not notify %s: %s", url, error)
