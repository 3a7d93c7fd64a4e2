"""The household's invoices and payments in the citizen's copy of their data
(``accounts.exports``), with the receipt of each payment made."""

from django.dispatch import receiver

from accounts.exports import ExportFile, PersonalDataPart, personal_data_export, safe_part

from .models import Invoice, Transaction, TransactionStatus


def _when(value):
    return value.isoformat() if value else None


def _receipt(transaction: Transaction):
    def make() -> bytes:
        from .receipts import receipt_pdf

        return receipt_pdf(transaction=transaction)

    return make


@receiver(personal_data_export, dispatch_uid="payments.invoices")
def payments_of_account(sender, account, **kwargs) -> PersonalDataPart:
    invoices = Invoice.objects.filter(account=account, site_id=account.site_id).order_by(
        "issued_on", "pk"
    )
    transactions = (
        Transaction.objects.filter(account=account, site_id=account.site_id)
        .select_related("regie", "site")
        .order_by("pk")
    )
    files = [
        ExportFile(
            path=f"paiements/recu-{safe_part(transaction.order_id)}.pdf",
            make=_receipt(transaction),
        )
        for transaction in transactions
        if transaction.status == TransactionStatus.PAID
    ]
    return PersonalDataPart(
        key="payments",
        data={
            "invoices": [
                {
                    "number": invoice.number,
                    "label": invoice.label,
                    "amount": str(invoice.amount),
                    "issued_on": _when(invoice.issued_on),
                    "status": str(invoice.get_status_display()),
                    "paid_on": _when(invoice.paid_at),
                }
                for invoice in invoices
            ],
            "payments": [
                {
                    "order": transaction.order_id,
                    "amount": str(transaction.amount),
                    "status": str(transaction.get_status_display()),
                    "paid_on": _when(transaction.paid_at),
                    "receipt_sent_to": transaction.email,
                }
                for transaction in transactions
            ],
        },
        files=files,
    )
