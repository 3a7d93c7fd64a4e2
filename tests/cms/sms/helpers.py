"""Communes and citizens set up for text messages, for the tests of any app."""

from django.utils import timezone

from cms.models import SmsSettings
from tests.accounts.factories import citizen
from tests.cms.sms.fake_provider import BREVO_KEY, OVH_APP_KEY, OVH_APP_SECRET, OVH_CONSUMER_KEY

PHONE = "+33612345678"


def sms_commune(site, server, *, provider="brevo", cap=1000) -> SmsSettings:
    config = SmsSettings.for_site(site)
    config.provider = provider
    config.sender = "MairieCarv"
    config.monthly_cap = cap
    config.options = (
        {"api_key": BREVO_KEY, "base_url": server.url}
        if provider == "brevo"
        else {
            "service_name": "sms-ab12345-1",
            "application_key": OVH_APP_KEY,
            "application_secret": OVH_APP_SECRET,
            "consumer_key": OVH_CONSUMER_KEY,
            "endpoint": "ovh-eu",
            "base_url": server.url,
        }
    )
    config.save()
    return config


def sms_user(site, first_name="Sacha", **extra):
    from tests.accounts.factories import member

    user = citizen(site, first_name, validated=True, members=[member()], **extra)
    user.contact_preference = "phone"
    user.sms_phone = PHONE
    user.sms_phone_verified_at = timezone.now()
    user.save()
    return user
