"""The console provider, for the demo: the message is written to the log,
nothing leaves the server."""

import logging
import secrets

from django.utils.translation import gettext_lazy as _

from .base import BaseProvider, SmsResult
from .registry import registry
from .text import segment_count

logger = logging.getLogger("cms.sms")


@registry.register
class ConsoleProvider(BaseProvider):
    id = "console"
    verbose_name = _("Console (demo: messages are written to the server's log)")

    def send(self, *, options, to, text, sender):
        logger.warning("SMS from %s to %s: %s", sender, to, text)
        print(f"SMS from {sender} to {to}:\n{text}\n")
        return SmsResult(
            provider_id=f"console-{secrets.token_hex(6)}", segments=segment_count(text)
        )
