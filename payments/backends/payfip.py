"""PayFiP, the DGFiP's card and direct-debit payment of public invoices,
through eopayment's ``payfip_ws`` (the SOAP web service).

PayFiP's notifications carry nothing but the operation's ``idOp``: the
payment is known only by asking PayFiP (``recupererDetailPaiementSecurise``),
so every return, notification and status check does exactly that.
"""

import re
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ..exceptions import GatewayError, InvalidNotification
from .base import IncomingMessage, PaymentRequest
from .eopayment_base import BACKEND_UNAVAILABLE, EopaymentPlugin, cents, plain
from .registry import registry

NO_OPERATION = "PayFiP notification without idOp"
BAD_OPERATION = "PayFiP notification with an idOp that is no PayFiP identifier"
# What PayFiP's identifiers of operations are made of (a UUID); anything else
# is forged, and would fail in the web service's XML (control characters)
# as if PayFiP were down.
IDOP_PATTERN = re.compile(r"^[A-Za-z0-9-]{1,64}$")


@registry.register
class PayFiPPlugin(EopaymentPlugin):
    id = "payfip"
    verbose_name = _("PayFiP (DGFiP)")
    kind = "payfip_ws"
    shown = ("numcli", "saisie")
    labels = {
        "numcli": (_("PayFiP customer number"), _("The 6 digits the DGFiP gave the régie.")),
        "saisie": (
            _("Mode"),
            _("Test while the DGFiP qualifies the régie, then activation, then production."),
        ),
    }
    choices = {"saisie": [("T", _("Test")), ("X", _("Activation")), ("W", _("Production"))]}
    invalid_messages = {"numcli": _("A PayFiP customer number is 6 digits.")}
    #: PayFiP's page of an operation (its ``idOp``) is valid for 15 minutes,
    #: and takes one payment only.
    payment_page_lifetime = timedelta(minutes=15)
    minimal_amount = Decimal("1.00")
    maximal_amount = Decimal("100000.00")

    def is_test_mode(self, options: dict) -> bool:
        return options.get("saisie", "T") == "T"

    def eopayment(self, options, **urls):
        # Imported here: eopayment's PayFiP client brings zeep (about 2 MB
        # per worker), needed only to talk to PayFiP.
        from eopayment.payfip_ws import PayFiP

        payment = super().eopayment(options, **urls)
        if settings.PAYFIP_WSDL_URL:
            payment.backend.payfip = PayFiP(wsdl_url=settings.PAYFIP_WSDL_URL)
        return payment

    def request_kwargs(self, request: PaymentRequest) -> dict:
        return {
            "email": request.email,
            "orderid": request.order_id,
            "exer": str(request.year),
            "subject": request.subject,
        }

    def is_test(self, options, response):
        saisie = (response.bank_data or {}).get("saisie")
        return None if saisie is None else saisie == "T"

    def amount_of(self, bank_data):
        return cents(bank_data["montant"]) if bank_data.get("montant") else None

    def _status(self, options, idop: str, *, started_at=None):
        from eopayment.payfip_ws import PayFiPError

        payment = self.eopayment(options)
        try:
            response = payment.payment_status(idop, transaction_date=started_at)
        except PayFiPError as error:
            raise GatewayError(BACKEND_UNAVAILABLE) from error
        result = self.result(options, response)
        data = plain(response.bank_data)
        numcli = data.get("numcli")
        if numcli and numcli != options.get("numcli"):
            result = replace(result, verified=False)
        return replace(result, bank_order_id=idop, order_id=data.get("refdet", ""))

    def handle_webhook(self, *, options: dict, message: IncomingMessage):
        idop = message.field("idop")
        if not idop:
            raise InvalidNotification(NO_OPERATION)
        if not IDOP_PATTERN.match(idop):
            raise InvalidNotification(BAD_OPERATION)
        return self._status(options, idop)

    def handle_return(self, *, options: dict, message: IncomingMessage, transaction):
        idop = message.field("idop") or transaction.bank_order_id
        if not idop:
            return None
        if not IDOP_PATTERN.match(idop):
            raise InvalidNotification(BAD_OPERATION)
        return self._status(options, idop, started_at=transaction.created_at)

    def payment_status(self, *, options: dict, transaction):
        return self._status(options, transaction.bank_order_id, started_at=transaction.created_at)
