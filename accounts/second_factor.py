"""The staff's second factor: an authenticator app (TOTP) and recovery codes.

Everyone who can enter the Wagtail admin signs in with their password on
Wagtail's own login page, then with a code of their authenticator app (or a
recovery code, once). ``AdminSecondFactorMiddleware`` sends a signed-in user
who has not given that code from any admin URL to ``second_factor_verify``,
which sends an account without a confirmed app to set one up first. The
device that verified the session is kept in the session by django-otp
(``django_otp.login``).

A sign-in with an identity provider that asked for a second factor itself
(ProConnect, with a multi-factor level) counts instead when the platform
says so (``BaseIdentityProvider.trusts_second_factor``): the session records
the provider (``provider_second_factor_accept``), and is verified as long as
the platform still trusts it.

Codes are never logged: the audit log records that a check succeeded or
failed, never what was typed.
"""

import io
import re

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cms.audit import audit

from .lockout import password_failed

RECOVERY_CODES_COUNT = 10
APP_DEVICE_NAME = "app"
RECOVERY_DEVICE_NAME = "recovery"

WRONG_CODE = _("This code is not valid. Type the 6 digits your app shows now, or a recovery code.")
WRONG_SETUP_CODE = _("This code is not valid. Type the 6 digits your app shows now.")
TOO_MANY_ATTEMPTS = _("Too many wrong codes. Wait %(seconds)s seconds before trying again.")
SECOND_FACTOR_REQUIRED = _("Enter the code of your authenticator app to continue.")
#: The identity provider whose second factor verified this session.
PROVIDER_SECOND_FACTOR_KEY = "second_factor_provider"


def can_access_admin(user) -> bool:
    return user.is_authenticated and (
        user.is_staff or user.is_superuser or user.has_perm("wagtailadmin.access_admin")
    )


def app_device(user, *, confirmed=True) -> TOTPDevice | None:
    return (
        TOTPDevice.objects.devices_for_user(user, confirmed=confirmed)
        .filter(name=APP_DEVICE_NAME)
        .order_by("-pk")
        .first()
    )


def recovery_device(user) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, name=RECOVERY_DEVICE_NAME).first()


def has_second_factor(user) -> bool:
    return app_device(user) is not None


def is_verified(request) -> bool:
    verified = getattr(request.user, "is_verified", None)
    return bool(verified and verified()) or _verified_by_provider(request)


def _verified_by_provider(request) -> bool:
    from .identity import registry

    session = getattr(request, "session", None)
    data = session.get(PROVIDER_SECOND_FACTOR_KEY) if session is not None else None
    if not isinstance(data, dict) or data.get("user") != getattr(request.user, "pk", None):
        return False
    provider = data.get("provider")
    return provider in registry and registry[provider].trusts_second_factor()


def provider_second_factor_accept(request, *, provider: str) -> None:
    """Right after ``login()``: the identity provider ``provider`` asked the
    user for a second factor, which the platform accepts instead of ours."""
    user = request.user
    request.session[PROVIDER_SECOND_FACTOR_KEY] = {"user": user.pk, "provider": provider}
    audit(user, "accounts.second_factor_passed", user=user, data={"method": provider})


@receiver(user_logged_in)
def _forget_provider_second_factor(sender, request, user, **kwargs):
    """A sign-in starts without another sign-in's second factor."""
    if request is not None and hasattr(request, "session"):
        request.session.pop(PROVIDER_SECOND_FACTOR_KEY, None)


def recovery_codes_left(user) -> int:
    device = recovery_device(user)
    return device.token_set.count() if device else 0


# --- Writes ------------------------------------------------------------------


