from datetime import date

from django.core.management.base import BaseCommand, CommandError

from services.automation import deadlines_due, deadlines_fire


class Command(BaseCommand):
    help = (
        "Fire the deadlines of requests that are due: send their reminders and move "
        "the requests still in the status that set them (e.g. “Incomplet” closed after "
        "30 days). Each deadline fires once, however often this runs. The task worker "
        "runs this every day."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List the deadlines due, change nothing."
        )
        parser.add_argument(
            "--today",
            metavar="YYYY-MM-DD",
            help="Fire those due by this day instead of today (to catch up after an outage).",
        )

    def handle(self, *, dry_run, today, **options):
        try:
            day = date.fromisoformat(today) if today else None
        except ValueError as error:
            raise CommandError(f"--today: {error}") from None
        due = deadlines_due(day).select_related("submission")
        if dry_run:
            for deadline in due:
                self.stdout.write(
                    f"{deadline.submission.reference}: due {deadline.due_on}, "
                    f"status {deadline.status}, then {deadline.move_to or 'reminder only'}"
                )
            self.stdout.write(f"{due.count()} deadlines due.")
            return
        self.stdout.write(f"{deadlines_fire(today=day)} deadlines fired.")
