from django.db import connection
from django.test.utils import CaptureQueriesContext

from faq.services import faq_import
from tests.conftest import SEEDS

SEED = (SEEDS / "faq-carvin.md").read_text(encoding="utf-8")


def get(client, path="/faq/", host="carvin.localhost", **extra):
    return client.get(path, HTTP_HOST=host, **extra)


def test_anonymous_pages_are_served_from_the_cache(client, carvin, faq_of):
    faq_import(page=faq_of(carvin), text=SEED)
    first = get(client)

    with CaptureQueriesContext(connection) as queries:
        second = get(client)

    assert second.status_code == 200
    assert second.content == first.content
    assert len(queries) == 0


def test_a_published_change_shows_at_once(client, carvin, faq_of):
    page = faq_of(carvin)
    faq_import(page=page, text=SEED)
    get(client)

    page.title = "Questions fréquentes"
    page.save_revision().publish()

    assert "Questions fréquentes" in get(client).content.decode()


def test_a_draft_does_not_change_the_cached_page(client, carvin, faq_of):
    page = faq_of(carvin)
    get(client)

    page.title = "Brouillon"
    page.save_revision()

    assert "Brouillon" not in get(client).content.decode()


def test_changing_the_commune_settings_shows_at_once(client, carvin):
    from cms.models import CommuneSettings

    get(client, "/")
    settings = CommuneSettings.for_site(carvin)
    settings.official_name = "Ville de Carvin"
    settings.save()

    assert "Ville de Carvin" in get(client, "/").content.decode()


def test_each_site_and_language_has_its_own_cached_page(client, demo):
    carvin = get(client).content.decode()
    saint_andre = get(client, host="saint-andre-des-eaux.localhost").content.decode()
    english = get(client, "/en/faq/").content.decode()

    assert "la mairie de Carvin" in get(client).content.decode()
    assert (
        "la mairie de Saint-André-des-Eaux"
        in get(client, host="saint-andre-des-eaux.localhost").content.decode()
    )
    assert 'lang="en"' in get(client, "/en/faq/").content.decode()
    assert len({carvin, saint_andre, english}) == 3


def test_publishing_in_one_commune_keeps_the_others_cache(client, demo, faq_of):
    from wagtail.models import Site

    get(client, host="saint-andre-des-eaux.localhost")
    page = faq_of(Site.objects.get(hostname="carvin.localhost"))
    page.save_revision().publish()

    with CaptureQueriesContext(connection) as queries:
        get(client, host="saint-andre-des-eaux.localhost")

    assert len(queries) == 0


def test_logged_in_users_never_get_the_anonymous_copy(client, carvin, staff_of):
    get(client)
    client.force_login(staff_of(carvin))

    with CaptureQueriesContext(connection) as queries:
        response = get(client)

    assert response.status_code == 200
    assert len(queries) > 0


def test_searches_are_not_cached(client, carvin, faq_of):
    faq_import(page=faq_of(carvin), text=SEED)
    page = get(client).content
    get(client, "/faq/?q=mot+de+passe")

    search = get(client, "/faq/?q=mot+de+passe")

    assert search.content != page
    assert "public" not in search.get("Cache-Control", "")
    assert get(client).content == page


def test_a_lost_generation_never_brings_back_a_stale_page(client, carvin, faq_of):
    from django.core.cache import cache

    from cms.cache import GENERATION_KEY
    from faq.models import FAQPage

    get(client)
    FAQPage.objects.filter(pk=faq_of(carvin).pk).update(title="Changé sans publication")
    cache.delete(GENERATION_KEY.format(site_id=carvin.pk))

    assert "Changé sans publication" in get(client).content.decode()


def test_a_shared_cache_may_keep_anonymous_pages_for_the_edge_timeout(
    client, carvin, faq_of, settings
):
    settings.EDGE_CACHE_TIMEOUT = 30
    faq_import(page=faq_of(carvin), text=SEED)

    first, cached = get(client), get(client)

    for response in (first, cached):
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert {"public", "max-age=0", "s-maxage=30"} <= directives


