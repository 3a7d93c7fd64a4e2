from datetime import timedelta

from django.core.management.base import BaseCommand

from payments.services import transactions_reconcile


class Command(BaseCommand):
    help = (
        "Resolve the payments whose bank notification never came: ask each bank that can "
        "be asked (PayFiP, the test bank) where the waiting transactions stand, and give "
        "up on the others after 24 hours. Run it every 10 minutes, for example from cron: "
        "*/10 * * * * cd /srv/portail && .venv/bin/python manage.py payments_reconcile"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--min-age",
            type=int,
            default=15,
            help="Leave alone the transactions younger than this many minutes (default 15), "
            "whose citizen may still be on the bank's page.",
        )

    def handle(self, *args, min_age, **options):
        report = transactions_reconcile(min_age=timedelta(minutes=min_age))
        if not report:
            self.stdout.write("No transaction waiting for the bank.")
        for status, orders in sorted(report.items()):
            self.stdout.write(f"{status}: {len(orders)} ({', '.join(orders)})")
