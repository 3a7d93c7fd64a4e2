from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cms.commands import commune_named
from faq.importer import FAQImportError, decode
from faq.models import FAQPage
from faq.services import faq_import


class Command(BaseCommand):
    help = (
        "Create or update a commune's FAQ from a document written like the seed FAQs "
        "(Markdown or plain text: a table of contents, then the questions and answers). "
        "Re-running it updates the FAQ and never duplicates a question; a malformed "
        "document changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The FAQ document (.md or .txt).")
        parser.add_argument(
            "--site", required=True, metavar="HOSTNAME", help="Hostname of the commune's site."
        )
        parser.add_argument(
            "--draft",
            action="store_true",
            help="Save the import as a draft to review and publish in the admin.",
        )

    def handle(self, *args, path, site, draft, **options):
        commune_site = commune_named(site)
        page = FAQPage.objects.descendant_of(commune_site.root_page).first()
        if page is None:
            raise CommandError(f"The commune {site!r} has no FAQ page.")
        try:
            text = decode(path.read_bytes())
            result = faq_import(page=page, text=text, publish=not draft)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from error
        except FAQImportError as error:
            raise CommandError(f"{path}: {error}") from error
        state = "updated" if result.changed else "already up to date"
        if result.changed and not result.published:
            state = "saved as a draft"
        self.stdout.write(
            self.style.SUCCESS(
                f"FAQ of {site} {state}: {result.categories} categories, "
                f"{result.questions} questions."
            )
        )
