"""Whole-page cache for anonymous visitors, per site and language.

A page opts in by setting ``request.page_cache_site_id`` while serving (see
``cms.pages.PortalPageMixin``). The middleware stores the finished response
when the visitor is anonymous; the WSGI front (``CachedPages``, in
``cms.wsgi``) serves it again before Django builds a request, so before
sessions, authentication, URL resolution and every other middleware.

Each entry is kept under its host and path, with the site it belongs to and
that site's generation when it was stored. Publishing a page or saving the
commune's settings gives the site a new generation, so every entry of that site
is stale at once while other sites keep theirs. A generation is a timestamp,
never a counter: if the cache drops it, the next one is new too, and no entry
stored before can come back to life.

A page whose content changes at a known time (a banner's dates, the hours
of "today") says so with ``request.page_cache_until`` (a ``time.time()``
value): it is kept until then at most.

Only GET/HEAD requests without a query string and without a session cookie are
served from or stored in the cache; responses that set cookies are not stored.
The language is part of the path (``/en/...``), so the key covers it.

A shared cache in front of the app servers (the proxy, a CDN) may keep the
same responses for ``EDGE_CACHE_TIMEOUT`` seconds (``s-maxage``; browsers
still revalidate, ``max-age=0``). Nothing purges it: a publish shows there
within that time, so keep it short. 0 (the default) lets no shared cache keep
them.
"""

import copy
import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from wagtail.models import Site

GENERATION_KEY = "pagecache:generation:{site_id}"
PAGE_KEY = "pagecache:page:{digest}"


def page_cache_key(scheme: str, host: str, path: str) -> str:
    """The key of a page: a digest, so that no host or path a client sends
    makes a key the cache warns about (spaces, control characters, length)."""
    address = f"{scheme}://{host}{path}".encode(errors="surrogatepass")
    return PAGE_KEY.format(digest=hashlib.blake2b(address, digest_size=16).hexdigest())


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
    """Make every cached page of one site stale: at once in this process, and
    in the others within ``PAGE_CACHE_TRUST`` seconds (see ``PageCache``)."""
    new_generation(GENERATION_KEY.format(site_id=site_id))
    pages.generations.pop(site_id, None)


def invalidate_all() -> None:
    for site_id in Site.objects.values_list("pk", flat=True):
        invalidate_site(site_id)


KEPT_ENTRIES = 256
"""Entries kept under a generation that each process keeps in memory."""


class GenerationEntries:
    """Entries of the shared cache kept under a generation in their key (a
    page's route step, a site's settings, its navigation, a FAQ's contents)
    never change once written: a new generation gives them new keys. Each
    process keeps the ones it read last (up to ``KEPT_ENTRIES``), so that
    serving a page does not read, decompress and unpickle them again at each
    request. The generation itself is still read from the shared cache, so a
    publish made in any process shows at the next request.

    The requests of a process share these values: never change one in place,
    except to add what the same generation would give (``route_step`` adds a
    page's children and translations when first asked for)."""

    def __init__(self, capacity: int = KEPT_ENTRIES):
        self.capacity = capacity
        self.kept: OrderedDict[str, object] = OrderedDict()
        self.lock = threading.Lock()
        """``runserver`` serves requests in threads."""

    def get(self, key: str):
        with self.lock:
            value = self.kept.get(key)
            if value is not None:
                self.kept.move_to_end(key)
                return value
        value = cache.get(key)
        if value is not None:
            self._keep(key, value)
        return value

    def set(self, key: str, value, timeout: int | None) -> None:
        cache.set(key, value, timeout=timeout)
        self._keep(key, value)

    def _keep(self, key: str, value) -> None:
        with self.lock:
            self.kept[key] = value
            self.kept.move_to_end(key)
            while len(self.kept) > self.capacity:
                self.kept.popitem(last=False)

    def clear(self) -> None:
        """Forget what this process keeps (the shared cache is left as is)."""
        with self.lock:
            self.kept.clear()


entries = GenerationEntries()


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
        kept = entries.get(key)
        if kept is None:
            kept = cls.for_site(site)
            entries.set(key, kept, timeout=settings.PAGE_CACHE_TIMEOUT)
        site_settings = copy.copy(kept)  # its own ``_request``, as Wagtail's
        site_settings._request = request
        setattr(request, attr_name, site_settings)
        return site_settings


