"""The same notification a hundred times at once, as banks retry, on the
portal served as in production (gunicorn, two processes of sixteen threads,
the test database: a copy of it on SQLite, the database itself on
PostgreSQL): one payment, one receipt e-mail."""

import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection

from payments.backends.testbank import signed_fields
from payments.models import LocalBankOperation, TransactionStatus
from payments.services import PaymentURLs, cart_add_invoice, cart_get_or_create
from payments.services import transaction_start_from_cart as start

from .factories import invoice

BASE_DIR = Path(__file__).resolve().parents[2]
NOTIFICATIONS = 100


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(port: int, process, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the server stopped")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError("the server did not start")


@pytest.fixture
def paid_at_the_bank(transactional_db, carvin, ville, amelie):
    """A transaction the test bank has paid, whose notification is still to come."""
    bill = invoice(ville, amelie, number="CAR-V-0042", amount="38.35")
    cart = cart_get_or_create(site=carvin, account=amelie)
    cart_add_invoice(cart=cart, invoice=bill)
    transaction, _bank = start(cart=cart, urls=PaymentURLs(base_url="http://carvin.localhost"))
    operation = LocalBankOperation.objects.get()
    LocalBankOperation.objects.filter(pk=operation.pk).update(status=TransactionStatus.PAID)
    operation.refresh_from_db()
    return transaction, signed_fields(operation)


def served_database(tmp_path) -> tuple[str, object]:
    """The URL gunicorn uses, and a function that runs a query on that
    database (SQL with ``?`` placeholders)."""
    if connection.vendor == "sqlite":
        database = tmp_path / "portal.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(database) as copy:
            connection.connection.backup(copy)

        def query(sql, params=()):
            with sqlite3.connect(database) as db:
                return db.execute(sql, params).fetchall()

        return f"sqlite:///{database}", query

    # Other databases: the test database itself, whose rows the test committed.
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"

    def query(sql, params=()):
        with connection.cursor() as cursor:
            cursor.execute(sql.replace("?", "%s"), params)
            return cursor.fetchall()

    return url, query


@pytest.fixture
def served_portal(paid_at_the_bank, tmp_path):
    """The test database served by gunicorn."""
    database_url, query = served_database(tmp_path)
    port = free_port()
    log = tmp_path / "server.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DATABASE_URL": database_url,
        "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "CACHE_DIR": str(tmp_path / "cache"),
    }
    command = [sys.executable, "-m", "gunicorn", "cms.wsgi", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", "2", "--threads", "16", "--timeout", "120"]
    with open(log, "w") as output:
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            command,
            cwd=BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(port, process)
        yield port, query, log
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_100_concurrent_identical_notifications_pay_once_and_send_one_email(
    paid_at_the_bank, served_portal, ville
):
    transaction, fields = paid_at_the_bank
    port, query, log = served_portal
    url = f"http://127.0.0.1:{port}/paiement/notification/{ville.public_id}/"
    start_together = threading.Barrier(NOTIFICATIONS)

    def notify(_):
        start_together.wait()
        response = requests.post(
            url, data=fields, headers={"Host": "carvin.localhost"}, timeout=120
        )
        return response.status_code

    with ThreadPoolExecutor(max_workers=NOTIFICATIONS) as pool:
        statuses = Counter(pool.map(notify, range(NOTIFICATIONS)))

    ((status,),) = query("SELECT status FROM payments_transaction WHERE id = ?", [transaction.pk])
    invoice_status = query("SELECT status FROM payments_invoice")
    outcomes = Counter(
        dict(
            query(
                "SELECT outcome, COUNT(*) FROM payments_transactionevent "
                "WHERE source = 'notification' GROUP BY outcome"
            )
        )
    )
    ((credited,),) = query("SELECT COUNT(*) FROM payments_transactionline WHERE credited")
    emails = log.read_text(errors="replace").count("\nSubject: ")

    assert statuses == {200: NOTIFICATIONS}
    assert status == TransactionStatus.PAID
    assert invoice_status == [("paid_online",)]
    assert credited == 1
    assert outcomes == {"applied": 1, "duplicate": NOTIFICATIONS - 1}
    assert emails == 1
