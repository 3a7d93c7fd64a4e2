"""The console provider, for the demo: the message is printed on the task
worker's console, as e-mails are; nothing leaves the server."""

import secrets

from django.utils.translation import gettext_lazy as _

from .base import BaseProvider, SmsResult
from .registry import registry
from .text import segment_count


@registry.register
class ConsoleProvider(BaseProvider):
    id = "console"
    verbose_name = _("Console (demo: messages are written to the server's log)")

    def send(self, *, options, to, text, sender):
        print(f"SMS from {sender} to {to}:\n{text}\n")
        return SmsResult(
            provider_id=f"console-{secrets.token_hex(6)}", segments=segment_count(text)
        )
