"""Unused citizen accounts are erased (GDPR article 5(1)(e)), as part of the
daily retention run (``services.retention.retention_apply``).

A citizen account unused (no sign-in) for ``INACTIVITY_WARNING_MONTHS`` is
warned by e-mail; if it is still unused after ``INACTIVITY_DELETION_MONTHS``
and at least ``WARNING_NOTICE_DAYS`` after the warning, the apps erase or
anonymise what they keep of it (``register_inactive_account_eraser``) and the
account is erased (``accounts.services.account_erase``). Signing in cancels
it (``accounts.signals``). Staff accounts have no commune and are never
concerned; neither is an account an app still needs
(``register_account_in_use``: one with a request being processed).

Each step claims its rows with a conditional update or a lock before acting,
so two runs at once do each thing once.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from cms.dates import months_after, months_before
from cms.notifications import ACCOUNT, Notification, notify_on_commit

from .extensions import accounts_in_use, inactive_account_erasers
from .models import User
from .notifications import citizen_recipient
from .services import account_erase

INACTIVITY_WARNING_MONTHS = 23
INACTIVITY_DELETION_MONTHS = 24
WARNING_NOTICE_DAYS = 30


def citizens_of(site):
    """The commune's citizen accounts; staff have no commune and never appear."""
    return (
        User.objects.filter(site=site, is_staff=False, is_superuser=False)
        .annotate(last_activity=Coalesce("last_login", "date_joined"))
        .order_by("pk")
    )


def _in_use() -> Q:
    condition = Q(pk__in=[])
    for in_use in accounts_in_use():
        condition |= in_use
    return condition


def accounts_to_warn(*, site, now: datetime):
    return (
        citizens_of(site)
        .filter(
            inactivity_warned_at__isnull=True,
            last_activity__lt=months_before(now, INACTIVITY_WARNING_MONTHS),
        )
        .exclude(_in_use())
        .distinct()
    )


def accounts_to_erase(*, site, now: datetime):
    return (
        citizens_of(site)
        .filter(
            inactivity_warned_at__isnull=False,
            inactivity_warned_at__lte=now - timedelta(days=WARNING_NOTICE_DAYS),
            last_activity__lt=months_before(now, INACTIVITY_DELETION_MONTHS),
        )
        .exclude(last_login__gt=F("inactivity_warned_at"))
        .exclude(_in_use())
        .distinct()
    )


def cancelled_warnings(*, site):
    """Warned accounts that signed in since: the deletion is off."""
    return citizens_of(site).filter(
        inactivity_warned_at__isnull=False, last_login__gt=F("inactivity_warned_at")
    )


def deletion_date(*, user: User, now: datetime) -> datetime:
    last_activity = user.last_login or user.date_joined
    return max(
        months_after(last_activity, INACTIVITY_DELETION_MONTHS),
        now + timedelta(days=WARNING_NOTICE_DAYS),
    )


def account_inactivity_warn(*, user: User, now: datetime) -> bool:
    """Tell the citizen their unused account will be deleted unless they sign
    in; once: False if it was warned already (by another run)."""
    with transaction.atomic():
        claimed = User.objects.filter(pk=user.pk, inactivity_warned_at__isnull=True).update(
            inactivity_warned_at=now
        )
        if not claimed or not user.email:
            return bool(claimed)
        deletion = deletion_date(user=user, now=now)
        notify_on_commit(
            Notification(
                site=user.site,
                recipient=citizen_recipient(user),
                subject=_("Your account will be deleted if you do not sign in"),
                template="account_inactive",
                context={"user": user, "deletion_date": deletion},
                short=_("Your account will be deleted on %(date)s unless you sign in: %(url)s")
                % {
                    "date": date_format(timezone.localtime(deletion), "SHORT_DATE_FORMAT"),
                    "url": user.site.root_url + "/",
                },
                kind=ACCOUNT,
            )
        )
    return True


def account_inactive_erase(*, user: User, now: datetime) -> int | None:
    """Let the apps erase or anonymise what they keep of an unused account,
    then erase it, in one transaction; returns the number of documents
    deleted, or ``None`` if another run erased it first."""
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user.pk, site__isnull=False).first()
        if user is None:
            return None
        files = sum(erase(account=user, now=now) for erase in inactive_account_erasers())
        account_erase(user=user)
    return files
