"""Payments benchmark: SQL queries and median in-process time of the
statement page, adding an invoice to the cart, and a whole payment through
the local test bank (cart, bank page, the bank's answer, return page,
receipt PDF and e-mail).

Run from the repository root:

    .venv/bin/python bench/payments.py [--rounds 15] [--queries]

Everything happens in a throwaway directory (SQLite database, cache, media):
the developer's db.sqlite3 and var/ are never used. Requests go through the
whole WSGI handler with Django's test client, logged in as the demo citizen
Amélie Lire of Carvin. Figures are printed, not asserted.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HOST = "carvin.localhost"


def prepare_environment(tmp: Path) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
            "CACHE_DIR": str(tmp / "cache"),
            "MEDIA_ROOT": str(tmp / "media"),
            "STATIC_ROOT": str(tmp / "static"),
            "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
    )
    sys.path.insert(0, str(REPO))


def measure(label, rounds, action, show_queries=False):
    """Run ``action`` (which returns the response to check) ``rounds`` times;
    print its queries (of the last round) and median time."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings, queries = [], []
    for _ in range(rounds):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            action()
            timings.append((time.perf_counter() - start) * 1000)
        queries = captured.captured_queries
    print(f"{label:<44} {len(queries):>4} queries   median {statistics.median(timings):7.1f} ms")
    if show_queries:
        for query in queries:
            print(f"      {query['sql'][:160]}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15, help="rounds per measure (15)")
    parser.add_argument("--queries", action="store_true", help="print the SQL of each measure")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-payments-") as tmp:
        prepare_environment(Path(tmp))
        (Path(tmp) / "static").mkdir()
        import django

        django.setup()
        from django.core.management import call_command
        from django.test import Client

        from accounts.models import User
        from payments.models import Invoice, LocalBankOperation, Regie, Transaction

        print("Preparing the demo database…", flush=True)
        call_command("migrate", verbosity=0)
        call_command("load_demo", stdout=StringIO())
        amelie = User.objects.get(username="amélie.lire")
        ville = Regie.objects.get(site=amelie.site, name="Ville")
        template = Invoice.objects.filter(account=amelie, regie=ville).first()
        client = Client(HTTP_HOST=HOST)
        client.force_login(amelie)

        def fresh_invoice(index):
            return Invoice.objects.create(
                site_id=template.site_id,
                regie=ville,
                account=amelie,
                domain=template.domain,
                number=f"BENCH-{index:05d}",
                label="Restauration scolaire",
                amount="12.50",
                issued_on=template.issued_on,
                payment_key=f"BENCH{index:05d}",
            )

        def check(response, status=200):
            if response.status_code != status:
                raise SystemExit(f"{response.status_code} instead of {status}")
            return response

        print(f"\n{'':<44} {'(last round)':>13}   ({options.rounds} rounds)")
        measure(
            "GET /paiement/releve/ (statement)",
            options.rounds,
            lambda: check(client.get("/paiement/releve/")),
            options.queries,
        )
        measure(
            "GET /paiement/ (invoices to pay)",
            options.rounds,
            lambda: check(client.get("/paiement/")),
            options.queries,
        )

        adds = iter(fresh_invoice(index) for index in range(options.rounds))
        added = []

        def add():
            invoice = next(adds)
            added.append(invoice)
            check(client.post(f"/paiement/panier/ajouter/{invoice.pk}/"), 302)

        measure("POST cart add", options.rounds, add, options.queries)
        for invoice in added:
            client.post(f"/paiement/panier/retirer/{invoice.pk}/")

        payments = iter(fresh_invoice(1000 + index) for index in range(options.rounds))

        def pay():
            invoice = next(payments)
            check(client.post(f"/paiement/panier/ajouter/{invoice.pk}/"), 302)
            bank = check(client.post("/paiement/panier/payer/"), 302)["Location"]
            check(client.get(bank))
            operation = LocalBankOperation.objects.latest("pk")
            back = check(
                client.post(
                    f"/paiement/banque-de-test/{operation.bank_order_id}/", {"decision": "pay"}
                ),
                302,
            )["Location"]
            page = check(client.get(back), 302)["Location"]
            check(client.get(page))
            if Transaction.objects.latest("pk").status != "paid":
                raise SystemExit("the payment did not go through")

        measure("Whole test-bank payment (6 requests, PDF)", options.rounds, pay, options.queries)
        from django.core import mail

        receipts = [message for message in mail.outbox if message.attachments]
        print(f"\nReceipts e-mailed: {len(receipts)} for {options.rounds} payments")


if __name__ == "__main__":
    main()
