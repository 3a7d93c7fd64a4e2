"""``request.commune``: the commune a request is addressed to, found once."""

import pytest
from django.db import connection
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from cms.tenancy import CommuneMiddleware


def through_middleware(host: str):
    """The request as a view behind ``CommuneMiddleware`` gets it."""
    seen = {}

    def view(request):
        seen["request"] = request
        return HttpResponse()

    CommuneMiddleware(view)(RequestFactory().get("/", HTTP_HOST=host))
    return seen["request"]


def test_the_commune_is_the_site_of_the_address(carvin, saint_andre):
    request = through_middleware("saint-andre-des-eaux.localhost")

    assert request.commune == saint_andre
    assert request.commune.pk == saint_andre.pk


def test_the_commune_is_looked_up_on_first_use_then_kept_for_the_next_requests(carvin):
    with CaptureQueriesContext(connection) as before:
        request = through_middleware("carvin.localhost")
    with CaptureQueriesContext(connection) as reading:
        assert request.commune.hostname == "carvin.localhost"
        assert request.commune.site_name == "Carvin"
    with CaptureQueriesContext(connection) as next_request:
        assert through_middleware("carvin.localhost").commune.pk == carvin.pk

    assert len(before) == 0
    assert 1 <= len(reading) <= 2, "the site, and its home page kept with it"
    assert len(next_request) == 0


def test_a_new_address_of_a_commune_is_followed_at_once(carvin, saint_andre):
    assert through_middleware("carvin.localhost").commune.pk == carvin.pk

    carvin.hostname = "www.carvin.example"
    carvin.save()

    assert through_middleware("www.carvin.example").commune.pk == carvin.pk
    former = Site.find_for_request(RequestFactory().get("/", HTTP_HOST="carvin.localhost"))
    assert former is None or former.hostname != "carvin.localhost"


def test_an_address_no_commune_answers_is_a_404(carvin):
    Site.objects.filter(is_default_site=True).update(is_default_site=False)
    request = through_middleware("elsewhere.localhost")

    with pytest.raises(Http404):
        request.commune.pk  # noqa: B018


def test_page_addresses_know_every_communes_languages_in_two_queries(demo):
    """Wagtail's ``Site.get_site_root_paths`` asks once per site."""
    Site.clear_site_root_paths_cache()  # however the demo was just loaded
    with CaptureQueriesContext(connection) as queries:
        root_paths = Site.get_site_root_paths()

    as_wagtail_lists_them = [
        (site.pk, home.url_path, site.root_url, home.locale.language_code)
        for site in Site.objects.order_by("-root_page__url_path", "-is_default_site", "hostname")
        for home in site.root_page.get_translations(inclusive=True).order_by("path")
    ]
    assert [tuple(root_path) for root_path in root_paths] == as_wagtail_lists_them
    assert {root_path.language_code for root_path in root_paths} == {"fr", "en"}
    assert len(queries) == 2
