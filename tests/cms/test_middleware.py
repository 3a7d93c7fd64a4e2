"""An address holding a NUL character, which PostgreSQL cannot compare."""

import pytest
from django.test import Client


@pytest.mark.parametrize(
    "address",
    [
        "/faq%00/",
        "/paiement/banque-de-test/%00/",
        "/compte/demandes/CAR%00/",
        "/suivi/%00/",
        "/faq/?q=%00",
        "/faq/?%00=x",
    ],
)
def test_an_address_with_a_nul_character_is_refused_with_an_explanation(client, carvin, address):
    response = client.get(address, HTTP_HOST="carvin.localhost")

    assert response.status_code == 400
    assert "<h1>" in response.content.decode()


def test_an_address_without_nul_goes_through(client, carvin):
    response = client.get("/faq/?q=%01cantine", HTTP_HOST="carvin.localhost")

    assert response.status_code == 200


@pytest.fixture
def console_log():
    """What the console handler of ``LOGGING`` writes, its filters included."""
    import io
    import logging

    from django.conf import settings
    from django.utils.module_loading import import_string

    config = settings.LOGGING
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    for name in config["handlers"]["console"].get("filters", []):
        handler.addFilter(import_string(config["filters"][name]["()"])())
    root = logging.getLogger()
    root.addHandler(handler)
    yield stream
    root.removeHandler(handler)


def test_a_refused_address_is_logged_as_a_warning_without_its_traceback(
    client, carvin, console_log
):
    client.get("/faq%00/", HTTP_HOST="carvin.localhost")

    log = console_log.getvalue()
    assert "WARNING django.security.SuspiciousOperation NUL character in the address" in log
    assert "ERROR" not in log
    assert "Traceback" not in log


def test_a_server_error_keeps_its_level_and_traceback(console_log):
    import logging

    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logging.getLogger("django.request").error(
            "Internal Server Error: /", exc_info=True, extra={"status_code": 500}
        )

    log = console_log.getvalue()
    assert "ERROR django.request Internal Server Error" in log
    assert "Traceback" in log


def test_a_refused_host_with_a_body_that_cannot_be_read_is_still_a_bad_request(carvin):
    """The 400 page does not read the body: here, a multipart body without
    its boundary, behind a host the portal refuses, from a browser (whose
    requests the CSRF check reads)."""
    browser = Client(enforce_csrf_checks=True)
    browser.cookies["csrftoken"] = "a" * 32
    response = browser.post(
        "/compte/connexion/", data=b"x", content_type="multipart/form-data", HTTP_HOST=""
    )

    assert response.status_code == 400
    assert "<h1>" in response.content.decode()
