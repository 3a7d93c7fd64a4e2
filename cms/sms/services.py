"""Sending a text message for a commune: never at night unless urgent,
within the monthly cap, and by e-mail instead when it cannot go.

``sms_queue`` records the message (``SentSms``) and hands it to the task
worker, or keeps it for the morning when it is night in the commune
(``settings.SMS_QUIET_HOURS``, local time); the daily job ``sms_morning``
(``cms.scheduling``) sends what waited. ``sms_deliver`` runs in the worker:
cap, provider, log, fallback e-mail, and the supervisors' warning at 80% of
the cap, once a month."""

import logging
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import SentSms, SmsSettings, SmsStatus
from .base import SmsError
from .registry import registry
from .text import segment_count, to_gsm7

logger = logging.getLogger("cms.sms")

CAP_WARNING_RATIO = 0.8
NOT_OFFERED = "no provider configured"


def phone_hint(number: str) -> str:
    return f"…{number[-2:]}" if number else ""


def sms_settings(site) -> SmsSettings:
    return SmsSettings.for_site(site)


def sms_offered(site) -> bool:
    return sms_settings(site).offered


def in_quiet_hours(moment: datetime | None = None) -> bool:
    start, end = settings.SMS_QUIET_HOURS
    hour = timezone.localtime(moment or timezone.now()).hour
    if start > end:
        return hour >= start or hour < end
    return start <= hour < end


def month_start(moment: datetime | None = None) -> datetime:
    local = timezone.localtime(moment or timezone.now())
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def segments_this_month(site, *, moment: datetime | None = None) -> int:
    used = SentSms.objects.filter(
        site=site, status=SmsStatus.SENT, sent_at__gte=month_start(moment)
    ).aggregate(total=Sum("segments"))["total"]
    return used or 0


def sms_queue(
    *, site, phone: str, text: str, kind: str, urgent: bool = False, fallback: dict | None = None
) -> SentSms:
    """Record a text message to ``phone`` and send it by the task worker once
    the transaction commits, or in the morning when it is night and the
    message can wait. ``fallback`` is the e-mail sent instead if it cannot go."""
    from .tasks import send_sms

    text = to_gsm7(text)[:480]
    waits = not urgent and in_quiet_hours()
    sms = SentSms.objects.create(
        site=site,
        kind=kind,
        status=SmsStatus.DEFERRED if waits else SmsStatus.QUEUED,
        segments=segment_count(text),
        phone=phone,
        phone_hint=phone_hint(phone),
        text=text,
        fallback=fallback,
    )
    if not waits:
        transaction.on_commit(lambda: send_sms.enqueue(sms_id=sms.pk))
    return sms


def _close(sms: SentSms, **fields) -> None:
    fields.update(phone="", text="", fallback=None)
    SentSms.objects.filter(pk=sms.pk).update(**fields)
    for name, value in fields.items():
        setattr(sms, name, value)


def _provider_send(sms: SentSms, config: SmsSettings | None) -> bool:
    """Send by the provider and log what became of it; whether it went."""
    if config is None or not config.offered:
        _close(sms, status=SmsStatus.FAILED, error=NOT_OFFERED)
        return False
    if config.monthly_cap and segments_this_month(sms.site) + sms.segments > config.monthly_cap:
        _close(sms, status=SmsStatus.CAPPED, provider=config.provider)
        return False
    provider = registry[config.provider]
    try:
        result = provider.send(
            options=config.options, to=sms.phone, text=sms.text, sender=config.sender
        )
    except SmsError as error:
        logger.warning("SMS %s of commune %s not sent: %s", sms.pk, sms.site_id, error)
        _close(sms, status=SmsStatus.FAILED, provider=provider.id, error=str(error)[:200])
        return False
    _close(
        sms,
        status=SmsStatus.SENT,
        provider=provider.id,
        provider_message_id=result.provider_id[:100],
        segments=result.segments or sms.segments,
        sent_at=timezone.now(),
    )
    return True


def sms_deliver(*, sms_id: int) -> SentSms | None:
    """Send a recorded message, once: by the commune's provider within its
    cap, else by its fallback e-mail. Returns the message, or ``None`` when
    another run handled it."""
    from ..tasks import email_message

    with transaction.atomic():
        sms = (
            SentSms.objects.select_for_update()
            .select_related("site")
            .filter(pk=sms_id, status__in=[SmsStatus.QUEUED, SmsStatus.DEFERRED])
            .first()
        )
        if sms is None:
            return None
        # Locks the commune's settings: two workers never both pass the cap.
        config = SmsSettings.objects.select_for_update().filter(site_id=sms.site_id).first()
        fallback = sms.fallback
        sent = _provider_send(sms, config)
    if not sent:
        logger.info(
            "SMS %s of commune %s: %s, e-mail sent instead", sms.pk, sms.site_id, sms.status
        )
        if fallback:
            email_message(**fallback).send()
    elif config.monthly_cap:
        cap_warning_check(config)
    return sms


def sms_send_deferred() -> int:
    """Send the messages kept for the morning, once it is morning (a worker
    started at night runs the day's missed job at once); how many were handled."""
    if in_quiet_hours():
        return 0
    handled = 0
    for sms_id in SentSms.objects.filter(status=SmsStatus.DEFERRED).values_list("pk", flat=True):
        handled += sms_deliver(sms_id=sms_id) is not None
    return handled


CAP_WARNING_SUBJECT = _("Text messages: %(percent)d%% of this month's cap used")


def cap_warning_check(config: SmsSettings) -> bool:
    """E-mail the commune's supervisors once a month when 80% of the cap is used."""
    from django.contrib.auth import get_user_model

    from ..emails import send_commune_email
    from ..services import SUPERVISORS_GROUP

    month = timezone.localtime().strftime("%Y-%m")
    used = segments_this_month(config.site)
    if used < CAP_WARNING_RATIO * config.monthly_cap or config.cap_warned_month == month:
        return False
    claimed = (
        SmsSettings.objects.filter(pk=config.pk)
        .exclude(cap_warned_month=month)
        .update(cap_warned_month=month)
    )
    if not claimed:
        return False
    supervisors = get_user_model().objects.filter(
        groups__name=SUPERVISORS_GROUP.format(name=config.site.site_name), is_active=True
    )
    percent = int(100 * used / config.monthly_cap)
    for email in sorted({user.email for user in supervisors if user.email}):
        send_commune_email(
            site=config.site,
            to=email,
            subject=CAP_WARNING_SUBJECT % {"percent": percent},
            template="sms_cap_warning",
            context={"used": used, "cap": config.monthly_cap, "percent": percent},
        )
    return True
