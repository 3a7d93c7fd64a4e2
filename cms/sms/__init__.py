"""Text messages to citizens: a registry of provider plugins (``registry``),
one module per provider, like the payment backends. OVH and Brevo are real
providers; the console provider prints the message (the demo).

A commune chooses its provider, credentials, sender name and monthly cap in
its SMS settings (``cms.models.SmsSettings``); ``cms.sms.services`` sends,
counts, defers at night and falls back to e-mail."""

from . import brevo, console, ovh  # noqa: F401
from .registry import registry

__all__ = ["registry"]
