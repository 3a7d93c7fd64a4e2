from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cms.commands import commune_named
from payments.exceptions import InvoiceImportError
from payments.importer import decode, read_csv
from payments.models import Regie
from payments.services import invoices_import


class Command(BaseCommand):
    help = (
        "Import a régie's invoices from a CSV file of the billing software (columns: "
        "numero, compte, payeur, domaine, libelle, montant, date_emission, date_echeance, "
        "statut, date_paiement, cle; separated by semicolons, commas or tabs). Invoices "
        "are identified by their number: importing the same file again changes nothing. "
        "If a line has an error, nothing is imported and every wrong line is listed."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The CSV file.")
        parser.add_argument(
            "--site", required=True, help="Hostname of the commune, e.g. carvin.localhost."
        )
        parser.add_argument("--regie", required=True, help="Name of the régie, e.g. Ville.")
        parser.add_argument(
            "--pdf-dir",
            help="A folder of the invoices' PDF files, each named after its invoice number "
            "(FAC-2026-0042.pdf).",
        )

    def handle(self, *args, path, site, regie, pdf_dir, **options):
        commune = commune_named(site)
        found = Regie.objects.filter(site=commune, name__iexact=regie).first()
        if found is None:
            names = ", ".join(Regie.objects.filter(site=commune).values_list("name", flat=True))
            raise CommandError(f"{commune.site_name} has no régie {regie!r} (it has: {names}).")
        try:
            data = Path(path).read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from error
        pdfs = {}
        if pdf_dir:
            folder = Path(pdf_dir)
            if not folder.is_dir():
                raise CommandError(f"{pdf_dir} is not a folder.")
            pdfs = {file.stem: file.read_bytes() for file in folder.glob("*.pdf")}
        try:
            records = read_csv(decode(data))
            numbers = {fields.get("number", "").strip() for _line, fields in records}
            pdfs = {number: pdf for number, pdf in pdfs.items() if number in numbers}
            report = invoices_import(regie=found, records=records, pdfs=pdfs)
        except InvoiceImportError as error:
            for line, reason in error.errors:
                self.stderr.write(f"{path}:{line}: {reason}" if line else f"{path}: {reason}")
            raise CommandError("Nothing was imported.") from error
        self.stdout.write(self.style.SUCCESS(f"{found.name} – {report.summary()}"))
