"""A commune "en préparation": its portal is seen by its own staff only.

A commune whose settings say it is not open (``CommuneSettings.is_open``)
answers every public address (its pages, the démarches, the login, the
search, the FAQ) with a notice that its portal is being prepared, with the
town hall's contact, except to the people who may enter the admin for that
commune (and platform admins), who see the portal as it will be, under a
banner saying only they see it. The admin, the static files, the health
check and the addresses that banks and billing software call (views marked
``cms.decorators.reachable_in_preparation``) answer as usual.

The notice is a 200, not a 503 with ``Retry-After``: nginx serves its last
copy of a page instead of a 503 (``deploy/nginx/portal.conf``), which would
show a commune closed again the pages it had when open, and monitoring
counts each 503 as an outage, while a commune may be prepared for weeks.
Robots are kept out by ``robots.txt`` (everything disallowed) and
``X-Robots-Tag: noindex`` on every answer of the commune, and no cache keeps
the notice (``Cache-Control: no-store``); the anonymous page cache never
stores it, nor any page served to staff (``cms.cache``).

Opening the commune saves its settings, which makes every cached page of the
commune stale (``cms.signals``): the public sees the portal at the next
request.
"""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods
from wagtail.models import Site

from .decorators import reachable_in_preparation
from .extensions import staff_session_checked
from .models import CommuneSettings
from .tenancy import communes_for

ROBOTS_CLOSED = "User-agent: *\nDisallow: /\n"
ROBOTS_OPEN = "User-agent: *\nDisallow: {admin}\n"


def may_preview(request, site: Site) -> bool:
    """Whether the request's user sees the commune's portal before it opens:
    platform admins, and the staff who may enter the admin for this commune,
    signed in as staff (their second factor given)."""
    user = request.user
    if not (user.is_authenticated and user.is_active):
        return False
    if not (user.is_superuser or user.has_perm("wagtailadmin.access_admin")):
        return False
    if not staff_session_checked(request):
        return False
    return user.is_superuser or communes_for(user).filter(pk=site.pk).exists()


def in_preparation_response(request, commune: CommuneSettings) -> HttpResponse:
    response = render(request, "cms/in_preparation.html", {"commune": commune})
    add_never_cache_headers(response)
    return response


class CommuneInPreparationMiddleware:
    """Answers the public addresses of a commune not open with the notice,
    except to its staff (see the module's docstring); marks every answer of
    such a commune ``noindex`` and tells the layout to show the staff's
    banner (``request.commune_in_preparation``)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._exempt = None

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "commune_in_preparation", False):
            response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    def exempt_prefixes(self) -> tuple[str, ...]:
        if self._exempt is None:
            prefixes = (reverse("wagtailadmin_home"), settings.STATIC_URL, settings.MEDIA_URL)
            self._exempt = tuple(prefix for prefix in prefixes if prefix)
        return self._exempt

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "reachable_in_preparation", False) or request.path.startswith(
            self.exempt_prefixes()
        ):
            return None
        site = Site.find_for_request(request)
        if site is None:
            return None
        commune = CommuneSettings.for_request(request)
        if commune.is_open:
            return None
        request.commune_in_preparation = True
        if may_preview(request, site):
            return None
        return in_preparation_response(request, commune)


@reachable_in_preparation
@require_http_methods(["GET", "HEAD"])
def robots_txt(request):
    """Everything is disallowed on a commune "en préparation"; the admin on
    one open to the public."""
    site = Site.find_for_request(request)
    is_open = site is None or CommuneSettings.for_request(request).is_open
    text = ROBOTS_OPEN.format(admin=reverse("wagtailadmin_home")) if is_open else ROBOTS_CLOSED
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    # Opening the commune changes it at once; it is read seldom and costs nothing.
    add_never_cache_headers(response)
    return response