def test_no_shared_cache_keeps_pages_by_default(client, carvin, faq_of):
    faq_import(page=faq_of(carvin), text=SEED)

    assert "s-maxage" not in get(client)["Cache-Control"]


def test_no_shared_cache_keeps_the_pages_of_logged_in_users(client, carvin, staff_of, settings):
    settings.EDGE_CACHE_TIMEOUT = 30
    client.force_login(staff_of(carvin))

    assert "s-maxage" not in get(client).get("Cache-Control", "")


def test_a_page_made_private_leaves_the_cache_at_once(client, carvin, faq_of):
    from wagtail.models import PageViewRestriction

    faq_import(page=faq_of(carvin), text=SEED)
    assert get(client).status_code == 200

    PageViewRestriction.objects.create(
        page=faq_of(carvin), restriction_type=PageViewRestriction.LOGIN
    )

    assert get(client)["Location"].startswith("/compte/connexion/")


def test_a_private_section_covers_the_pages_below_it(client, demo):
    from wagtail.models import Page, PageViewRestriction

    services = Page.objects.get(url_path="/carvin/services/")
    assert get(client, "/services/inscription-scolaire/").status_code == 200
    restriction = PageViewRestriction.objects.create(
        page=services, restriction_type=PageViewRestriction.PASSWORD, password="secret-1234"
    )

    for path in (
        "/services/",
        "/services/inscription-scolaire/",
        "/services/inscription-scolaire/etape/1/",
    ):
        response = get(client, path)
        assert response.status_code == 200
        assert f"/_util/authenticate_with_password/{restriction.pk}/" in response.content.decode()

    restriction.delete()
    assert "authenticate_with_password" not in get(client, "/services/").content.decode()


class Front:
    """``CachedPages`` in front of an application that records what reaches it."""

    def __init__(self):
        from cms.cache import CachedPages

        self.reached = []
        self.application = CachedPages(self.django)

    def django(self, environ, start_response):
        self.reached.append(environ["PATH_INFO"])
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"Django"]

    def get(self, path="/faq/", host="carvin.localhost", scheme="http", **headers):
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": headers.pop("query", ""),
            "HTTP_HOST": host,
            "wsgi.url_scheme": scheme,
            **headers,
        }
        answer = {}

        def start_response(status, response_headers, exc_info=None):
            answer.update(status=status, headers=dict(response_headers))

        answer["body"] = b"".join(self.application(environ, start_response))
        return answer


def test_a_stored_page_is_served_before_django(client, carvin, faq_of):
    faq_import(page=faq_of(carvin), text=SEED)
    stored = get(client)
    front = Front()

    with CaptureQueriesContext(connection) as queries:
        served = front.get()

    assert front.reached == []
    assert len(queries) == 0
    assert served["status"] == "200 OK"
    assert served["body"] == stored.content
    assert served["headers"]["Content-Security-Policy"] == stored["Content-Security-Policy"]
    assert "public" in served["headers"]["Cache-Control"]


def test_the_front_leaves_to_django_what_it_may_not_serve(client, carvin, faq_of):
    faq_import(page=faq_of(carvin), text=SEED)
    get(client)
    front = Front()

    front.get(query="q=mot")
    front.get(HTTP_COOKIE="theme=dark; sessionid=abc")
    front.get(scheme="https")
    front.get(host="autre.example.org")
    front.get("/services/")

    assert front.reached == ["/faq/"] * 4 + ["/services/"]


