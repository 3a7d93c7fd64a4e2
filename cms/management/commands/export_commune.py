from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from wagtail.models import Site

from cms.commune_file import commune_export


class Command(BaseCommand):
    help = (
        "Write a commune's configuration to a commune file (a ZIP archive, see "
        "docs/commune-file.md): its pages, FAQ, démarches, workflows, message templates, "
        "municipal services, régies and prices, settings and the images and documents they "
        "use. No secret and no citizen's data: the file lists what to enter again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "hostname", help="Domain of the commune's portal, e.g. carvin.localhost."
        )
        parser.add_argument(
            "-o", "--output", help="File to write (default: commune-<hostname>.zip)."
        )

    def handle(self, *args, hostname, output, **options):
        site = Site.objects.filter(hostname=hostname).first()
        if site is None:
            raise CommandError(f"No commune answers at {hostname}.")
        path = Path(output or f"commune-{hostname}.zip")
        path.write_bytes(commune_export(site=site))
        self.stdout.write(self.style.SUCCESS(f"{hostname}: written to {path}"))
