"""Rebuild the table of French postcodes and their communes."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from services.fields.postcodes import SOURCE, TABLE, table_write


class Command(BaseCommand):
    help = (
        "Rebuild the table of French postcodes and the communes they serve "
        f"({TABLE.name}, now from {SOURCE}) from the codes-postaux.json file of the "
        "codes-postaux npm package (Base Adresse Nationale): "
        "`npm pack codes-postaux`, unpack it, then give the path of its "
        "package/codes-postaux.json. Update SOURCE in services/fields/postcodes.py."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path, help="Path of codes-postaux.json.")
        parser.add_argument(
            "--output", type=Path, default=TABLE, help=f"Where to write the table ({TABLE.name})."
        )

    def handle(self, *args, source: Path, output: Path, **options):
        try:
            entries = json.loads(source.read_text(encoding="utf-8"))
            rows = [(e["codePostal"], e["codeCommune"], e["nomCommune"]) for e in entries]
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise CommandError(f"{source} is not a codes-postaux.json file: {error}") from error
        if not rows:
            raise CommandError(f"{source} lists no postcode.")
        count = table_write(rows, output)
        self.stdout.write(f"{count} postcodes and communes written to {output}.")
