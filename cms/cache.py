"""Whole-page cache for anonymous visitors, per site and language.

A page opts in by setting ``request.page_cache_site_id`` while serving (see
``cms.pages.PortalPageMixin``). The middleware stores the finished response
when the visitor is anonymous and serves it again, before sessions,
authentication and URL resolution run.

Each entry is kept under its host and path, with the site it belongs to and
that site's generation when it was stored. Publishing a page or saving the
commune's settings gives the site a new generation, so every entry of that site
is stale at once while other sites keep theirs. A generation is a timestamp,
never a counter: if the cache drops it, the next one is new too, and no entry
stored before can come back to life.

Only GET/HEAD requests without a query string and without a session cookie are
served from or stored in the cache; responses that set cookies are not stored.
The language is part of the path (``/en/...``), so the key covers it.

A shared cache in front of the app servers (the proxy, a CDN) may keep the
same responses for ``EDGE_CACHE_TIMEOUT`` seconds (``s-maxage``; browsers
still revalidate, ``max-age=0``). Nothing purges it: a publish shows there
within that time, so keep it short. 0 (the default) lets no shared cache keep
them.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.utils.cache import patch_cache_control
from wagtail.models import Site

GENERATION_KEY = "pagecache:generation:{site_id}"
PAGE_KEY = "pagecache:page:{scheme}:{host}:{path}"


def generation(key: str) -> int:
    """The generation kept under ``key``: a timestamp, set on first use."""
    value = cache.get(key)
    if value is None:
        cache.add(key, time.time_ns(), timeout=None)
        value = cache.get(key)
    return value


def new_generation(key: str) -> None:
    """Make everything kept under the generation of ``key`` stale at once."""
    cache.set(key, time.time_ns(), timeout=None)


def site_generation(site_id) -> int:
    return generation(GENERATION_KEY.format(site_id=site_id))


def invalidate_site(site_id) -> None:
    """Make every cached page of one site stale at once."""
    new_generation(GENERATION_KEY.format(site_id=site_id))


def invalidate_all() -> None:
    for site_id in Site.objects.values_list("pk", flat=True):
        invalidate_site(site_id)


SETTINGS_KEY = "settings:{model}:{site_id}:{generation}"


class CachedSiteSetting:
    """For a Wagtail site setting: ``for_request`` reads it from the cache,
    under the site's generation, which saving any setting of the site changes
    (``cms.signals``); ``for_site`` still reads the database."""

    @classmethod
    def for_request(cls, request):
        attr_name = cls.get_cache_attr_name()
        if hasattr(request, attr_name):
            return getattr(request, attr_name)
        site = Site.find_for_request(request)
        if site is None:
            return super().for_request(request)
        key = SETTINGS_KEY.format(
            model=cls._meta.label_lower, site_id=site.pk, generation=site_generation(site.pk)
        )
        site_settings = cache.get(key)
        if site_settings is None:
            site_settings = cls.for_site(site)
            cache.set(key, site_settings, timeout=settings.PAGE_CACHE_TIMEOUT)
        site_settings._request = request
        setattr(request, attr_name, site_settings)
        return site_settings


class AnonymousPageCacheMiddleware:
    """Serves and stores the anonymous pages (see the module's docstring).

    It comes first in ``MIDDLEWARE``, outside the middleware that writes the
    Content-Security-Policy and the other headers (security, framing,
    caching), so that a stored page keeps them: a page served again costs one
    read of the cache (two with a file cache) and no other middleware. A page
    whose policy carries a nonce is never stored, so that no nonce is ever
    served twice. The key holds the scheme: a page stored for HTTPS, with its
    ``Strict-Transport-Security``, is never served over HTTP. Static files go
    straight on to WhiteNoise.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.timeout = settings.PAGE_CACHE_TIMEOUT
        self.edge_timeout = settings.EDGE_CACHE_TIMEOUT
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")
        self.sites_by_host: dict[str, int] = {}
        """The site of each host this process has stored a page of, to read
        the page and its site's generation in one round trip."""

    def _candidate(self, request) -> bool:
        return (
            request.method in ("GET", "HEAD")
            and not request.path_info.startswith(self.static_prefix)
            and not request.META.get("QUERY_STRING")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
        )

    def __call__(self, request):
        if not self._candidate(request):
            return self.get_response(request)

        host = request.get_host()
        key = PAGE_KEY.format(scheme=request.scheme, host=host, path=request.path)
        known_site = self.sites_by_host.get(host)
        if known_site is None:
            entry, generation = cache.get(key), None
        else:
            generation_key = GENERATION_KEY.format(site_id=known_site)
            found = cache.get_many([key, generation_key])
            entry, generation = found.get(key), found.get(generation_key)
        if entry is not None:
            site_id, stored_generation, response = entry
            if site_id != known_site:
                generation = cache.get(GENERATION_KEY.format(site_id=site_id))
            if generation == stored_generation:
                return response

        response = self.get_response(request)
        site_id = getattr(request, "page_cache_site_id", None)
        if (
            site_id is not None
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not request.user.is_authenticated
            and getattr(request, "_csp_nonce", None) is None
        ):
            patch_cache_control(response, public=True, max_age=0)
            if self.edge_timeout:
                patch_cache_control(response, s_maxage=self.edge_timeout)
            cache.set(key, (site_id, site_generation(site_id), response), timeout=self.timeout)
            self.sites_by_host[host] = site_id
        return response
