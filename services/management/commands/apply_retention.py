from django.core.management.base import BaseCommand, CommandError

from accounts.retention import INACTIVITY_DELETION_MONTHS, INACTIVITY_WARNING_MONTHS
from services.retention import DRAFT_RETENTION_DAYS, communes, retention_apply

LABELS = {
    "anonymised": "requests anonymised",
    "files_deleted": "documents deleted",
    "drafts_deleted": "drafts deleted",
    "accounts_warned": "accounts warned",
    "accounts_erased": "accounts erased",
    "warnings_cancelled": "warnings cancelled",
    "log_entries_deleted": "agents' log entries deleted",
}


class Command(BaseCommand):
    help = (
        "Apply the personal data retention rules now, in every commune or one: "
        "anonymise the requests closed for longer than their démarche's retention, "
        f"delete drafts unchanged for {DRAFT_RETENTION_DAYS} days, warn citizen "
        f"accounts unused for {INACTIVITY_WARNING_MONTHS} months and erase those "
        f"unused for {INACTIVITY_DELETION_MONTHS} months. Staff accounts are never "
        "deleted. The task worker runs this every day."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print what would be done in each commune, change nothing.",
        )
        parser.add_argument(
            "--commune",
            metavar="HOSTNAME",
            help="Only the commune served on this host name (e.g. carvin.localhost).",
        )

    def handle(self, *, dry_run, commune, **options):
        sites = communes()
        if commune:
            sites = sites.filter(hostname=commune)
            if not sites:
                raise CommandError(f"No commune is served on {commune}.")
        for site in sites:
            report = retention_apply(site=site, dry_run=dry_run)
            counts = ", ".join(
                f"{count} {LABELS[name]}" for name, count in report.as_dict().items()
            )
            prefix = "Would do in" if dry_run else "Done in"
            self.stdout.write(f"{prefix} {site.site_name or site.hostname}: {counts}")
