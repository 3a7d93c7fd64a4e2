"""The security headers of every HTML page, and nothing loaded from another origin.

On the demo portal (loaded once for the module), every same-site link is
followed from the home page of each commune as an anonymous visitor and as a
citizen, and every admin link from the admin's dashboard as a supervisor and
as the platform admin (bounded, without logging out, deleting or
downloading). Each HTML page must carry the headers of ``cms.settings.base``
and a Content-Security-Policy whose scripts are never inline or evaluated,
and must load nothing from another site: scripts, stylesheets and icons,
images, frames, forms and CSS ``url()``. Links to other sites (service-public.fr)
are fine: they load nothing.
"""

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from wagtail.models import Site

from accounts.captcha import captcha_field
from accounts.models import AccountSettings, Captcha
from tests.conftest import rolled_back_transaction

CARVIN = "carvin.localhost"
#: A page with the captcha as soon as it opens: paying an invoice without an account.
PAY_AN_INVOICE = "/paiement/payer-une-facture/"
SAINT_ANDRE = "saint-andre-des-eaux.localhost"
#: What a crawl never opens: the end of the session, deletions, downloads.
SKIPPED = re.compile(
    r"(logout|deconnexion|/delete|/supprimer|download|telecharger|\.pdf$|/pdf/|/export|"
    r"/recu|/documents/[^/]+/[^/]+$|/jsi18n/|/sprite|/admin/bulk/)",
    re.IGNORECASE,
)
RESOURCE_ATTRIBUTES = {
    "script": ["src"],
    "img": ["src", "srcset"],
    "source": ["src", "srcset"],
    "iframe": ["src"],
    "frame": ["src"],
    "embed": ["src"],
    "object": ["data"],
    "video": ["src", "poster"],
    "audio": ["src"],
    "track": ["src"],
    "form": ["action"],
    "input": ["src", "formaction"],
    "button": ["formaction"],
}
LOADED_LINK_RELS = {
    "stylesheet",
    "icon",
    "preload",
    "modulepreload",
    "manifest",
    "apple-touch-icon",
}
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)")
#: The admin's menu is JSON in the page, not links.
MENU_URL = re.compile(r'"url": "(/admin/[^"]*)"')
NOT_EXECUTED_SCRIPT_TYPES = {"application/json", "application/ld+json", "text/template"}


