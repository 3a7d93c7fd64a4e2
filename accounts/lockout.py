"""Slowing down password guessing, without ever locking an account for good.

django-axes counts failures per identifier and client address (5, then a
15-minute cool-off): a stranger's failures never lock a person out from
their own address. On top of it, one address may fail at most
``ADDRESS_FAILURE_LIMIT`` times per ``ADDRESS_FAILURE_WINDOW``, whatever the
identifiers it tries. The address is the client's, behind the trusted
proxies (``cms.proxies``).

Every form where a password or a second-factor code is typed
(``PASSWORD_VIEWS``) goes through both limits: a failure is a
``user_login_failed`` signal (sent by ``authenticate()`` on the login pages,
by ``User.check_password`` for a wrong password typed elsewhere, by
``password_failed`` for a wrong code), and ``PasswordLimitMiddleware``
refuses their POSTs while a limit is reached.
"""

import math

from axes.handlers.proxy import AxesProxyHandler
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
RESET_ADDRESS_KEY = "password-resets:{address}"
RESET_ACCOUNT_KEY = "password-resets:account:{pk}"
EMAIL_CHANGE_ACCOUNT_KEY = "email-changes:account:{pk}"

#: The views (URL names) where a password or a second-factor code is typed.
PASSWORD_VIEWS = frozenset(
    {
        "accounts:login",
        "accounts:password_change",
        "accounts:erase",
        "wagtailcore_login",
        "wagtailcore_authenticate_with_password",
        "wagtailadmin_login",
        "wagtailadmin_account",
        "second_factor_verify",
        "second_factor_setup",
        "second_factor_manage",
        "staff_invitation",
    }
)
#: The citizens' login pages: a refusal shows the login form again.
CITIZEN_LOGIN_VIEWS = frozenset({"accounts:login", "wagtailcore_login"})
#: Password views whose failures nothing else reports: a POST they answer
#: without a redirect is a wrong password (a page's shared password, which
#: belongs to no account: it counts for the address only).
UNREPORTED_VIEWS = frozenset({"wagtailcore_authenticate_with_password"})


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


def _cool_off_minutes(request) -> int:
    cool_off = get_cool_off(request)
    return max(1, math.ceil(cool_off.total_seconds() / 60)) if cool_off else 15


def lockout_response(request, response=None, credentials=None, *args, **kwargs):
    return refusal_response(request, retry_message(_cool_off_minutes(request)))


def refusal_response(request, message):
    """429 with why: the citizens' login page again, with the identifier
    typed; elsewhere a page saying when to try again."""
    view_name = getattr(request.resolver_match, "view_name", None)
    if view_name in CITIZEN_LOGIN_VIEWS:
        return login_refusal(request, message)
    in_admin = view_name is not None and (view_name.startswith(("wagtailadmin_", "second_factor_")))
    template = (
        "accounts/admin/too_many_attempts.html" if in_admin else "accounts/too_many_attempts.html"
    )
    return render(request, template, {"refusal": message}, status=429)


def login_refusal(request, message):
    """The login page again, with the identifier typed and why it refused."""
    form = LoginForm(request, initial={"username": request.POST.get("username", "")})
    return render(request, "accounts/login.html", {"form": form, "refusal": message}, status=429)


