"""Reading and checking the invoices that the commune's billing software
sends, as a CSV file (admin upload, ``manage.py import_invoices``) or as
JSON (the push endpoint). Every record is checked before anything is saved;
the errors say the line and the reason, in the agent's words."""

import base64
import binascii
import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .exceptions import InvoiceImportError
from .models import OPEN_STATUSES, Invoice, InvoiceDomain, InvoiceStatus, TransactionLine

MAX_FILE_SIZE = 5 * 1024 * 1024
NUMBER_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/._-]{0,39}$")
KEY_PATTERN = re.compile(r"^[A-Za-z0-9]{4,32}$")

FILE_EMPTY = gettext_lazy("The file holds no invoice.")
FILE_NOT_TEXT = gettext_lazy("The file is not a CSV text file.")
FILE_TOO_LARGE = gettext_lazy("The file is larger than 5 MB.")
MISSING_COLUMNS = gettext_lazy("Missing columns: %(columns)s.")
UNKNOWN_COLUMNS = gettext_lazy("Unknown columns: %(columns)s.")
FIELD_MISSING = gettext_lazy("%(field)s is missing.")
FIELD_TOO_LONG = gettext_lazy("%(field)s is longer than %(max)d characters.")
BAD_NUMBER = gettext_lazy(
    "The invoice number “%(value)s” may hold letters, digits and . / - _ only, "
    "40 characters at most."
)
BAD_AMOUNT = gettext_lazy(
    "The amount “%(value)s” is not an amount in euros greater than 0, such as 12,50."
)
BAD_DATE = gettext_lazy("The %(field)s “%(value)s” is not a date such as 31/01/2026.")
DUE_BEFORE_ISSUE = gettext_lazy("The due date is before the issue date.")
BAD_CHOICE = gettext_lazy("The %(field)s “%(value)s” is none of: %(choices)s.")
BAD_KEY = gettext_lazy("The payment key “%(value)s” must be 4 to 32 letters or digits.")
UNKNOWN_ACCOUNT = gettext_lazy(
    "No citizen account of the commune has the identifier or e-mail “%(value)s”."
)
DUPLICATE_NUMBER = gettext_lazy("Invoice %(number)s is already on line %(line)d.")
PAID_ONLINE_BY_IMPORT = gettext_lazy(
    "Only the portal records payments made online: write “paid by other means” instead."
)
PAID_ONLINE_CHANGED = gettext_lazy(
    "Invoice %(number)s has been paid online: its amount can no longer change."
)
NOT_AN_OBJECT = gettext_lazy("This invoice is not a JSON object.")
NUL_CHARACTER = gettext_lazy("This invoice holds a NUL character (0x00), which no text may hold.")
NOT_A_PDF = gettext_lazy("The PDF of invoice %(number)s is not a PDF file.")
PDF_WITHOUT_INVOICE = gettext_lazy("The PDF %(name)s is of no invoice of the file.")
PAYMENT_UNDER_WAY = gettext_lazy(
    "A payment of invoice %(number)s is being checked with the bank: "
    "its amount and status cannot change now."
)

