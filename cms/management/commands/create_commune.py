from django.core.management.base import BaseCommand

from cms.services import commune_create


class Command(BaseCommand):
    help = (
        "Create a commune: its Wagtail Site, home page, FAQ page, online procedures "
        "index, and the groups '<name> — Communication', '<name> — Agents' and "
        "'<name> — Supervisors' whose permissions cover that commune only. "
        "Re-running it changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="Official name, e.g. 'Carvin'.")
        parser.add_argument(
            "--hostname", required=True, help="Domain of its portal, e.g. carvin.localhost."
        )
        parser.add_argument("--port", type=int, default=80, help="Port of the site (default 80).")
        parser.add_argument(
            "--phrase",
            help="How texts name the town hall (default: 'la mairie de <name>').",
        )

    def handle(self, *args, name, hostname, port, phrase, **options):
        result = commune_create(name=name, hostname=hostname, port=port, phrase=phrase)
        if result.created:
            self.stdout.write(self.style.SUCCESS(f"{name}: created " + ", ".join(result.created)))
        else:
            self.stdout.write(f"{name}: already complete, nothing changed.")