def pending_app_device(user) -> TOTPDevice:
    """The app being set up: unconfirmed until its first code is typed. A
    confirmed app, if any, keeps working until then."""
    device = app_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def recovery_codes_create(*, user) -> list[str]:
    """Ten new recovery codes; the previous ones stop working."""
    with transaction.atomic():
        device, _created = StaticDevice.objects.get_or_create(
            user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def app_device_confirm(*, device: TOTPDevice, code: str) -> bool:
    """Confirm the app being set up with one of its codes; the app it
    replaces, if any, stops working."""
    if not device.verify_token(normalise(code)):
        return False
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    audit(device.user, "accounts.second_factor_set_up", user=device.user)
    return True


def second_factor_reset(*, user, by) -> None:
    """A platform admin removes a staff member's app and recovery codes (a
    lost phone): they set up a new app at their next sign-in."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
    from .sessions import sessions_end_for

    sessions_end_for(user)
    audit(user, "accounts.second_factor_reset", user=by)
    if user.email:
        _email_reset(user=user, by=by)


def _email_reset(*, user, by) -> None:
    """Tell the staff member, in case they did not ask for it."""
    from django.template.defaultfilters import linebreaks
    from django.utils import translation

    from cms.emails import render_plain_text
    from cms.tasks import send_email

    with translation.override(settings.LANGUAGE_CODE):
        context = {"user": user, "by": by, "login_url": admin_login_url()}
        body = render_plain_text("emails/second_factor_reset.txt", context)
        message = {
            "subject": str(_("Your second factor was reset")),
            "body": body,
            "html": linebreaks(body),
            "from_email": settings.DEFAULT_FROM_EMAIL,
            "to": [user.email],
        }
    transaction.on_commit(lambda: send_email.enqueue(**message))


def admin_login_url() -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("wagtailadmin_login")


def normalise(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


class Throttled(Exception):
    def __init__(self, seconds: int):
        super().__init__(seconds)
        self.seconds = seconds


def throttle_wait(device) -> int:
    """Seconds to wait before ``device`` checks another code (0: now)."""
    allowed, data = device.verify_is_allowed()
    if allowed:
        return 0
    locked_until = (data or {}).get("locked_until")
    if locked_until is None:
        return 1
    return max(1, int((locked_until - timezone.now()).total_seconds() + 0.999))


def code_verify(*, request, code: str):
    """The device that accepts ``code`` (6 digits: the app; otherwise a
    recovery code, which is then used up), or None. Raises ``Throttled``
    while wrong codes make the user wait. Both outcomes are audited."""
    user = request.user
    code = normalise(code)
    device = app_device(user) if re.fullmatch(r"\d{6}", code) else recovery_device(user)
    if device is None:
        device = app_device(user)
    if device is None:
        return None
    with transaction.atomic():
        device = type(device).objects.select_for_update().get(pk=device.pk)
        if seconds := throttle_wait(device):
            raise Throttled(seconds)
        verified = device.verify_token(code)
    if verified:
        otp_login(request, device)
        request.session.cycle_key()
        audit(
            user,
            "accounts.second_factor_passed",
            user=user,
            data={"method": "recovery" if isinstance(device, StaticDevice) else "app"},
        )
        return device
    audit(user, "accounts.second_factor_failed", user=user)
    password_failed(request, username=user.get_username())
    return None


def qr_code_svg(device: TOTPDevice) -> str:
    """The app's QR code, drawn here as inline SVG (no external service)."""
    import segno  # imported on use: only setting up an app draws a QR code

    out = io.BytesIO()
    segno.make(device.config_url, error="m").save(
        out,
        kind="svg",
        scale=5,
        border=4,
        xmldecl=False,
        svgns=True,
        omitsize=False,
        title=str(_("QR code to scan with your authenticator app")),
    )
    return out.getvalue().decode()


def secret_for_typing(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing it into an app."""
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


# --- Enforcement -------------------------------------------------------------


def _exempt_paths() -> frozenset[str]:
    return frozenset(
        [
            reverse("wagtailadmin_login"),
            reverse("wagtailadmin_logout"),
            reverse("wagtailadmin_javascript_catalog"),
            reverse("wagtailadmin_sprite"),
            reverse("second_factor_verify"),
            reverse("second_factor_setup"),
        ]
    )


def verify_url(next_url: str = "") -> str:
    url = reverse("second_factor_verify")
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


class AdminSecondFactorMiddleware:
    """No admin URL (pages, API, choosers...) answers a signed-in user who
    can enter the admin until they have given their second factor; nor do
    Wagtail's documents, some of which are kept to signed-in users."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._prefixes = None
        self._exempt = None

    def __call__(self, request):
        if self._prefixes is None:
            self._prefixes = (reverse("wagtailadmin_home"), "/documents/")
            self._exempt = _exempt_paths()
        path = request.path
        if (
            path.startswith(self._prefixes)
            and path not in self._exempt
            and can_access_admin(request.user)
            and not is_verified(request)
        ):
            return self._refuse(request)
        return self.get_response(request)

    def _refuse(self, request):
        wants_html = request.method == "GET" and "text/html" in request.headers.get("Accept", "")
        if not wants_html and (
            request.headers.get("x-requested-with") == "XMLHttpRequest"
            or "/api/" in request.path
            or request.method != "GET"
        ):
            return JsonResponse(
                {"error": str(SECOND_FACTOR_REQUIRED), "verify_url": verify_url()}, status=403
            )
        return HttpResponseRedirect(verify_url(request.get_full_path()))


def mark_verified(client, user) -> None:
    """Make a ``django.test.Client`` logged in as ``user`` (``force_login``)
    count as signed in with a second factor, as if the code had been typed:
    for the tests and the benchmarks, which log staff in without the form."""
    device = app_device(user)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
