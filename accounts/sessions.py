"""Sessions: idle timeout, the warning before it, and ending sessions.

- Django's ``login()`` gives every sign-in a new session key, and ``logout()``
  deletes the session from its store (database row or cache entry).
- ``IdleSessionMiddleware`` ends a session after
  ``SESSION_IDLE_TIMEOUT_CITIZEN`` (citizens) or ``SESSION_IDLE_TIMEOUT_STAFF``
  (staff) seconds without a request, and sends the user to their login page.
  The time of the last request is written to the session when it has moved
  by a minute or more (``ACTIVITY_STEP``), not at every request.
  ``session_status_view`` tells the pages how long is left (so that every tab
  agrees) without counting as activity; a POST to it ("Stay logged in") does.
- ``PrivateResponsesMiddleware`` marks what a logged-in person is answered
  ``Cache-Control: private, no-store``, unless the view set its own policy.
- A new password ends the user's other sessions (``User.save``). Sessions
  live in the database by default and in Redis in production, where they
  cannot be searched by user: every session a user logs in to is therefore
  recorded in ``UserSession`` and deleted through the session engine. Django's
  session authentication hash (the password's) backs this up for sessions
  recorded before, which stop authenticating at their next request.
"""

import time
from importlib import import_module
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import path, reverse
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from cms.tenancy import current_request

#: The time of the user's last request (seconds since the epoch).
LAST_ACTIVITY = "_last_activity"

#: The recorded time moves by steps of this many seconds at least: a request
#: less than a minute after the recorded one writes no session. The timeout
#: stays exact to the minute, and "Stay logged in" always records its time.
ACTIVITY_STEP = 60

SESSION_EXPIRED = _(
    "Your session has expired after %(minutes)s minutes without activity. Please log in again."
)


def is_staff_session(user) -> bool:
    """Staff have no commune; their sessions get the shorter timeout."""
    return not getattr(user, "is_citizen", False)


def idle_timeout(user) -> int:
    if is_staff_session(user):
        return settings.SESSION_IDLE_TIMEOUT_STAFF
    return settings.SESSION_IDLE_TIMEOUT_CITIZEN


def login_url_for(user, next_url: str = "") -> str:
    url = reverse("wagtailadmin_login") if is_staff_session(user) else reverse("accounts:login")
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def remaining_seconds(request) -> int:
    last = request.session.get(LAST_ACTIVITY)
    if last is None:
        return idle_timeout(request.user)
    return max(0, last + idle_timeout(request.user) - int(time.time()))


def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def sessions_end_for(user, *, keep: str | None = None) -> int:
    """Delete every recorded session of ``user`` except ``keep``; returns how
    many were ended."""
    from .models import UserSession

    sessions = UserSession.objects.filter(user=user)
    if keep:
        sessions = sessions.exclude(session_key=keep)
    keys = list(sessions.values_list("session_key", flat=True))
    store = _session_store()
    for key in keys:
        store(session_key=key).delete()
    sessions.delete()
    return len(keys)


def sessions_end_others(user) -> int:
    """End ``user``'s sessions except the one of the request being served,
    when it is theirs (a password changed by the user themselves)."""
    request = current_request.get()
    keep = None
    if (
        request is not None
        and getattr(request, "session", None) is not None
        and getattr(request.user, "pk", None) == user.pk
    ):
        keep = request.session.session_key
    return sessions_end_for(user, keep=keep)


def _record_session(request, key_before: str | None) -> None:
    from .models import UserSession

    key = request.session.session_key
    user = getattr(request, "user", None)
    if not key or key == key_before or user is None or not user.is_authenticated:
        return
    UserSession.objects.update_or_create(session_key=key, defaults={"user_id": user.pk})
    if key_before:
        UserSession.objects.filter(session_key=key_before).delete()


