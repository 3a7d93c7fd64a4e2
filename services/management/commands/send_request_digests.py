from django.core.management.base import BaseCommand

from services.alerts import daily_digests_send


class Command(BaseCommand):
    help = (
        "E-mail each member of staff who chose the daily summary of new requests the "
        "requests they see that were sent since their previous summary. Run twice, the "
        "second run sends nothing. The task worker runs this every day at 7:00."
    )

    def handle(self, **options):
        sent = daily_digests_send()
        self.stdout.write(f"{sent} summary e-mail(s) sent.")
