"""What the fees app does when a payment is credited (``payments.signals``)
or a request changes status (``services.signals``)."""

from django.dispatch import receiver

from payments.signals import invoice_paid
from services.models import Submission
from services.signals import status_changed

from .services import invoices_paid, request_closed


@receiver(invoice_paid, dispatch_uid="fees.invoice_paid")
def on_invoice_paid(sender, *, invoice_ids, **kwargs):
    invoices_paid(invoice_ids)


@receiver(status_changed, dispatch_uid="fees.status_changed")
def on_status_changed(sender, *, submission_id, **kwargs):
    submission = Submission.objects.filter(pk=submission_id).first()
    if submission is not None and submission.payments.exists():
        request_closed(submission)
