import argparse

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cms.extensions import commune_installables, installable_default
from cms.services import commune_check, commune_create, dns_record


def _option(key: str) -> str:
    return "--" + key.replace("_", "-")


def _several(installable):
    """Parse ``all``, ``none`` or ``value,value`` into a list of choices."""
    values = [value for value, _label in installable.choices()]

    def parse(text: str) -> list[str]:
        if text == "all":
            return values
        if text == "none":
            return []
        chosen = [part.strip() for part in text.split(",") if part.strip()]
        unknown = [value for value in chosen if value not in values]
        if unknown:
            raise argparse.ArgumentTypeError(
                f"unknown: {', '.join(unknown)} (choose among: {', '.join(values)})"
            )
        return chosen

    return parse


class Command(BaseCommand):
    help = (
        "Create a commune: its Wagtail Site, home page, FAQ page, online procedures "
        "index, and the groups '<name> — Communication', '<name> — Agents' and "
        "'<name> — Supervisors' whose permissions cover that commune only, and the "
        "content chosen below. The commune is 'en préparation' unless --open is given. "
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
            help="How texts name the town hall (default: 'la mairie de <name>', "
            "with the elision French needs: 'la mairie d'Yffiniac').",
        )
        parser.add_argument(
            "--open",
            action="store_true",
            help="Open the commune to the public now (default: 'en préparation').",
        )
        group = parser.add_argument_group("content to install into the new commune")
        for installable in commune_installables():
            help_text = str(installable.help_text or installable.label)
            default = installable_default(installable)
            if installable.choices is None:
                group.add_argument(
                    _option(installable.key),
                    dest=f"install_{installable.key}",
                    action=argparse.BooleanOptionalAction,
                    default=default,
                    help=f"{help_text} (default: {'yes' if default else 'no'}).",
                )
            elif installable.multiple:
                values = [value for value, _label in installable.choices()]
                group.add_argument(
                    _option(installable.key),
                    dest=f"install_{installable.key}",
                    type=_several(installable),
                    default=default,
                    metavar="all|none|" + ",".join(values[:2] or ["VALUE"]) + ",...",
                    help=f"{help_text} (default: "
                    f"{'all' if default == values else ','.join(default) or 'none'}).",
                )
            else:
                choices = installable.choices()
                group.add_argument(
                    _option(installable.key),
                    dest=f"install_{installable.key}",
                    choices=[value for value, _label in choices],
                    default=default,
                    help=f"{help_text} "
                    + "; ".join(f"{value}: {label}" for value, label in choices)
                    + f" (default: {default}).",
                )

    def handle(self, *args, name, hostname, port, phrase, open, **options):
        try:
            hostname = commune_check(name=name, hostname=hostname, completing=True)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        install = {
            installable.key: options[f"install_{installable.key}"]
            for installable in commune_installables()
        }
        result = commune_create(
            name=name.strip(),
            hostname=hostname,
            port=port,
            phrase=phrase,
            open=open,
            install=install,
        )
        if result.created:
            self.stdout.write(self.style.SUCCESS(f"{name}: created " + ", ".join(result.created)))
            self.stdout.write(f"DNS record to create: {dns_record(hostname)}")
        else:
            self.stdout.write(f"{name}: already complete, nothing changed.")