COLUMNS = {
    "number": ("number", "numero", "numero_facture", "facture"),
    "account": ("account", "compte", "identifiant", "foyer"),
    "payer_name": ("payer_name", "payer", "payeur", "famille", "destinataire"),
    "domain": ("domain", "domaine"),
    "label": ("label", "libelle", "objet"),
    "amount": ("amount", "montant"),
    "issued_on": ("issued_on", "date_emission", "emission", "date_d_emission"),
    "due_on": ("due_on", "date_echeance", "echeance"),
    "status": ("status", "statut", "etat"),
    "paid_on": ("paid_on", "date_paiement", "paye_le", "payee_le"),
    "payment_key": ("payment_key", "key", "cle", "cle_paiement"),
}
REQUIRED = ("number", "domain", "label", "amount", "issued_on")
FIELD_LABELS = {
    "number": gettext_lazy("The invoice number"),
    "account": gettext_lazy("The account"),
    "payer_name": gettext_lazy("The name billed"),
    "domain": gettext_lazy("The domain"),
    "label": gettext_lazy("The label"),
    "amount": gettext_lazy("The amount"),
    "issued_on": gettext_lazy("The issue date"),
}
DATE_NAMES = {
    "issued_on": gettext_lazy("issue date"),
    "due_on": gettext_lazy("due date"),
    "paid_on": gettext_lazy("payment date"),
}
DOMAIN_WORDS = {
    "school": InvoiceDomain.SCHOOL,
    "scolaire": InvoiceDomain.SCHOOL,
    "after_school": InvoiceDomain.AFTER_SCHOOL,
    "periscolaire": InvoiceDomain.AFTER_SCHOOL,
    "early_childhood": InvoiceDomain.EARLY_CHILDHOOD,
    "petite_enfance": InvoiceDomain.EARLY_CHILDHOOD,
    "ccas": InvoiceDomain.CCAS,
    "social_services_ccas": InvoiceDomain.CCAS,
}
#: The domains of the billing software's invoices; those of online
#: procedures are the portal's own (``services.invoice_issue``).
IMPORTED_DOMAINS = [
    (value, label) for value, label in InvoiceDomain.choices if value in DOMAIN_WORDS.values()
]
STATUS_WORDS = {
    "": InvoiceStatus.TO_PAY,
    "to_pay": InvoiceStatus.TO_PAY,
    "a_payer": InvoiceStatus.TO_PAY,
    "paid_elsewhere": InvoiceStatus.PAID_ELSEWHERE,
    "payee": InvoiceStatus.PAID_ELSEWHERE,
    "payee_par_un_autre_moyen": InvoiceStatus.PAID_ELSEWHERE,
    "paid_by_other_means": InvoiceStatus.PAID_ELSEWHERE,
    "cancelled": InvoiceStatus.CANCELLED,
    "annulee": InvoiceStatus.CANCELLED,
    "paid_online": InvoiceStatus.PAID_ONLINE,
    "payee_en_ligne": InvoiceStatus.PAID_ONLINE,
}


def words(value) -> str:
    """ "Payée par un autre moyen" -> "payee_par_un_autre_moyen"."""
    value = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", value.lower()).strip("_")


@dataclass
class InvoiceData:
    number: str
    account: object
    payer_name: str
    domain: str
    label: str
    amount: Decimal
    issued_on: date
    due_on: date | None
    status: str
    paid_at: datetime | None
    payment_key: str


