"""Demo régies and invoices, added by ``load_demo`` to each demo commune:
"Ville" and "CCAS" on the local test bank, and for each validated demo
household invoices of both régies, some paid (within and beyond the
statement's 3 months), some to pay, with their PDF; and one invoice for a
family without an account, to pay with its number and key."""

import os
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from io import BytesIO

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from accounts.models import AccountStatus, User
from cms.models import CommuneSettings
from cms.services import SUPERVISORS_GROUP
from demo.communes import staff_names
from payments.models import (
    Invoice,
    InvoiceDomain,
    InvoiceStatus,
    Regie,
    Transaction,
    TransactionLine,
    TransactionStatus,
)

REGIES = ("Ville", "CCAS")
MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]
#: The demo supervisor of each commune's régies: identifier, password.
SUPERVISORS = {
    "carvin.localhost": ("regie.carvin", "regie-carvin-demo"),
    "saint-andre-des-eaux.localhost": ("regie.saint-andre", "regie-saint-andre-demo"),
}
#: Number and key of the invoice to pay without an account, per commune.
WITHOUT_ACCOUNT = {
    "carvin.localhost": ("CAR-V-00900", "K7QX2M9R", "Famille Durand"),
    "saint-andre-des-eaux.localhost": ("SAE-V-00900", "B4TZ8W3N", "Famille Guérin"),
}


@dataclass
class DemoInvoice:
    regie: str
    number: int
    domain: str
    label: str
    amount: str
    issued_days_ago: int
    status: str = InvoiceStatus.TO_PAY
    paid_days_ago: int | None = None
    online: bool = False


def _month(days_ago: int) -> str:
    day = timezone.localdate() - timedelta(days=days_ago)
    return f"{MONTHS[day.month - 1]} {day.year}"


def _household_invoices(children: list[str]) -> list[DemoInvoice]:
    first, second = (children + children)[:2]
    return [
        DemoInvoice(
            "Ville", 101, InvoiceDomain.SCHOOL, f"Restauration scolaire – {first} – {_month(130)}",
            "42.60", 130, InvoiceStatus.PAID_ONLINE, 110, online=True,
        ),
        DemoInvoice(
            "Ville", 102, InvoiceDomain.AFTER_SCHOOL,
            f"Accueil périscolaire – {second} – {_month(60)}",
            "18.40", 60, InvoiceStatus.PAID_ONLINE, 45, online=True,
        ),
        DemoInvoice(
            "Ville", 103, InvoiceDomain.SCHOOL, f"Restauration scolaire – {first} – {_month(20)}",
            "38.35", 20,
        ),
        DemoInvoice(
            "Ville", 104, InvoiceDomain.AFTER_SCHOOL,
            f"Accueil périscolaire – {second} – {_month(20)}",
            "21.00", 20,
        ),
        DemoInvoice(
            "CCAS", 201, InvoiceDomain.CCAS, f"Aide à domicile – {_month(55)}",
            "35.00", 55, InvoiceStatus.PAID_ELSEWHERE, 50,
        ),
        DemoInvoice(
            "CCAS", 202, InvoiceDomain.CCAS, f"Portage de repas à domicile – {_month(15)}",
            "56.00", 15,
        ),
    ]  # fmt: skip


def _prefix(site) -> str:
    return (
        WITHOUT_ACCOUNT[site.hostname][0].split("-")[0]
        if site.hostname in WITHOUT_ACCOUNT
        else "DEM"
    )


def _font(size: int):
    """DejaVu Sans, which has every letter of French, where it is installed."""
    try:
        return ImageFont.truetype("DejaVuSans.ttf", size)
    except OSError:
        return ImageFont.load_default(size=size)


def invoice_pdf(*, commune: CommuneSettings, invoice: Invoice) -> bytes:
    """A one-page paper invoice, as the billing software would print it."""
    page = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(page)
    big, normal = _font(44), _font(30)
    draw.rectangle((0, 0, 1240, 150), fill=commune.primary_colour)
    draw.text((80, 50), commune.official_name, fill="white", font=big)
    lines = [
        (big, f"Facture n° {invoice.number}"),
        (normal, f"Clé de paiement : {invoice.payment_key}"),
        (normal, ""),
        (normal, f"Régie : {invoice.regie.name}"),
        (normal, f"Destinataire : {invoice.payer_name}"),
        (normal, f"Émise le {invoice.issued_on:%d/%m/%Y}"),
        (normal, f"À payer avant le {invoice.due_on:%d/%m/%Y}" if invoice.due_on else ""),
        (normal, ""),
        (normal, invoice.label),
        (big, f"Montant : {invoice.amount:.2f} €".replace(".", ",")),
        (normal, ""),
        (normal, "Payez en ligne sur le portail citoyen, avec ou sans compte :"),
        (normal, "numéro de facture et clé de paiement ci-dessus."),
    ]
    y = 240
    for font, text in lines:
        draw.text((80, y), text, fill="black", font=font)
        y += 70
    data = BytesIO()
    page.save(data, format="PDF", resolution=150)
    return data.getvalue()