class PageParser(HTMLParser):
    """What one page links to, loads and runs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.loads: list[tuple[str, str]] = []
        self.inline_scripts: list[str | None] = []  # their nonce
        self.event_handlers: list[str] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.event_handlers.append(f"<{tag} {name}>")
            if value and value.strip().lower().startswith("javascript:"):
                self.event_handlers.append(f"<{tag} {name}={value}>")
            if name == "style" and value:
                self.styles.append(value)
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        for name in RESOURCE_ATTRIBUTES.get(tag, []):
            value = attributes.get(name)
            if not value:
                continue
            urls = [part.split()[0] for part in value.split(",")] if name == "srcset" else [value]
            self.loads.extend((f"<{tag} {name}>", url) for url in urls if url)
        if tag == "link" and attributes.get("href"):
            rels = set((attributes.get("rel") or "").lower().split())
            if rels & LOADED_LINK_RELS:
                self.loads.append((f"<link rel={attributes['rel']}>", attributes["href"]))
        if tag == "script" and not attributes.get("src"):
            script_type = (attributes.get("type") or "").lower()
            if script_type not in NOT_EXECUTED_SCRIPT_TYPES:
                self.inline_scripts.append(attributes.get("nonce"))
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)


ADMIN_PREVIEW = re.compile(r"^/admin/pages/.+/preview/")


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


def is_other_origin(url: str, host: str) -> bool:
    parts = urlsplit(url.strip())
    if parts.scheme in ("data", "blob"):
        return False
    return bool(parts.netloc) and parts.netloc.split(":")[0] != host


def problems_of(response, path: str, host: str) -> list[str]:
    """Every header missing or wrong, and everything loaded from another
    origin, on one HTML page."""
    found = []
    policy = directives(response.get("Content-Security-Policy", ""))
    expected = {
        "default-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'self'"],
    }
    for name, sources in expected.items():
        if policy.get(name) != sources:
            found.append(f"{path}: {name} is {policy.get(name)}")
    script_src = policy.get("script-src", [])
    if not script_src or {"'unsafe-inline'", "'unsafe-eval'"} & set(script_src):
        found.append(f"{path}: script-src is {script_src}")
    if any(is_other_origin(source, host) for source in policy.get("script-src", [])):
        found.append(f"{path}: scripts of another origin allowed: {script_src}")
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        # Wagtail's preview is framed by the page editor (same origin only).
        "X-Frame-Options": "SAMEORIGIN" if ADMIN_PREVIEW.match(path) else "DENY",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    for name, value in headers.items():
        if response.get(name) != value:
            found.append(f"{path}: {name} is {response.get(name)!r}")
    permissions = response.get("Permissions-Policy", "")
    for feature in ("camera", "microphone", "geolocation", "payment"):
        if f"{feature}=()" not in permissions:
            found.append(f"{path}: Permissions-Policy lets {feature} in: {permissions!r}")

    page = PageParser()
    page.feed(response.content.decode())
    for what, url in page.loads:
        if is_other_origin(url, host):
            found.append(f"{path}: {what} loads {url}")
    for style in page.styles:
        for url in CSS_URL.findall(style):
            if is_other_origin(url, host):
                found.append(f"{path}: CSS url({url})")
    nonces = [s.removeprefix("'nonce-").removesuffix("'") for s in script_src if "nonce-" in s]
    for nonce in page.inline_scripts:
        if not nonce or nonce not in nonces:
            found.append(f"{path}: an inline script without the response's nonce")
    found.extend(f"{path}: inline event handler {handler}" for handler in page.event_handlers)
    return found


def crawl(client: Client, host: str, start: str, *, within: str, limit: int):
    """Open pages breadth first from START, following the links under WITHIN,
    up to LIMIT pages; returns (pages opened, problems found)."""
    queue, seen, problems, opened = [start], {start}, [], 0
    while queue and opened < limit:
        path = queue.pop(0)
        response = client.get(path, HTTP_HOST=host)
        opened += 1
        if response.status_code in (301, 302):
            targets = [response["Location"]]
        elif "text/html" in response.get("Content-Type", ""):
            problems.extend(problems_of(response, path, host))
            parser = PageParser()
            parser.feed(response.content.decode())
            targets = parser.links + MENU_URL.findall(response.content.decode())
        else:
            continue
        for target in targets:
            url = urlsplit(urljoin(f"http://{host}{path}", target))
            if url.netloc.split(":")[0] != host or url.scheme not in ("http", "https"):
                continue
            wanted = url.path.startswith(within) and not SKIPPED.search(url.path)
            if wanted and url.path not in seen:
                seen.add(url.path)
                queue.append(url.path)
    return opened, problems


@pytest.fixture(scope="module")
def demo_portal(django_db_setup, django_db_blocker, demo_loader):
    """The demo, loaded once for the module and rolled back after it."""
    with django_db_blocker.unblock(), rolled_back_transaction():
        demo_loader()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def portal(demo_portal, db):
    return get_user_model().objects


CRAWLS = [
    pytest.param(None, CARVIN, "/", "/", 120, id="anonymous-carvin"),
    pytest.param(None, SAINT_ANDRE, "/", "/", 120, id="anonymous-saint-andre"),
    pytest.param(("amélie.lire", CARVIN), CARVIN, "/compte/", "/", 120, id="citizen-carvin"),
    pytest.param(("regie.carvin", None), CARVIN, "/admin/", "/admin/", 150, id="supervisor"),
    pytest.param(("admin", None), CARVIN, "/admin/", "/admin/", 150, id="platform-admin"),
]


@pytest.mark.parametrize(("login", "host", "start", "within", "limit"), CRAWLS)
def test_every_page_carries_the_security_headers_and_loads_nothing_from_elsewhere(
    portal, client, login, host, start, within, limit
):
    if login:
        username, commune = login
        users = portal.filter(username=username)
        if commune:
            users = users.filter(site__hostname=commune)
        client.force_login(users.get())

    opened, problems = crawl(client, host, start, within=within, limit=limit)

    print(f"{opened} pages crawled from {host}{start}")
    assert opened >= 10
    assert problems == []


def test_https_responses_ask_for_https_from_then_on(portal, client, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True

    response = client.get("/", HTTP_HOST=CARVIN, secure=True)

    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_only_the_pages_of_a_commune_that_chose_recaptcha_may_load_google(portal, client):
    carvin = AccountSettings.for_site(Site.objects.get(hostname=CARVIN))
    carvin.captcha = Captcha.RECAPTCHA_V2
    carvin.recaptcha_public_key = "carvin-site-key"
    carvin.recaptcha_private_key = "carvin-secret-key"
    carvin.save()

    with_recaptcha = client.get(PAY_AN_INVOICE, HTTP_HOST=CARVIN)
    without_captcha = client.get("/faq/", HTTP_HOST=CARVIN)
    other_commune = client.get(PAY_AN_INVOICE, HTTP_HOST=SAINT_ANDRE)

    google = directives(with_recaptcha["Content-Security-Policy"])
    assert "https://www.google.com/recaptcha/" in google["script-src"]
    assert "https://www.gstatic.com/recaptcha/" in google["script-src"]
    assert "https://www.google.com/recaptcha/" in google["frame-src"]
    assert "www.google.com/recaptcha/api.js" in with_recaptcha.content.decode()
    for response in (without_captcha, other_commune):
        assert "google" not in response["Content-Security-Policy"]
        assert problems_of(response, "/", response.wsgi_request.get_host()) == []
    assert captcha_field(other_commune.wsgi_request).__class__.__name__ == "AltchaField"


def test_the_crawl_sees_a_script_from_elsewhere_an_inline_script_and_a_handler():
    from django.http import HttpResponse

    response = HttpResponse(
        '<script src="https://cdn.example.com/x.js"></script><script>alert(1)</script>'
        '<a href="https://www.service-public.fr/" onclick="go()">ok</a>'
        '<div style="background: url(//tracker.example.net/p.gif)"></div>'
    )
    response["Content-Security-Policy"] = "default-src 'self'; script-src 'self' 'unsafe-inline'"

    problems = problems_of(response, "/", CARVIN)

    assert "/: <script src> loads https://cdn.example.com/x.js" in problems
    assert "/: an inline script without the response's nonce" in problems
    assert "/: inline event handler <a onclick>" in problems
    assert "/: CSS url(//tracker.example.net/p.gif)" in problems
    assert "/: script-src is [\"'self'\", \"'unsafe-inline'\"]" in problems
    assert not any("service-public" in problem for problem in problems)
