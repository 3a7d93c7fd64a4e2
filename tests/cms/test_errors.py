"""A database out of reach is answered 503, with a page needing no database;
any other server error stays a 500."""

import pytest
from django.db import OperationalError
from django.test import Client
from wagtail.models import Site

from cms import errors


@pytest.fixture
def failing_site_lookup(monkeypatch):
    """Every request fails where it looks its commune up, as when the
    database stops answering in the middle of a request."""

    def lose_the_connection(request):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(Site, "find_for_request", staticmethod(lose_the_connection))


def get(path):
    return Client(HTTP_HOST="carvin.localhost", raise_request_exception=False).get(path)


def test_a_database_out_of_reach_asks_to_try_again_shortly(
    carvin, failing_site_lookup, monkeypatch
):
    monkeypatch.setattr(errors, "database_reachable", lambda: False)

    response = get("/faq/")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "Le portail est momentanément indisponible" in html
    assert "Rien de ce que vous avez déjà envoyé n'est perdu" in html
    assert "The portal is temporarily unavailable" in html


def test_a_query_the_database_refuses_while_it_answers_is_a_server_error(
    carvin, failing_site_lookup
):
    response = get("/faq/")

    assert response.status_code == 500
    assert "Retry-After" not in response
    assert "Le portail rencontre un problème" in response.content.decode()


def test_other_errors_are_server_errors_even_while_the_database_is_down(carvin, monkeypatch):
    def fail(request):
        raise RuntimeError("a fault of the portal")

    monkeypatch.setattr(Site, "find_for_request", staticmethod(fail))
    monkeypatch.setattr(errors, "database_reachable", lambda: False)

    assert get("/faq/").status_code == 500


def test_the_probe_tells_whether_the_database_answers(db, monkeypatch):
    assert errors.database_reachable() is True

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    with monkeypatch.context() as patch:
        patch.setattr(errors.connection, "cursor", refuse)

        assert errors.database_reachable() is False
