"""Brevo's transactional SMS (``POST /v3/transactionalSMS/send``), through
its HTTP API: an API key in the ``api-key`` header, JSON in and out."""

import requests
from django.utils.translation import gettext_lazy as _

from .base import BaseProvider, OptionSpec, SmsRefused, SmsResult, SmsUnavailable
from .registry import registry

BASE_URL = "https://api.brevo.com"
TIMEOUT = 10


@registry.register
class BrevoProvider(BaseProvider):
    id = "brevo"
    verbose_name = _("Brevo (transactional SMS)")
    options = (
        OptionSpec("api_key", _("API key"), required=True, secret=True),
        OptionSpec(
            "base_url",
            _("API address"),
            help_text=_("Leave empty for Brevo's own address."),
        ),
    )

    def send(self, *, options, to, text, sender):
        url = (options.get("base_url") or BASE_URL).rstrip("/") + "/v3/transactionalSMS/send"
        try:
            response = requests.post(
                url,
                json={
                    "sender": sender,
                    "recipient": to.lstrip("+"),
                    "content": text,
                    "type": "transactional",
                    "unicodeEnabled": False,
                },
                headers={"api-key": options.get("api_key", ""), "accept": "application/json"},
                timeout=TIMEOUT,
            )
        except requests.RequestException as error:
            raise SmsUnavailable(f"Brevo unreachable: {type(error).__name__}") from error
        if response.status_code >= 500:
            raise SmsUnavailable(f"Brevo answered {response.status_code}")
        try:
            data = response.json()
        except ValueError:
            data = {}
        if response.status_code >= 400:
            raise SmsRefused(f"Brevo refused ({response.status_code}): {data.get('code', '')}")
        return SmsResult(
            provider_id=str(data.get("messageId") or data.get("reference") or ""),
            segments=data.get("smsCount"),
        )