def _paid_at(days_ago: int):
    day = timezone.localdate() - timedelta(days=days_ago)
    return timezone.make_aware(datetime.combine(day, time(10, 30)))


def _create_invoice(site, regie, commune, *, number, account, payer, spec: DemoInvoice, key):
    today = timezone.localdate()
    invoice = Invoice(
        site=site,
        regie=regie,
        account=account,
        payer_name=payer,
        domain=spec.domain,
        number=number,
        label=spec.label,
        amount=Decimal(spec.amount),
        issued_on=today - timedelta(days=spec.issued_days_ago),
        due_on=today - timedelta(days=spec.issued_days_ago - 30),
        status=spec.status,
        paid_at=_paid_at(spec.paid_days_ago) if spec.paid_days_ago is not None else None,
        payment_key=key,
    )
    invoice.pdf.save(f"{number}.pdf", ContentFile(invoice_pdf(commune=commune, invoice=invoice)))
    if spec.online:
        transaction = Transaction.objects.create(
            site=site,
            regie=regie,
            account=account,
            order_id=f"P{invoice.paid_at:%y%m%d}{number.replace('-', '')[-8:]}",
            email=account.email if account else "",
            payer_name=account.get_full_name() if account else payer,
            amount=invoice.amount,
            backend=regie.backend,
            test_mode=True,
            status=TransactionStatus.PAID,
            bank_order_id=f"demo{number}",
            bank_transaction_id=f"demo{number}",
            paid_at=invoice.paid_at,
            receipt_sent_at=invoice.paid_at,
        )
        Transaction.objects.filter(pk=transaction.pk).update(created_at=invoice.paid_at)
        TransactionLine.objects.create(
            transaction=transaction, invoice=invoice, amount=invoice.amount, credited=True
        )
    return invoice


def _supervisor(site, stdout):
    if site.hostname not in SUPERVISORS:
        return
    username, password = SUPERVISORS[site.hostname]
    user = User.objects.filter(site__isnull=True, username=username).first()
    if user is None:
        user = User(username=username)
        user.set_password(password)
        user.save()
    staff_names(user)
    user.groups.add(Group.objects.get(name=SUPERVISORS_GROUP.format(name=site.site_name)))
    port = os.environ.get("PORT", "8000")
    role = SUPERVISORS_GROUP.format(name=site.site_name)
    stdout.write(f"  {role:<46} {username:<22} {password:<24} http://{site.hostname}:{port}/admin/")


def add_demo_payments(*, site, stdout) -> None:
    """The régies, invoices and supervisor of the demo commune ``site``."""
    commune = CommuneSettings.for_site(site)
    _supervisor(site, stdout)
    regies = {}
    for name in REGIES:
        regies[name], created = Regie.objects.get_or_create(
            site=site, name=name, defaults={"backend": "testbank", "backend_options": {}}
        )
        if created:
            stdout.write(f"{site.site_name}: régie {name} on the local test bank")
    prefix = _prefix(site)
    households = User.objects.filter(site=site, status=AccountStatus.VALIDATED).order_by("pk")
    made = 0
    for index, account in enumerate(households):
        children = [m.first_name for m in account.household_members.all() if m.is_child]
        for spec in _household_invoices(children or [account.first_name]):
            letter = "V" if spec.regie == "Ville" else "C"
            number = f"{prefix}-{letter}-{index:02d}{spec.number:03d}"
            if Invoice.objects.filter(regie=regies[spec.regie], number=number).exists():
                continue
            _create_invoice(
                site,
                regies[spec.regie],
                commune,
                number=number,
                account=account,
                payer=f"{account.first_name} {account.last_name}",
                spec=spec,
                key=f"{prefix}{index:02d}{spec.number:03d}",
            )
            made += 1
    if site.hostname in WITHOUT_ACCOUNT:
        number, key, payer = WITHOUT_ACCOUNT[site.hostname]
        if not Invoice.objects.filter(regie=regies["Ville"], number=number).exists():
            spec = DemoInvoice(
                "Ville", 900, InvoiceDomain.SCHOOL, f"Restauration scolaire – {_month(10)}",
                "27.90", 10,
            )  # fmt: skip
            _create_invoice(
                site, regies["Ville"], commune, number=number, account=None, payer=payer,
                spec=spec, key=key,
            )  # fmt: skip
            made += 1
        stdout.write(f"  Pay without an account on {site.site_name}: invoice {number}, key {key}")
    if made:
        stdout.write(f"{site.site_name}: {made} demo invoices")
