"""Paybox (Verifone), through eopayment. Its answers are signed with
Paybox's RSA key; they do not say whether the platform was the test one,
which is therefore taken from the régie's settings."""

from django.utils.translation import gettext_lazy as _

from .base import IncomingMessage
from .eopayment_base import EopaymentPlugin, cents
from .registry import registry


@registry.register
class PayboxPlugin(EopaymentPlugin):
    id = "paybox"
    verbose_name = _("Paybox")
    kind = "paybox"
    shown = ("site", "rang", "identifiant", "shared_secret", "cle", "platform")
    labels = {
        "site": (_("Site number"), _("7 digits.")),
        "rang": (_("Rank number"), _("2 or 3 digits.")),
        "identifiant": (_("Paybox identifier"), ""),
        "shared_secret": (_("HMAC key"), _("In hexadecimal, from the Paybox back office.")),
        "cle": (_("Paybox Direct key"), _("Only for refunds through Paybox Direct.")),
        "platform": (_("Platform"), ""),
    }
    choices = {
        "platform": [("test", _("Test")), ("backup", _("Backup")), ("prod", _("Production"))]
    }
    secrets = frozenset({"shared_secret", "cle"})
    invalid_messages = {
        "site": _("A Paybox site number is 7 digits."),
        "rang": _("A Paybox rank number is 2 or 3 digits."),
        "identifiant": _("A Paybox identifier is at most 9 digits."),
        "shared_secret": _("The HMAC key is written in hexadecimal."),
    }

    def is_test_mode(self, options: dict) -> bool:
        return options.get("platform", "test") == "test"

    def is_test(self, options, response) -> bool:
        return self.is_test_mode(options)

    def amount_of(self, bank_data):
        return cents(bank_data["montant"]) if bank_data.get("montant") else None

    def handle_webhook(self, *, options: dict, message: IncomingMessage):
        return self.parse(options, message, callback=True)
