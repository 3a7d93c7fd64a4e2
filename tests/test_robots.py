"""A robot reading the portal writes nothing: every page a visitor without
cookies reaches by following links from each demo commune's home page (FAQ,
démarches and each of their steps, paying an invoice, logging in...) is
read without one row added to any table, sessions included. Only what a
visitor sends (a form, a POST) may keep something."""

import re
from collections import Counter
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.test import Client

HOSTS = ("carvin.localhost", "saint-andre-des-eaux.localhost")
LINK = re.compile(r"""<a\s[^>]*href="([^"]+)\"""")
#: Not pages: files, the admin, the bank and the billing software's API.
SKIPPED = re.compile(r"^/(admin|static|media|documents|images|paiement/(retour|notification|api))/")
MOST_PAGES = 400
#: A cache, not data: the resized copies of an image, made when first shown.
CACHES = {"wagtailimages.Rendition"}


def rows() -> Counter:
    return Counter(
        {
            model._meta.label: model._base_manager.count()
            for model in apps.get_models()
            if model._meta.label not in CACHES
        }
    )


def crawl(host: str) -> list[str]:
    """Each address reached from the home page, each read once by a new
    visitor (a client without cookies)."""
    seen, queue = set(), ["/"]
    while queue and len(seen) < MOST_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = Client().get(path, HTTP_HOST=host)
        assert response.status_code < 500, path
        if response.status_code in (301, 302) and response["Location"]:
            queue.append(urlsplit(urljoin(path, response["Location"])).path)
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        for href in LINK.findall(response.content.decode()):
            target = urlsplit(urljoin(f"http://{host}{path}", unescape(href)))
            if target.hostname == host and not SKIPPED.match(target.path):
                queue.append(target.path)
    return sorted(seen)


@pytest.mark.parametrize("host", HOSTS)
def test_reading_every_page_without_cookies_writes_nothing(demo, host):
    before = rows()

    pages = crawl(host)

    assert len(pages) > 15
    assert any("/etape/1/" in page for page in pages), "no démarche step was read"
    changed = {label: rows()[label] - count for label, count in before.items()}
    assert {label: added for label, added in changed.items() if added} == {}
