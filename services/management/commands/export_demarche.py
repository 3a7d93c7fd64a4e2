from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cms.commands import commune_named
from services.exchange import demarche_dumps, demarche_export
from services.models import ServicePage


class Command(BaseCommand):
    help = (
        "Write a commune's démarche as a démarche file (versioned JSON: the page's "
        "settings and texts, its form's steps and fields, the documents its texts link "
        "to), for import_demarche to create it in another commune. The commune's own "
        "names in its texts become placeholders ({commune}, {Mairie}...), so that it "
        "reads right in the commune that imports it."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The démarche's slug, as in its address.")
        parser.add_argument(
            "--site", required=True, metavar="HOSTNAME", help="Hostname of the commune's site."
        )
        parser.add_argument(
            "--output", type=Path, metavar="PATH", help="The file to write; by default, the output."
        )

    def handle(self, *args, slug, site, output, **options):
        commune_site = commune_named(site)
        page = ServicePage.objects.descendant_of(commune_site.root_page).filter(slug=slug).first()
        if page is None:
            raise CommandError(f"The commune {site!r} has no démarche {slug!r}.")
        text = demarche_dumps(demarche_export(page=page))
        if output is None:
            self.stdout.write(text, ending="")
            return
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}.") from error
        self.stderr.write(f"Démarche {slug!r} of {site} written to {output}.")
