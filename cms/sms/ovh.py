"""OVHcloud's SMS API (``POST /sms/{serviceName}/jobs``), through OVH's own
client library (the ``ovh`` package), which signs every call."""

import ovh
import requests
from django.utils.translation import gettext_lazy as _

from .base import BaseProvider, OptionSpec, SmsRefused, SmsResult, SmsUnavailable
from .registry import registry

TIMEOUT = 10


@registry.register
class OvhProvider(BaseProvider):
    id = "ovh"
    verbose_name = _("OVHcloud SMS")
    options = (
        OptionSpec(
            "service_name",
            _("SMS account"),
            help_text=_("The name of the OVHcloud SMS account, such as sms-ab12345-1."),
            required=True,
        ),
        OptionSpec("application_key", _("Application key"), required=True),
        OptionSpec("application_secret", _("Application secret"), required=True, secret=True),
        OptionSpec("consumer_key", _("Consumer key"), required=True, secret=True),
        OptionSpec(
            "endpoint",
            _("API region"),
            help_text=_("ovh-eu (the default), ovh-ca or ovh-us."),
            default="ovh-eu",
        ),
        OptionSpec(
            "base_url",
            _("API address"),
            help_text=_("Leave empty for the region's own address."),
        ),
    )

    def client(self, options: dict) -> ovh.Client:
        try:
            client = ovh.Client(
                endpoint=options.get("endpoint") or "ovh-eu",
                application_key=options.get("application_key", ""),
                application_secret=options.get("application_secret", ""),
                consumer_key=options.get("consumer_key", ""),
                timeout=TIMEOUT,
            )
        except ovh.exceptions.InvalidRegion as error:
            raise SmsRefused("OVH: unknown API region") from error
        if options.get("base_url"):
            # The library knows only OVH's own addresses: the tests' fake server is set here.
            client._endpoint = options["base_url"].rstrip("/")
        return client

    def send(self, *, options, to, text, sender):
        client = self.client(options)
        try:
            data = client.post(
                f"/sms/{options.get('service_name', '')}/jobs",
                message=text,
                receivers=[to],
                sender=sender,
                charset="UTF-8",
                coding="7bit",
                noStopClause=True,
                priority="high",
                senderForResponse=False,
            )
        except (ovh.exceptions.HTTPError, ovh.exceptions.NetworkError) as error:
            raise SmsUnavailable(f"OVH unreachable: {type(error).__name__}") from error
        except requests.RequestException as error:
            raise SmsUnavailable(f"OVH unreachable: {type(error).__name__}") from error
        except ovh.exceptions.APIError as error:
            response = getattr(error, "response", None)
            if response is not None and response.status_code >= 500:
                raise SmsUnavailable(f"OVH answered {response.status_code}") from error
            raise SmsRefused(f"OVH refused: {type(error).__name__}") from error
        if not data.get("ids") or data.get("invalidReceivers"):
            raise SmsRefused("OVH refused the number")
        return SmsResult(
            provider_id=str(data["ids"][0]),
            segments=int(data["totalCreditsRemoved"]) if "totalCreditsRemoved" in data else None,
        )