@receiver(user_logged_in)
def _start_idle_clock(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[LAST_ACTIVITY] = int(time.time())


@receiver(user_logged_out)
def _forget_session(sender, request, user, **kwargs):
    from .models import UserSession

    if request is not None and request.session.session_key:
        UserSession.objects.filter(session_key=request.session.session_key).delete()


def _is_status_poll(request) -> bool:
    return request.method in ("GET", "HEAD") and request.path == reverse("session_status")


def _is_stay_logged_in(request) -> bool:
    return request.method == "POST" and request.path == reverse("session_status")


def _editing_pings_prefix() -> str:
    ping = reverse("wagtailadmin_editing_sessions:ping", args=["a", "b", "c", 1])
    return ping[: ping.index("/ping/") + 1]


def _is_background(request) -> bool:
    """Requests that pages make on their own: the time left, and the pings of
    Wagtail's editors (who else is editing). They are not activity."""
    return _is_status_poll(request) or request.path.startswith(_editing_pings_prefix())


def _safe_next(request, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, {request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


class IdleSessionMiddleware:
    """Ends a session idle for longer than its timeout, and records the time
    of every other request (except the pages' status polls) in the session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key_before = request.session.session_key
        user = request.user
        if user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY)
            if last is not None and now - last > idle_timeout(user):
                return self._expired(request, user)
            if not _is_background(request) and (
                last is None or now - last >= ACTIVITY_STEP or _is_stay_logged_in(request)
            ):
                request.session[LAST_ACTIVITY] = now
        response = self.get_response(request)
        _record_session(request, key_before)
        return response

    def _expired(self, request, user):
        minutes = idle_timeout(user) // 60
        if _is_status_poll(request):
            next_url = _safe_next(request, request.GET.get("next", ""))
        else:
            next_url = request.get_full_path() if request.method == "GET" else ""
        login_url = login_url_for(user, next_url)
        _forget_session(None, request, user)
        request.session.flush()
        request.user = _anonymous()
        messages.warning(request, SESSION_EXPIRED % {"minutes": minutes})
        if request.path == reverse("session_status"):
            return JsonResponse({"expired": True, "login_url": login_url}, status=401)
        return HttpResponseRedirect(login_url)


class PrivateResponsesMiddleware:
    """What a logged-in person is answered is theirs (their name in the
    layout, their requests, their invoices): ``Cache-Control: private,
    no-store``, so that neither a shared cache nor the browser's keeps it,
    unless the view set its own policy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Cache-Control" not in response and request.user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response


def _anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


@never_cache
@require_http_methods(["GET", "POST"])
def session_status_view(request):
    """How many seconds the session has left (GET: not counted as activity),
    or "stay logged in" (POST: counted, by the middleware)."""
    if not request.user.is_authenticated:
        return JsonResponse({"expired": True}, status=401)
    return JsonResponse(
        {
            "expired": False,
            "remaining": remaining_seconds(request),
            "timeout": idle_timeout(request.user),
            "warning": settings.SESSION_IDLE_WARNING,
        }
    )


urlpatterns = [path("session/", session_status_view, name="session_status")]


# --- Losing a group, or the account, ends the sessions ---------------------------


def _end_sessions_of(user_ids) -> None:
    from .models import User

    for user in User.objects.filter(pk__in=list(user_ids), sessions__isnull=False).distinct():
        sessions_end_for(user)


def _groups_removed(sender, instance, action, reverse, pk_set, **kwargs):
    """A staff member removed from a group, from any screen (the staff
    screen, Wagtail's user or group forms, a script), is signed out
    everywhere: what their sessions could reach changed."""
    if action == "post_remove":
        _end_sessions_of(pk_set if reverse else [instance.pk])
    elif action == "pre_clear":
        _end_sessions_of(
            instance.user_set.values_list("pk", flat=True) if reverse else [instance.pk]
        )


def _group_deleted(sender, instance, **kwargs):
    _end_sessions_of(instance.user_set.values_list("pk", flat=True))


def _user_deactivated(sender, instance, created, **kwargs):
    if not created and not instance.is_active:
        _end_sessions_of([instance.pk])


def _user_deleted(sender, instance, **kwargs):
    _end_sessions_of([instance.pk])


def connect_session_endings() -> None:
    from django.contrib.auth.models import Group
    from django.db.models.signals import m2m_changed, post_save, pre_delete

    from .models import User

    m2m_changed.connect(
        _groups_removed, sender=User.groups.through, dispatch_uid="accounts.sessions.groups"
    )
    pre_delete.connect(_group_deleted, sender=Group, dispatch_uid="accounts.sessions.group")
    post_save.connect(_user_deactivated, sender=User, dispatch_uid="accounts.sessions.inactive")
    pre_delete.connect(_user_deleted, sender=User, dispatch_uid="accounts.sessions.deleted")
