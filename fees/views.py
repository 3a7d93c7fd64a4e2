"""The citizen pays the amount a request asks for, from the request's page:
in their account, or through the private link of a request made without one."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.decorators import citizen_required
from payments.exceptions import PaymentError
from payments.redirects import bank_redirect, portal_base_url
from payments.services import PaymentURLs, transaction_start_for_invoice
from services.selectors import submission_by_access_key, submission_of

from .selectors import payment_of


def _pay(request, submission, pk, back: str):
    payment = payment_of(submission=submission, pk=pk)
    if payment is None:
        raise Http404
    try:
        _transaction, bank = transaction_start_for_invoice(
            invoice=payment.invoice,
            email=submission.requester_email,
            urls=PaymentURLs(base_url=portal_base_url(request)),
            account=submission.account,
        )
    except PaymentError as error:
        messages.error(request, str(error))
        return redirect(back)
    return bank_redirect(request, bank)


@never_cache
@require_POST
@citizen_required
def submission_pay_view(request, reference, pk):
    submission = submission_of(account=request.user, reference=reference)
    back = reverse("services:submission", kwargs={"reference": reference})
    return _pay(request, submission, pk, back)


@never_cache
@require_POST
def tracking_pay_view(request, key, pk):
    submission = submission_by_access_key(site=request.commune, key=key)
    back = reverse("services:tracking", kwargs={"key": key})
    return _pay(request, submission, pk, back)
