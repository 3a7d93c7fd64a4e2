from django.core.management.base import BaseCommand, CommandError

from cms.commune_file import CommuneFileError, commune_import, import_summary


class Command(BaseCommand):
    help = (
        "Create a commune from a commune file (see export_commune): a new Site at "
        "--hostname, named --name, “en préparation”, with the file's pages, démarches, "
        "workflows, templates, services, régies (closed) and settings. A commune that "
        "answers at --hostname is changed only with --replace, which replaces its "
        "configuration and keeps its citizens' data. Nothing is created when the file is "
        "refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The commune file (ZIP).")
        parser.add_argument("--hostname", required=True, help="Domain of its portal.")
        parser.add_argument("--name", default="", help="Official name of a new commune.")
        parser.add_argument(
            "--phrase", default="", help="How texts name the town hall ('la mairie de <name>')."
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Replace the configuration of the commune that answers at --hostname.",
        )

    def handle(self, *args, file, hostname, name, phrase, replace, **options):
        try:
            with open(file, "rb") as opened:
                report = commune_import(
                    file=opened, hostname=hostname, name=name, phrase=phrase, replace=replace
                )
        except OSError as error:
            raise CommandError(str(error)) from None
        except CommuneFileError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"{hostname}: imported."))
        for line in import_summary(report):
            self.stdout.write(line)
