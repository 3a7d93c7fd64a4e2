"""The citizen's "Mes comptes" pages, the cart, paying, the return from the
bank and receipts; the bank's notifications and the billing software's push.

Views read through ``selectors`` (scoped to the request's commune and the
citizen's household), change things through ``services``, and turn
``PaymentError`` into a message in one place (``_refuse``)."""

import contextlib
import json
import logging
import math

from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import citizen_required
from cms.decorators import reachable_in_preparation
from cms.proxies import client_address
from cms.uploads import download

from . import selectors, services
from .backends.base import IncomingMessage
from .exceptions import (
    CartError,
    GatewayError,
    InvalidNotification,
    InvoiceImportError,
    PaymentError,
)
from .forms import INVOICE_NOT_FOUND, InvoiceLookupForm, PayerEmailForm
from .importer import read_json
from .models import EventOutcome, EventSource, TransactionStatus
from .receipts import receipt_context, receipt_filename, receipt_pdf
from .redirects import bank_redirect, portal_base_url

logger = logging.getLogger(__name__)

LOOKUP_KEY = "payments:lookup-failures:{address}"
LOOKUP_FAILURE_LIMIT = 10
LOOKUP_WINDOW_SECONDS = 15 * 60
SESSION_INVOICE = "payments:anonymous_invoice"
API_MAX_BODY = 5 * 1024 * 1024


def _refuse(request, error: PaymentError, to: str):
    """A refused step: its reason above the page it came from. The cart's
    refusal comes with the link the seed FAQ points to."""
    if isinstance(error, CartError) and str(error) == str(services.CART_REFUSED):
        messages.error(
            request,
            format_html(
                '{}<br><a href="{}">{}</a>',
                str(error),
                reverse("payments:cart"),
                _("Go to your cart"),
            ),
        )
    else:
        messages.error(request, str(error))
    return HttpResponseRedirect(to)


