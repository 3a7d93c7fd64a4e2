from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cms.commands import commune_named
from services.exchange import DemarcheFileError, demarche_import, demarche_loads
from services.models import ServiceIndexPage


class Command(BaseCommand):
    help = (
        "Create a démarche in a commune from a démarche file written by export_demarche. "
        "The file is checked first and nothing is created if anything is wrong: a file "
        "that is not JSON is refused with the line and column at fault; an unknown "
        "version, a part the portal does not know, a form its blocks refuse or a link to "
        "a document the file lacks, with its path in the file (such as "
        "form[0].fields[2].min_value). A démarche whose address the commune already uses "
        "is refused. Its texts keep their placeholders ({commune}, {mairie}...), filled "
        "with the commune's names."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The démarche file (.json).")
        parser.add_argument(
            "--site",
            required=True,
            metavar="HOSTNAME",
            help="Hostname of the commune's site that receives the démarche.",
        )
        parser.add_argument(
            "--draft",
            action="store_true",
            help="Save the démarche as a draft to review and publish in the admin.",
        )

    def handle(self, *args, path, site, draft, **options):
        commune_site = commune_named(site)
        index = ServiceIndexPage.objects.descendant_of(commune_site.root_page).first()
        if index is None:
            raise CommandError(f"The commune {site!r} has no page of démarches.")
        try:
            document = demarche_loads(path.read_bytes())
            page = demarche_import(index=index, document=document, publish=not draft)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from error
        except DemarcheFileError as error:
            raise CommandError(f"{path}: {error}") from error
        state = "saved as a draft" if draft else "published"
        self.stdout.write(
            self.style.SUCCESS(f"Démarche {page.title!r} {state} in {site}: {page.full_url}")
        )