def password_failed(request, *, username: str) -> None:
    """A wrong secret typed outside a login form (a second-factor code, the
    current password on another form): counted as a failed login of
    ``username`` from this address."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)


def identifier_is_blocked(request, username: str) -> int | None:
    """Minutes to wait when ``username`` cools off at this address, else None."""
    if not AxesProxyHandler.is_locked(request, credentials={"username": username}):
        return None
    return _cool_off_minutes(request)


def _minutes_left(key: str, *, limit: int, window) -> int | None:
    """Minutes until the window counted under ``key`` ends, when ``limit``
    was reached within it; else None."""
    count, started = cache.get(key) or (0, None)
    if count < limit or timezone.now() - started > window:
        return None
    return max(1, math.ceil((window - (timezone.now() - started)).total_seconds() / 60))


def _count(key: str, *, window) -> None:
    """One more under ``key``, in a window that starts anew once it is over."""
    now = timezone.now()
    count, started = cache.get(key) or (0, now)
    if now - started > window:
        count, started = 0, now
    cache.set(key, (count + 1, started), timeout=int(window.total_seconds()))


def address_is_blocked(request) -> int | None:
    """Minutes to wait when this address has failed too often, else None."""
    return _minutes_left(
        ADDRESS_KEY.format(address=client_address(request)),
        limit=settings.ADDRESS_FAILURE_LIMIT,
        window=settings.ADDRESS_FAILURE_WINDOW,
    )


@receiver(user_login_failed)
def count_address_failure(sender, credentials, request=None, **kwargs):
    if request is None:
        return
    _count(
        ADDRESS_KEY.format(address=client_address(request)),
        window=settings.ADDRESS_FAILURE_WINDOW,
    )


def password_limit_refusal(request):
    """The 429 answer to a password or a code sent while the client's address
    has failed too often, or while the signed-in user's identifier cools off
    at this address; None when it may be checked. The identifiers typed on
    the login pages are checked by django-axes' backend."""
    minutes = address_is_blocked(request)
    if minutes is None and request.user.is_authenticated:
        minutes = identifier_is_blocked(request, request.user.get_username())
    return refusal_response(request, retry_message(minutes)) if minutes else None


class PasswordLimitMiddleware:
    """Applies ``password_limit_refusal`` to every POST to ``PASSWORD_VIEWS``
    (after Django's CSRF check, which refuses a foreign form first), except
    the citizens' login: exempt from CSRF, it checks the form's origin itself,
    then the limits. Counts the failures of ``UNREPORTED_VIEWS``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        view_name = getattr(request.resolver_match, "view_name", None)
        if request.method != "POST" or view_name not in PASSWORD_VIEWS:
            return None
        if view_name != "accounts:login" and (refusal := password_limit_refusal(request)):
            return refusal
        if view_name in UNREPORTED_VIEWS:
            response = view_func(request, *view_args, **view_kwargs)
            if not response.has_header("Location"):
                count_address_failure(sender=__name__, credentials={}, request=request)
            return response
        return None


def _count_within_limit(key: str, *, limit: int, window) -> int | None:
    """Count one more request under ``key``, or, past ``limit`` requests in
    ``window``, count nothing and return the minutes left to wait."""
    if minutes := _minutes_left(key, limit=limit, window=window):
        return minutes
    _count(key, window=window)
    return None


def password_reset_address_limited(request) -> int | None:
    """Counts a request for a password reset link from this address; minutes
    to wait when it asked too often (``PASSWORD_RESET_ADDRESS_LIMIT``)."""
    return _count_within_limit(
        RESET_ADDRESS_KEY.format(address=client_address(request)),
        limit=settings.PASSWORD_RESET_ADDRESS_LIMIT,
        window=settings.PASSWORD_RESET_WINDOW,
    )


def password_reset_account_limited(user) -> bool:
    """Counts a reset link e-mailed to ``user``; True when they have received
    ``PASSWORD_RESET_ACCOUNT_LIMIT`` already, from whatever addresses."""
    key = RESET_ACCOUNT_KEY.format(pk=user.pk)
    return bool(
        _count_within_limit(
            key,
            limit=settings.PASSWORD_RESET_ACCOUNT_LIMIT,
            window=settings.PASSWORD_RESET_WINDOW,
        )
    )


def email_change_account_limited(user) -> int | None:
    """Counts a request of ``user`` to change their e-mail address; minutes to
    wait once they have asked ``EMAIL_CHANGE_ACCOUNT_LIMIT`` times already,
    whatever the addresses (each request e-mails the address typed)."""
    return _count_within_limit(
        EMAIL_CHANGE_ACCOUNT_KEY.format(pk=user.pk),
        limit=settings.EMAIL_CHANGE_ACCOUNT_LIMIT,
        window=settings.EMAIL_CHANGE_WINDOW,
    )