def _back(request, default: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return default


def _section_context(request, site, section):
    count, total = selectors.cart_summary(site=site, account=request.user)
    return {"tab": "payments", "section": section, "cart_count": count, "cart_total": total}


# --- Mes comptes ------------------------------------------------------------------


@citizen_required
def invoices_view(request):
    """ "Factures à payer": the household's unpaid invoices, with their PDF."""
    site = request.commune
    account = request.user
    invoices = list(selectors.invoices_to_pay(site=site, account=account))
    in_cart = selectors.cart_invoice_ids(site=site, account=account) if invoices else set()
    return render(
        request,
        "payments/invoices.html",
        {
            **_section_context(request, site, "to_pay"),
            "invoices": invoices,
            "in_cart": in_cart,
            "has_any": bool(invoices)
            or selectors.household_has_invoices(site=site, account=account),
        },
    )


@citizen_required
def statement_view(request):
    """ "Consulter votre relevé": the paid invoices issued in the last 3 months."""
    site = request.commune
    invoices = list(selectors.statement(site=site, account=request.user))
    return render(
        request,
        "payments/statement.html",
        {
            **_section_context(request, site, "statement"),
            "invoices": invoices,
            "months": selectors.STATEMENT_MONTHS,
            "has_any": bool(invoices)
            or selectors.household_has_invoices(site=site, account=request.user),
        },
    )


@citizen_required
def invoice_pdf_view(request, pk):
    site = request.commune
    invoice = selectors.invoice_for_household(site=site, account=request.user, pk=pk)
    if not invoice.pdf:
        raise Http404
    return download(
        invoice.pdf.open("rb"),
        filename=f"facture-{invoice.number}.pdf",
        content_type="application/pdf",
    )


# --- Cart -----------------------------------------------------------------------


@citizen_required
def cart_view(request):
    site = request.commune
    cart = selectors.cart_for(site=site, account=request.user)
    if cart is not None:
        removed = services.cart_refresh(cart=cart)
        if removed:
            messages.info(
                request,
                ngettext(
                    "Invoice %(numbers)s left your cart: it is no longer to pay.",
                    "Invoices %(numbers)s left your cart: they are no longer to pay.",
                    len(removed),
                )
                % {"numbers": ", ".join(invoice.number for invoice in removed)},
            )
            cart = selectors.cart_for(site=site, account=request.user)
    items = list(cart.items.all()) if cart else []
    total = sum((item.invoice.amount for item in items), 0)
    return render(
        request,
        "payments/cart.html",
        {
            **_section_context(request, site, "cart"),
            "cart": cart,
            "items": items,
            "total": total,
            "regie": cart.regie if cart and items else None,
        },
    )


@require_POST
@citizen_required
def cart_add_view(request, pk):
    site = request.commune
    back = _back(request, reverse("payments:invoices"))
    invoice = selectors.invoice_for_household(site=site, account=request.user, pk=pk)
    cart = services.cart_get_or_create(site=site, account=request.user)
    try:
        services.cart_add_invoice(cart=cart, invoice=invoice)
    except CartError as error:
        return _refuse(request, error, back)
    messages.success(request, _("Invoice %(number)s is in your cart.") % {"number": invoice.number})
    return HttpResponseRedirect(back)


@require_POST
@citizen_required
def cart_remove_view(request, pk):
    site = request.commune
    back = _back(request, reverse("payments:cart"))
    invoice = selectors.invoice_for_household(site=site, account=request.user, pk=pk)
    cart = selectors.cart_for(site=site, account=request.user)
    if cart is not None:
        services.cart_remove_invoice(cart=cart, invoice=invoice)
    messages.success(
        request, _("Invoice %(number)s is out of your cart.") % {"number": invoice.number}
    )
    return HttpResponseRedirect(back)


@require_POST
@citizen_required
def cart_pay_view(request):
    site = request.commune
    cart = selectors.cart_for(site=site, account=request.user)
    if cart is None:
        return _refuse(request, CartError(services.CART_EMPTY), reverse("payments:cart"))
    try:
        _transaction, bank = services.transaction_start_from_cart(
            cart=cart, urls=services.PaymentURLs(base_url=portal_base_url(request))
        )
    except PaymentError as error:
        return _refuse(request, error, reverse("payments:cart"))
    return bank_redirect(request, bank)


# --- Paying without an account ----------------------------------------------------


def _lookup_blocked(request) -> int | None:
    entry = cache.get(LOOKUP_KEY.format(address=client_address(request)))
    if not entry:
        return None
    count, started = entry
    elapsed = (timezone.now() - started).total_seconds()
    if count < LOOKUP_FAILURE_LIMIT or elapsed > LOOKUP_WINDOW_SECONDS:
        return None
    return max(1, math.ceil((LOOKUP_WINDOW_SECONDS - elapsed) / 60))


def _lookup_failed(request) -> None:
    key = LOOKUP_KEY.format(address=client_address(request))
    now = timezone.now()
    count, started = cache.get(key) or (0, now)
    if (now - started).total_seconds() > LOOKUP_WINDOW_SECONDS:
        count, started = 0, now
    cache.set(key, (count + 1, started), timeout=LOOKUP_WINDOW_SECONDS)


@never_cache
@require_http_methods(["GET", "POST"])
def pay_without_account_view(request):
    """Find an invoice to pay by the number and key printed on it."""
    site = request.commune
    form = InvoiceLookupForm(request.POST or None, request=request)
    refusal = None
    status = 200
    if request.method == "POST":
        minutes = _lookup_blocked(request)
        if minutes:
            refusal = ngettext(
                "Too many attempts. For the security of the invoices, please try again "
                "in %(minutes)d minute.",
                "Too many attempts. For the security of the invoices, please try again "
                "in %(minutes)d minutes.",
                minutes,
            ) % {"minutes": minutes}
            status = 429
        elif form.is_valid():
            invoice = selectors.invoice_by_number_and_key(
                site=site, number=form.cleaned_data["number"], key=form.cleaned_data["key"]
            )
            if invoice is None:
                _lookup_failed(request)
                form.add_error(None, INVOICE_NOT_FOUND)
            else:
                request.session[SESSION_INVOICE] = invoice.pk
                return redirect("payments:pay_invoice")
    return render(
        request,
        "payments/pay_without_account.html",
        {"form": form, "refusal": refusal},
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def pay_invoice_view(request):
    site = request.commune
    pk = request.session.get(SESSION_INVOICE)
    invoice = selectors.invoice_of_site(site=site, pk=pk) if pk else None
    if invoice is None:
        return redirect("payments:pay_without_account")
    initial = {"email": request.user.email} if request.user.is_authenticated else {}
    form = PayerEmailForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid() and invoice.is_payable:
        try:
            _transaction, bank = services.transaction_start_for_invoice(
                invoice=invoice,
                email=form.cleaned_data["email"],
                urls=services.PaymentURLs(base_url=portal_base_url(request)),
            )
        except PaymentError as error:
            form.add_error(None, str(error))
        else:
            return bank_redirect(request, bank)
    return render(request, "payments/pay_invoice.html", {"invoice": invoice, "form": form})


# --- Back from the bank, receipts ------------------------------------------------------


@never_cache
def transaction_view(request, public_id):
    """The return page: paid, refused, cancelled, or being checked."""
    site = request.commune
    transaction = selectors.transaction_for_visitor(
        site=site, public_id=public_id, user=request.user
    )
    if transaction.is_open and request.GET.get("check") == "1":
        with contextlib.suppress(GatewayError):
            services.transaction_check_status(transaction_=transaction)
        transaction = selectors.transaction_for_visitor(
            site=site, public_id=public_id, user=request.user
        )
    context = {"transaction": transaction, "lines": list(transaction.lines.all())}
    if transaction.account_id:
        context.update(_section_context(request, site, "transaction"))
    return render(request, "payments/transaction.html", context)


@never_cache
def receipt_view(request, public_id):
    site = request.commune
    transaction = selectors.transaction_for_visitor(
        site=site, public_id=public_id, user=request.user
    )
    if transaction.status != TransactionStatus.PAID:
        return redirect("payments:transaction", public_id=public_id)
    context = receipt_context(transaction=transaction)
    if transaction.account_id:
        context.update(_section_context(request, site, "transaction"))
    return render(request, "payments/receipt.html", context)


@never_cache
def receipt_pdf_view(request, public_id):
    site = request.commune
    transaction = selectors.transaction_for_visitor(
        site=site, public_id=public_id, user=request.user
    )
    if transaction.status != TransactionStatus.PAID:
        raise Http404
    return download(
        receipt_pdf(transaction=transaction),
        filename=receipt_filename(transaction),
        content_type="application/pdf",
    )


# --- The bank and the billing software (no session, outside the language prefix) --------


def _without_nul(text: str) -> str:
    """PostgreSQL can neither store nor compare text holding a NUL character,
    which no bank sends: replaced as an undecodable byte is (U+FFFD), so
    that a forged message is still kept, and still fails its signature."""
    return text.replace("\x00", "\ufffd")


def _incoming(request) -> IncomingMessage:
    body = request.body.decode("utf-8", errors="replace") if request.method == "POST" else ""
    source = request.POST if request.method == "POST" else request.GET
    return IncomingMessage(
        method=request.method,
        query_string=_without_nul(request.META.get("QUERY_STRING", "")),
        body=_without_nul(body),
        fields={_without_nul(key): _without_nul(source.get(key, "")) for key in source},
        remote_address=client_address(request) or None,
    )


@reachable_in_preparation
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def bank_return_view(request, public_id):
    """Where the bank sends the citizen back. What the browser brings is
    checked by the backend like a notification; then the return page."""
    site = request.commune
    transaction = selectors.transaction_by_public_id(site=site, public_id=public_id)
    regie = transaction.regie
    message = _incoming(request)
    try:
        result = regie.plugin.handle_return(
            options=regie.backend_options, message=message, transaction=transaction
        )
    except InvalidNotification as error:
        services.event_record(
            transaction=transaction,
            source=EventSource.RETURN,
            outcome=EventOutcome.UNVERIFIED,
            message=message,
            detail=str(error),
        )
    except GatewayError:
        logger.warning("Could not check the return of %s with the bank", transaction.order_id)
    else:
        services.transaction_record_result(
            regie=regie,
            result=result,
            source=EventSource.RETURN,
            message=message,
            transaction_=transaction,
        )
    return redirect("payments:transaction", public_id=public_id)


@reachable_in_preparation
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def notification_view(request, public_id):
    """The bank's server-to-server notification. Trusts nothing it is sent:
    the backend verifies it, then ``transaction_record_result`` checks it
    against our transaction."""
    site = request.commune
    regie = selectors.regie_for_notification(site=site, public_id=public_id)
    message = _incoming(request)
    try:
        result = regie.plugin.handle_webhook(options=regie.backend_options, message=message)
    except InvalidNotification as error:
        services.event_record(
            regie=regie,
            source=EventSource.NOTIFICATION,
            outcome=EventOutcome.UNVERIFIED,
            message=message,
            detail=str(error),
        )
        return HttpResponse("invalid notification", status=400, content_type="text/plain")
    except GatewayError:
        return HttpResponse("bank unreachable", status=503, content_type="text/plain")
    _transaction, outcome = services.transaction_record_result(
        regie=regie, result=result, source=EventSource.NOTIFICATION, message=message
    )
    if outcome in (EventOutcome.APPLIED, EventOutcome.DUPLICATE, EventOutcome.UNCHANGED):
        return HttpResponse(result.response_body, content_type="text/plain")
    return HttpResponse(outcome, status=400, content_type="text/plain")


@reachable_in_preparation
@csrf_exempt
@never_cache
@require_POST
def invoices_push_view(request, public_id):
    """The billing software sends a régie's invoices as JSON, with the
    régie's token: ``Authorization: Bearer <token>``."""
    site = request.commune
    regie = selectors.regie_for_notification(site=site, public_id=public_id)
    token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not regie.api_token_hash or not constant_time_compare(
        services.token_hash(token), regie.api_token_hash
    ):
        return JsonResponse({"error": "invalid token"}, status=401)
    # Read here, up to API_MAX_BODY: request.body would stop at Django's
    # DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) with an HTML error page.
    body = request.read(API_MAX_BODY + 1)
    if len(body) > API_MAX_BODY:
        return JsonResponse({"error": "body larger than 5 MB"}, status=413)
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"error": "the body is not JSON"}, status=400)
    except RecursionError:
        return JsonResponse({"error": "the body is nested too deeply"}, status=400)
    try:
        records, pdfs = read_json(payload)
        report = services.invoices_import(regie=regie, records=records, pdfs=pdfs)
    except InvoiceImportError as error:
        return JsonResponse(
            {"errors": [{"index": index, "reason": reason} for index, reason in error.errors]},
            status=400,
        )
    return JsonResponse(
        {"created": report.created, "updated": report.updated, "unchanged": report.unchanged}
    )
