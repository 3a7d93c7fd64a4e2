from django.core.management.base import BaseCommand

from fees.services import unpaid_requests, unpaid_requests_abandon


class Command(BaseCommand):
    help = (
        "Abandon the requests to pay at sending whose delay to pay has run out: each "
        "becomes “Abandoned: not paid”, keeps its answers, its invoice is cancelled and its "
        "citizen told. A payment under way at the bank is waited for. The task worker runs "
        "this every day."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List the requests to abandon, change nothing."
        )

    def handle(self, *, dry_run, **options):
        if dry_run:
            found = [payment.submission.reference for payment in unpaid_requests()]
            for reference in found:
                self.stdout.write(reference)
            self.stdout.write(f"{len(found)} requests not paid in time.")
            return
        abandoned = unpaid_requests_abandon()
        for reference in abandoned:
            self.stdout.write(reference)
        self.stdout.write(f"{len(abandoned)} requests abandoned.")