def page_key(environ) -> tuple[str, str] | None:
    """The cache key of the page a request asks for and its host, read from
    its WSGI environment, or None when the request may not be served from the cache:
    a query string, a session cookie, a message waiting to be shown (such as
    "Vous êtes déconnecté"), a static file, no ``Host`` header.

    The host is the raw one Django's ``get_host()`` would return: a page is
    stored only once Django has validated it against ``ALLOWED_HOSTS``, so an
    unknown host finds nothing and goes on to Django, which refuses it."""
    path = environ.get("PATH_INFO", "")
    cookies = environ.get("HTTP_COOKIE", "")
    if (
        environ.get("QUERY_STRING")
        or path.startswith(_static_prefix())
        or settings.SESSION_COOKIE_NAME + "=" in cookies
        or CookieStorage.cookie_name + "=" in cookies
    ):
        return None
    if settings.USE_X_FORWARDED_HOST and "HTTP_X_FORWARDED_HOST" in environ:
        host = environ["HTTP_X_FORWARDED_HOST"]
    else:
        host = environ.get("HTTP_HOST")
    if not host:
        return None
    return page_cache_key(_scheme(environ), host, path), host


def _static_prefix() -> str:
    return "/" + settings.STATIC_URL.lstrip("/")


def _scheme(environ) -> str:
    """What ``HttpRequest.scheme`` says, proxy header included."""
    if settings.SECURE_PROXY_SSL_HEADER:
        header, secure_value = settings.SECURE_PROXY_SSL_HEADER
        forwarded = environ.get(header)
        if forwarded is not None:
            return "https" if forwarded.split(",", 1)[0].strip() == secure_value else "http"
    return environ.get("wsgi.url_scheme", "http")


@dataclass(frozen=True)
class StoredPage:
    """A page as served again: its status, headers and body, nothing to
    rebuild."""

    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(frozen=True)
class Entry:
    """A stored page with the site it belongs to, that site's generation when
    it was stored, and when it expires (``time.time()``)."""

    site_id: int
    generation: int
    expires: float
    page: StoredPage


KEPT_BYTES = 4 * 1024 * 1024
"""Bodies each process keeps in memory, the most recently served first."""


class PageCache:
    """The stored anonymous pages of every site, shared by the WSGI front
    (``CachedPages``) and the middleware that stores them.

    Each process also keeps the pages it served last in memory (up to
    ``KEPT_BYTES``): serving one of them again reads only its site's
    generation from the shared cache, never the page itself, and that
    generation at most once every ``PAGE_CACHE_TRUST`` seconds (0: on every
    request). A publish thus shows to anonymous visitors at once in the
    process that made it, and within that time in the others; logged-in
    people never get these copies."""

    def __init__(self):
        self.sites_by_host: dict[str, int] = {}
        """The site of each host this process has stored a page of, to read
        the page and its site's generation in one round trip."""
        self.kept: OrderedDict[str, Entry] = OrderedDict()
        self.kept_bytes = 0
        self.generations: dict[int, tuple[int | None, float]] = {}
        """Each site's generation as this process last read it, and until
        when (``time.monotonic()``) it is trusted."""
        self.lock = threading.Lock()
        """``runserver`` serves requests in threads."""

    def clear(self) -> None:
        """Forget what this process keeps (the shared cache is left as is)."""
        with self.lock:
            self.sites_by_host.clear()
            self.kept.clear()
            self.kept_bytes = 0
            self.generations.clear()

    def get(self, key: str, host: str) -> StoredPage | None:
        kept = self.kept.get(key)
        if kept is not None:
            current = self._trusted_generation(kept.site_id)
            if current == kept.generation and time.time() < kept.expires:
                with self.lock:
                    if key in self.kept:
                        self.kept.move_to_end(key)
                return kept.page
            self._forget(key)
        known_site = self.sites_by_host.get(host)
        if known_site is None:
            entry, current = cache.get(key), None
        else:
            generation_key = GENERATION_KEY.format(site_id=known_site)
            found = cache.get_many([key, generation_key])
            entry, current = found.get(key), found.get(generation_key)
        if not isinstance(entry, Entry):
            return None
        if entry.site_id != known_site:
            current = cache.get(GENERATION_KEY.format(site_id=entry.site_id))
        if current != entry.generation:
            return None
        self._trust(entry.site_id, current)
        self.sites_by_host[host] = entry.site_id
        self._keep(key, entry)
        return entry.page

    def _trusted_generation(self, site_id: int) -> int | None:
        if settings.PAGE_CACHE_TRUST:
            known = self.generations.get(site_id)
            if known is not None and time.monotonic() < known[1]:
                return known[0]
        current = cache.get(GENERATION_KEY.format(site_id=site_id))
        self._trust(site_id, current)
        return current

    def _trust(self, site_id: int, current: int | None) -> None:
        """Remember a generation just read from the shared cache."""
        if settings.PAGE_CACHE_TRUST:
            self.generations[site_id] = (current, time.monotonic() + settings.PAGE_CACHE_TRUST)

    def set(self, key: str, host: str, site_id: int, response, timeout: int | None = None) -> None:
        page = StoredPage(
            status=response.status_code,
            reason=response.reason_phrase,
            headers=list(response.items()),
            body=response.content,
        )
        timeout = settings.PAGE_CACHE_TIMEOUT if timeout is None else timeout
        entry = Entry(site_id, site_generation(site_id), time.time() + timeout, page)
        cache.set(key, entry, timeout=timeout)
        self.sites_by_host[host] = site_id
        self._keep(key, entry)

    def _keep(self, key: str, entry: Entry) -> None:
        with self.lock:
            self._drop(key)
            self.kept[key] = entry
            self.kept_bytes += len(entry.page.body)
            while self.kept_bytes > KEPT_BYTES:
                self._drop(next(iter(self.kept)))

    def _forget(self, key: str) -> None:
        with self.lock:
            self._drop(key)

    def _drop(self, key: str) -> None:
        entry = self.kept.pop(key, None)
        if entry is not None:
            self.kept_bytes -= len(entry.page.body)