def test_a_page_stored_over_https_is_not_served_over_http(client, carvin, faq_of, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    get(client, HTTP_X_FORWARDED_PROTO="https")
    front = Front()

    front.get()
    front.get(HTTP_X_FORWARDED_PROTO="http")
    served = front.get(HTTP_X_FORWARDED_PROTO="https")

    assert front.reached == ["/faq/", "/faq/"]
    assert served["status"] == "200 OK"


def test_the_front_serves_a_published_change_at_once(client, carvin, faq_of):
    page = faq_of(carvin)
    get(client)
    front = Front()
    assert front.get()["status"] == "200 OK"

    page.title = "Questions fréquentes"
    page.save_revision().publish()

    front.get()
    assert front.reached == ["/faq/"]
    assert "Questions fréquentes" in get(client).content.decode()
    assert "Questions fréquentes" in front.get()["body"].decode()


def test_a_page_kept_in_memory_is_stale_when_its_site_changes(client, carvin, faq_of):
    from cms.cache import invalidate_site, page_cache_key, pages

    get(client)
    front = Front()
    front.get()
    assert page_cache_key("http", "carvin.localhost", "/faq/") in pages.kept

    invalidate_site(carvin.pk)
    front.get()

    assert front.reached == ["/faq/"]


def test_a_page_kept_in_memory_expires_with_the_stored_one(client, carvin, settings, monkeypatch):
    import time

    settings.PAGE_CACHE_TIMEOUT = 60
    get(client)
    front = Front()
    later = time.time() + 61
    monkeypatch.setattr(time, "time", lambda: later)

    front.get()

    assert front.reached == ["/faq/"]


def test_each_process_keeps_a_bounded_number_of_pages(client, carvin, monkeypatch):
    from cms import cache

    get(client, "/")
    get(client)
    monkeypatch.setattr(cache, "KEPT_BYTES", cache.pages.kept_bytes)

    get(client, "/services/")

    kept = list(cache.pages.kept)
    assert kept[-1] == cache.page_cache_key("http", "carvin.localhost", "/services/")
    assert cache.page_cache_key("http", "carvin.localhost", "/") not in kept
    assert cache.pages.kept_bytes <= cache.KEPT_BYTES
    assert cache.pages.kept_bytes == sum(len(e.page.body) for e in cache.pages.kept.values())


def another_process_publishes(site):
    """What a publish in another process leaves here: the shared generation
    changed, this process's memory untouched."""
    from cms.cache import GENERATION_KEY, new_generation

    new_generation(GENERATION_KEY.format(site_id=site.pk))


def front_serving_after_another_process_publishes(client, site):
    """A front that served the FAQ from its memory, then another process published."""
    get(client)
    front = Front()
    front.get()
    another_process_publishes(site)
    return front


def test_another_process_publish_shows_within_the_trusted_time(
    client, carvin, settings, monkeypatch
):
    import time

    settings.PAGE_CACHE_TRUST = 1
    front = front_serving_after_another_process_publishes(client, carvin)

    front.get()
    assert front.reached == []

    later = time.monotonic() + 1.5
    monkeypatch.setattr(time, "monotonic", lambda: later)
    front.get()
    assert front.reached == ["/faq/"]


def test_without_a_trusted_time_another_process_publish_shows_at_once(client, carvin, settings):
    settings.PAGE_CACHE_TRUST = 0
    front = front_serving_after_another_process_publishes(client, carvin)

    front.get()

    assert front.reached == ["/faq/"]


def test_a_message_waiting_for_the_visitor_is_shown_rather_than_the_stored_page(
    client, carvin, staff_of
):
    get(client, "/")
    client.force_login(staff_of(carvin))

    client.post("/compte/deconnexion/", HTTP_HOST="carvin.localhost")
    # As a browser does, forget the cookies the response expired.
    for name in [name for name, cookie in client.cookies.items() if not cookie.value]:
        del client.cookies[name]
    assert "sessionid" not in client.cookies and "messages" in client.cookies
    home = get(client, "/")

    assert "Vous êtes déconnecté" in home.content.decode()
    assert "Vous êtes déconnecté" not in get(client, "/").content.decode()


def test_no_address_a_client_sends_makes_a_key_the_cache_warns_about(client, carvin, recwarn):
    front = Front()

    front.get("/paiement/\x10/" + "a" * 300, host="carvin.localhost\x01 x")

    assert not [w for w in recwarn if "CacheKeyWarning" in type(w.message).__name__]
