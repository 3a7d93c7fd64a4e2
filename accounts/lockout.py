"""Slowing down password guessing, without ever locking an account for good.

django-axes counts failures per identifier and address (5, then a 15-minute
cool-off). On top of it, one address may fail at most
``ADDRESS_FAILURE_LIMIT`` times per ``ADDRESS_FAILURE_WINDOW``, whatever the
identifiers it tries.
"""

import math

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.dispatch import receiver
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import ngettext
from wagtail.models import Site

from cms.proxies import client_address

from .forms import LoginForm
from .models import User

ADDRESS_KEY = "login-failures:{address}"


def axes_username(request, credentials) -> str:
    """The identifier failures are counted under: per commune for citizens
    (the same identifier on two portals is two people), once for staff, who
    belong to no commune and may try their password on every commune's host."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    username = username.strip().lower()
    if User.objects.filter(site__isnull=True, username__iexact=username).exists():
        return f"staff:{username}"
    has_host = "HTTP_HOST" in request.META or "SERVER_NAME" in request.META
    site = Site.find_for_request(request) if has_host else None
    return f"{site.pk if site else '-'}:{username}"


def retry_message(minutes: int) -> str:
    return ngettext(
        "Too many failed attempts. For your security, please try again in %(minutes)d minute.",
        "Too many failed attempts. For your security, please try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(request, response=None, credentials=None, *args, **kwargs):
    cool_off = get_cool_off(request)
    minutes = max(1, math.ceil(cool_off.total_seconds() / 60)) if cool_off else 15
    return login_refusal(request, retry_message(minutes))


def login_refusal(request, message):
    """The login page again, with the identifier typed and why it refused."""
    form = LoginForm(request, initial={"username": request.POST.get("username", "")})
    return render(request, "accounts/login.html", {"form": form, "refusal": message}, status=429)


def address_is_blocked(request) -> int | None:
    """Minutes to wait when this address has failed too often, else None."""
    entry = cache.get(ADDRESS_KEY.format(address=client_address(request)))
    if not entry:
        return None
    count, started = entry
    window = settings.ADDRESS_FAILURE_WINDOW
    if count < settings.ADDRESS_FAILURE_LIMIT or timezone.now() - started > window:
        return None
    remaining = window - (timezone.now() - started)
    return max(1, math.ceil(remaining.total_seconds() / 60))


@receiver(user_login_failed)
def count_address_failure(sender, credentials, request=None, **kwargs):
    if request is None:
        return
    key = ADDRESS_KEY.format(address=client_address(request))
    now = timezone.now()
    count, started = cache.get(key) or (0, now)
    if now - started > settings.ADDRESS_FAILURE_WINDOW:
        count, started = 0, now
    cache.set(
        key, (count + 1, started), timeout=int(settings.ADDRESS_FAILURE_WINDOW.total_seconds())
    )