pages = PageCache()


def forget_in_process() -> None:
    """Forget the pages and entries this process keeps in memory (after the
    shared cache has been cleared, in tests and benchmarks)."""
    pages.clear()
    entries.clear()


class CachedPages:
    """WSGI application in front of Django's: a GET for a stored page is
    answered from the cache before Django builds a request, runs its signals
    or any middleware. Everything else goes on to Django, where
    ``AnonymousPageCacheMiddleware`` stores the pages (``cms.wsgi``)."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "GET" and (found := page_key(environ)):
            page = pages.get(*found)
            if page is not None:
                start_response(f"{page.status} {page.reason}", page.headers)
                return [page.body]
        return self.application(environ, start_response)


class AnonymousPageCacheMiddleware:
    """Serves and stores the anonymous pages (see the module's docstring).

    It comes first in ``MIDDLEWARE``, outside the middleware that writes the
    Content-Security-Policy and the other headers (security, framing,
    caching), so that a stored page keeps them. A page whose policy carries a
    nonce is never stored, so that no nonce is ever served twice. The key
    holds the scheme: a page stored for HTTPS, with its
    ``Strict-Transport-Security``, is never served over HTTP.

    Behind ``CachedPages`` (in production and ``runserver``), a GET for a
    stored page never reaches it; it still serves HEAD requests and the test
    client."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.edge_timeout = settings.EDGE_CACHE_TIMEOUT

    def __call__(self, request):
        found = page_key(request.META) if request.method in ("GET", "HEAD") else None
        if found is None:
            return self.get_response(request)
        request.get_host()  # refuses a host not in ALLOWED_HOSTS before anything is stored
        key, host = found

        page = pages.get(key, host)
        if page is not None:
            response = HttpResponse(page.body, status=page.status, reason=page.reason)
            for name, value in page.headers:
                response.headers[name] = value
            return response

        response = self.get_response(request)
        site_id = getattr(request, "page_cache_site_id", None)
        timeout = settings.PAGE_CACHE_TIMEOUT
        until = getattr(request, "page_cache_until", None)
        if until is not None:
            timeout = min(timeout, int(until - time.time()))
        if (
            site_id is not None
            and timeout > 0
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not request.user.is_authenticated
            and getattr(request, "_csp_nonce", None) is None
        ):
            patch_cache_control(response, public=True, max_age=0)
            if self.edge_timeout:
                patch_cache_control(response, s_maxage=min(self.edge_timeout, timeout))
            pages.set(key, host, site_id, response, timeout=timeout)
        return response