# --- Reading ------------------------------------------------------------------


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), or Windows-1252 as spreadsheets save it."""
    if b"\x00" in data[:1024]:
        raise InvoiceImportError([(0, str(FILE_NOT_TEXT))])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_csv(text: str) -> list[tuple[int, dict]]:
    """The records of a CSV file (``;``, ``,`` or tab separated, with a header
    line naming the columns in English or French), each with its line number."""
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        raise InvoiceImportError([(0, str(FILE_EMPTY))])
    header = next(line for line in lines if line.strip())
    delimiter = max(";,\t", key=header.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    columns = None
    records = []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if columns is None:
            columns = _columns(row, line=reader.line_num)
            continue
        fields = {name: row[index].strip() for index, name in columns.items() if index < len(row)}
        records.append((reader.line_num, fields))
    if not records:
        raise InvoiceImportError([(0, str(FILE_EMPTY))])
    return records


def _columns(header: list[str], *, line: int) -> dict[int, str]:
    aliases = {alias: name for name, names in COLUMNS.items() for alias in names}
    columns, unknown = {}, []
    for index, title in enumerate(header):
        name = aliases.get(words(title))
        if name is None:
            if title.strip():
                unknown.append(title.strip())
            continue
        columns[index] = name
    errors = []
    if unknown:
        errors.append((line, UNKNOWN_COLUMNS % {"columns": ", ".join(unknown)}))
    missing = [COLUMNS[name][1] for name in REQUIRED if name not in columns.values()]
    if missing:
        errors.append((line, MISSING_COLUMNS % {"columns": ", ".join(missing)}))
    if errors:
        raise InvoiceImportError([(line, str(message)) for line, message in errors])
    return columns


def read_json(payload) -> tuple[list[tuple[int, dict]], dict[str, bytes]]:
    """The records of a push, ``{"invoices": [{...}, ...]}`` numbered from 1,
    and their PDFs (``"pdf"``: the file in base64), by invoice number."""
    items = payload.get("invoices") if isinstance(payload, dict) else None
    if not isinstance(items, list) or not items:
        raise InvoiceImportError([(0, str(FILE_EMPTY))])
    records, pdfs, errors = [], {}, []
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            errors.append((index, str(NOT_AN_OBJECT)))
            continue
        item = dict(item)
        pdf = item.pop("pdf", None)
        if pdf:
            try:
                pdfs[str(item.get("number", "")).strip()] = base64.b64decode(pdf, validate=True)
            except (binascii.Error, ValueError, TypeError):
                errors.append((index, str(NOT_A_PDF % {"number": item.get("number", "")})))
        records.append(
            (index, {key: "" if value is None else str(value) for key, value in item.items()})
        )
    if errors:
        raise InvoiceImportError(errors)
    return records, pdfs


# --- Checking -----------------------------------------------------------------


def _amount(value: str) -> Decimal | None:
    text = value.replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace("€", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    # Too large before quantizing, which fails past the context's 28 digits.
    if not amount.is_finite() or amount <= 0 or amount >= Decimal("100000000"):
        return None
    if amount != amount.quantize(Decimal("0.01")):
        return None
    return amount.quantize(Decimal("0.01"))


def _date(value: str) -> date | None:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(value.strip(), pattern).date()
        except ValueError:
            continue
    return None


def _choice(value, table, field, model_choices) -> tuple[str | None, str | None]:
    choice = table.get(words(value))
    if choice is None:
        listed = ", ".join(str(label) for _value, label in model_choices)
        return None, BAD_CHOICE % {"field": field, "value": value, "choices": listed}
    return choice, None


def _accounts(regie, records) -> dict[str, object]:
    wanted = {fields.get("account", "").strip().lower() for _line, fields in records} - {""}
    wanted = {value for value in wanted if "\x00" not in value}
    if not wanted:
        return {}
    found = {}
    for user in get_user_model().objects.filter(
        Q(username__in=wanted) | Q(email__in=wanted), site_id=regie.site_id
    ):
        found[user.username.lower()] = user
        if user.email:
            found[user.email.lower()] = user
    return found


def check_records(*, regie, records, existing: dict[str, Invoice]) -> list[InvoiceData]:
    """Every record checked; ``InvoiceImportError`` lists all the wrong ones."""
    if not records:
        raise InvoiceImportError([(0, str(FILE_EMPTY))])
    accounts = _accounts(regie, records)
    busy = set(
        TransactionLine.objects.filter(
            invoice__in=existing.values(), transaction__status__in=OPEN_STATUSES
        ).values_list("invoice__number", flat=True)
    )
    errors, rows, seen = [], [], {}
    for line, fields in records:
        problems = []
        row = _check(fields, accounts, problems)
        if row is not None:
            if row.number in seen:
                problems.append(DUPLICATE_NUMBER % {"number": row.number, "line": seen[row.number]})
            seen.setdefault(row.number, line)
            problems += _against_existing(row, existing.get(row.number), busy)
        if problems:
            errors.append((line, " ".join(str(problem) for problem in problems)))
        elif row is not None:
            rows.append(row)
    if errors:
        raise InvoiceImportError(errors)
    return rows


def _check(fields: dict, accounts: dict, problems: list) -> InvoiceData | None:
    get = {name: str(fields.get(name, "") or "").strip() for name in COLUMNS}
    if any("\x00" in value for value in get.values()):
        # PostgreSQL can neither store nor compare it.
        problems.append(NUL_CHARACTER)
        return None
    for name in REQUIRED:
        if not get[name]:
            problems.append(FIELD_MISSING % {"field": FIELD_LABELS[name]})
    for name, limit in (("label", 200), ("payer_name", 150)):
        if len(get[name]) > limit:
            problems.append(FIELD_TOO_LONG % {"field": FIELD_LABELS[name], "max": limit})
    if get["number"] and not NUMBER_PATTERN.match(get["number"]):
        problems.append(BAD_NUMBER % {"value": get["number"]})
    amount = _amount(get["amount"]) if get["amount"] else None
    if get["amount"] and amount is None:
        problems.append(BAD_AMOUNT % {"value": get["amount"]})
    dates = {}
    for name in ("issued_on", "due_on", "paid_on"):
        dates[name] = _date(get[name]) if get[name] else None
        if get[name] and dates[name] is None:
            problems.append(BAD_DATE % {"field": DATE_NAMES[name], "value": get[name]})
    if dates["issued_on"] and dates["due_on"] and dates["due_on"] < dates["issued_on"]:
        problems.append(DUE_BEFORE_ISSUE)
    domain = status = None
    if get["domain"]:
        domain, problem = _choice(get["domain"], DOMAIN_WORDS, _("domain"), IMPORTED_DOMAINS)
        problems += [problem] if problem else []
    status, problem = _choice(get["status"], STATUS_WORDS, _("status"), InvoiceStatus.choices)
    problems += [problem] if problem else []
    account = None
    if get["account"]:
        account = accounts.get(get["account"].lower())
        if account is None:
            problems.append(UNKNOWN_ACCOUNT % {"value": get["account"]})
    key = "".join(get["payment_key"].split()).upper()
    if key and not KEY_PATTERN.match(key):
        problems.append(BAD_KEY % {"value": get["payment_key"]})
    if problems:
        return None
    paid_at = None
    if status in (InvoiceStatus.PAID_ELSEWHERE, InvoiceStatus.PAID_ONLINE):
        paid_at = (
            timezone.make_aware(datetime.combine(dates["paid_on"], time(12)))
            if dates["paid_on"]
            else timezone.now()
        )
    return InvoiceData(
        number=get["number"],
        account=account,
        payer_name=get["payer_name"],
        domain=domain,
        label=get["label"],
        amount=amount,
        issued_on=dates["issued_on"],
        due_on=dates["due_on"],
        status=status,
        paid_at=paid_at,
        payment_key=key,
    )


def _against_existing(row: InvoiceData, invoice: Invoice | None, busy: set[str]) -> list:
    """What an import may not change in an invoice the portal knows."""
    paid_online = invoice is not None and invoice.status == InvoiceStatus.PAID_ONLINE
    if row.status == InvoiceStatus.PAID_ONLINE and not paid_online:
        return [PAID_ONLINE_BY_IMPORT]
    if invoice is None:
        return []
    if paid_online and row.amount != invoice.amount:
        return [PAID_ONLINE_CHANGED % {"number": row.number}]
    if invoice.number in busy and (row.amount != invoice.amount or row.status != invoice.status):
        return [PAYMENT_UNDER_WAY % {"number": row.number}]
    return []


def check_pdfs(*, rows: list[InvoiceData], records, pdfs: dict[str, bytes]) -> None:
    """Each PDF must be one, and of an invoice of the records."""
    lines = {row.number: line for row, (line, _fields) in zip(rows, records, strict=True)}
    errors = []
    for number, data in pdfs.items():
        if number not in lines:
            errors.append((0, str(PDF_WITHOUT_INVOICE % {"name": f"{number}.pdf"})))
        elif not data.startswith(b"%PDF-"):
            errors.append((lines[number], str(NOT_A_PDF % {"number": number})))
    if errors:
        raise InvoiceImportError(errors)
