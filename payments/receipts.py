"""Payment receipts: a PDF made with WeasyPrint from ``pdf/payment_receipt.html``,
downloadable from the return page and sent to the payer by e-mail (with a
text message too when they prefer them)."""

from django.conf import settings
from django.db import transaction as db_transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.notifications import contact_recipient
from cms.models import CommuneSettings
from cms.notifications import PAYMENT, Notification, notify
from cms.pdf import logo_data_uri

from .models import Transaction, TransactionStatus

RECEIPT_SHORT = gettext_lazy(
    "Payment %(order)s received, thank you. The receipt is sent by e-mail."
)


def receipt_context(*, transaction: Transaction) -> dict:
    commune = CommuneSettings.for_site(transaction.site)
    lines = list(transaction.lines.select_related("invoice").order_by("pk"))
    return {
        "transaction": transaction,
        "commune": commune,
        "lines": lines,
        "to_refund": [line for line in lines if not line.credited],
        "logo": logo_data_uri(commune),
        "backend_name": transaction.regie.plugin.verbose_name,
    }


def receipt_filename(transaction: Transaction) -> str:
    return f"recu-{transaction.order_id}.pdf"


def receipt_pdf(*, transaction: Transaction) -> bytes:
    from weasyprint import HTML

    if transaction.status != TransactionStatus.PAID:
        raise ValueError("Only a paid transaction has a receipt.")
    html = render_to_string("pdf/payment_receipt.html", receipt_context(transaction=transaction))
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def receipt_email_send(*, transaction_id: int) -> bool:
    """Send the receipt of a paid transaction to its payer, once; returns
    whether it was sent now."""
    transaction = Transaction.objects.select_related("regie", "site").get(pk=transaction_id)
    if transaction.status != TransactionStatus.PAID or transaction.receipt_sent_at:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        notification = Notification(
            site=transaction.site,
            recipient=contact_recipient(email=transaction.email, account=transaction.account),
            subject=_("Receipt of your payment %(order)s") % {"order": transaction.order_id},
            template="payment_receipt",
            context=receipt_context(transaction=transaction),
            short=str(RECEIPT_SHORT) % {"order": transaction.order_id},
            attachments=[
                (
                    receipt_filename(transaction),
                    receipt_pdf(transaction=transaction),
                    "application/pdf",
                )
            ],
            kind=PAYMENT,
        )
    with db_transaction.atomic():
        claimed = Transaction.objects.filter(
            pk=transaction.pk, receipt_sent_at__isnull=True
        ).update(receipt_sent_at=timezone.now())
        if not claimed:
            return False
        with translation.override(settings.LANGUAGE_CODE):
            notify(notification)
    return True
