"""Whole-page cache for anonymous visitors, per site and language.

A page opts in by setting ``request.page_cache_site_id`` while serving (see
``cms.pages.PortalPageMixin``). The middleware stores the finished response when the
visitor is anonymous and serves it again, before sessions, authentication and
URL resolution run. Each site has a generation number in the cache; publishing
a page or saving the commune's settings increments it, so the next request
renders afresh.

Only GET/HEAD requests without a query string and without a session cookie are
served from or stored in the cache; responses that set cookies are not stored.
The language is part of the path (``/en/...``), so the key covers it.
"""

from django.conf import settings
from django.core.cache import cache
from django.utils.cache import patch_cache_control
from wagtail.models import Site

GENERATION_KEY = "pagecache:generation:{site_id}"
SITE_ID_KEY = "pagecache:site:{host}"
PAGE_KEY = "pagecache:page:{site_id}:{generation}:{host}:{path}"


def _generation(site_id) -> int:
    return cache.get(GENERATION_KEY.format(site_id=site_id)) or 0


def invalidate_site(site_id) -> None:
    """Make every cached page of one site stale at once."""
    key = GENERATION_KEY.format(site_id=site_id)
    cache.set(key, _generation(site_id) + 1, timeout=None)


def invalidate_all() -> None:
    for site_id in Site.objects.values_list("pk", flat=True):
        invalidate_site(site_id)


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.timeout = settings.PAGE_CACHE_TIMEOUT

    def _candidate(self, request) -> bool:
        return (
            request.method in ("GET", "HEAD")
            and not request.META.get("QUERY_STRING")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
        )

    def __call__(self, request):
        if not self._candidate(request):
            return self.get_response(request)

        host = request.get_host()
        site_id = cache.get(SITE_ID_KEY.format(host=host))
        if site_id is not None:
            key = PAGE_KEY.format(
                site_id=site_id, generation=_generation(site_id), host=host, path=request.path
            )
            cached = cache.get(key)
            if cached is not None:
                return cached

        response = self.get_response(request)
        if (
            getattr(request, "page_cache_site_id", None) is not None
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not request.user.is_authenticated
        ):
            site_id = request.page_cache_site_id
            cache.set(SITE_ID_KEY.format(host=host), site_id, timeout=None)
            key = PAGE_KEY.format(
                site_id=site_id, generation=_generation(site_id), host=host, path=request.path
            )
            patch_cache_control(response, public=True, max_age=0)
            cache.set(key, response, timeout=self.timeout)
        return response
