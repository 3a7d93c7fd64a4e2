"""Systempay (Banque Populaire, Caisse d'Épargne) and PayZen, through
eopayment. Their answers are signed with the shop's key; the notification
address is set in the shop's back office, as this régie's notification
address (shown in the régie's admin page)."""

from django.utils.translation import gettext_lazy as _

from .base import PaymentRequest
from .eopayment_base import EopaymentPlugin, cents
from .registry import registry


@registry.register
class SystempayPlugin(EopaymentPlugin):
    id = "systempay"
    verbose_name = _("Systempay")
    kind = "systempayv2"
    shown = (
        "vads_site_id",
        "vads_ctx_mode",
        "secret_test",
        "secret_production",
        "signature_algo",
        "service_url",
    )
    labels = {
        "vads_site_id": (_("Shop identifier"), _("The 8 digits of the shop.")),
        "vads_ctx_mode": (_("Mode"), ""),
        "secret_test": (_("Test key"), _("From the back office: Settings, Shop, Keys.")),
        "secret_production": (_("Production key"), _("Needed in production mode only.")),
        "signature_algo": (_("Signature algorithm"), _("As set in the back office.")),
        "service_url": (_("Payment page address"), _("Change it only if the bank asks.")),
    }
    choices = {"vads_ctx_mode": [("TEST", _("Test")), ("PRODUCTION", _("Production"))]}
    secrets = frozenset({"secret_test", "secret_production"})
    invalid_messages = {"vads_site_id": _("A shop identifier is 8 digits.")}

    def is_test_mode(self, options: dict) -> bool:
        return options.get("vads_ctx_mode", "TEST") == "TEST"

    def request_kwargs(self, request: PaymentRequest) -> dict:
        return {
            "email": request.email,
            "orderid": request.order_id,
            "transaction_id": request.order_id,
        }

    def amount_of(self, bank_data):
        return cents(bank_data["vads_amount"]) if bank_data.get("vads_amount") else None


@registry.register
class PayZenPlugin(SystempayPlugin):
    id = "payzen"
    verbose_name = _("PayZen")
    kind = "payzen"
