"""What the request's pages show of its amounts: the citizen's page (to
pay, being paid, paid on, cancelled, to refund) and the agents' side panel."""

from decimal import Decimal

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from cms.money import money
from payments.models import InvoiceStatus, TransactionStatus
from services.policies import submission_policy

from .forms import CancelForm
from .selectors import attempts_of, paying_transaction, payments_of

FAILED = (
    TransactionStatus.REFUSED,
    TransactionStatus.CANCELLED,
    TransactionStatus.EXPIRED,
    TransactionStatus.ERROR,
)


def _state(payment) -> dict:
    invoice = payment.invoice
    attempts = attempts_of(invoice)
    paying = paying_transaction(invoice) if invoice.status == InvoiceStatus.PAID_ONLINE else None
    last = attempts[0] if attempts else None
    return {
        "payment": payment,
        "invoice": invoice,
        "lines": [
            {
                **line,
                "quantity": Decimal(line["quantity"]),
                "unit": Decimal(line["unit"]),
                "amount": Decimal(line["amount"]),
            }
            for line in payment.lines
        ],
        "to_pay": invoice.status == InvoiceStatus.TO_PAY,
        "being_paid": last is not None and last.is_open,
        "failed": last if last is not None and last.status in FAILED else None,
        "paying": paying,
    }


def queue_cell(submission) -> str:
    """The payment of a request in the agents' queue (``payment_annotations``)."""
    to_pay = getattr(submission, "amount_to_pay", None)
    paid = getattr(submission, "amount_paid", None)
    if to_pay:
        return _("%(amount)s to pay") % {"amount": money(to_pay)}
    if paid:
        return _("%(amount)s paid") % {"amount": money(paid)}
    return ""


def citizen_panel(request, submission, access) -> str:
    payments = payments_of(submission)
    if not payments:
        return ""
    states = []
    for payment in payments:
        state = _state(payment)
        state["pay_url"] = reverse(
            f"fees:{access.route}_pay", kwargs={**access.kwargs, "pk": payment.pk}
        )
        states.append(state)
    return render_to_string(
        "fees/citizen_panel.html",
        {"states": states, "submission": submission},
        request=request,
    )


def admin_panel(request, submission) -> str:
    payments = payments_of(submission)
    if not payments:
        return ""
    may_cancel = submission_policy.user_has_permission_for_instance(
        request.user, "change", submission
    )
    states = []
    for payment in payments:
        state = _state(payment)
        if may_cancel and state["to_pay"] and not state["being_paid"]:
            state["cancel_url"] = reverse("fees_admin:cancel", args=[payment.pk])
            state["cancel_form"] = CancelForm(prefix=f"cancel-{payment.pk}")
        states.append(state)
    return render_to_string(
        "fees/admin_panel.html",
        {"states": states, "submission": submission},
        request=request,
    )
