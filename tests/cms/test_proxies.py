import pytest
from django.test import RequestFactory

from cms.proxies import client_address

PROXY = "10.0.0.5"


def request_from(peer, forwarded=None):
    extra = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.fixture(autouse=True)
def _trusted(settings):
    settings.TRUSTED_PROXIES = [PROXY, "192.168.1.0/24", "::1"]


def test_without_proxy_the_peer_is_the_client():
    assert client_address(request_from("203.0.113.7")) == "203.0.113.7"


def test_the_header_of_a_trusted_proxy_names_the_client():
    assert client_address(request_from(PROXY, "203.0.113.7")) == "203.0.113.7"


def test_a_spoofed_header_from_an_untrusted_peer_is_ignored():
    assert client_address(request_from("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_an_address_the_client_wrote_before_the_proxys_is_ignored():
    """nginx appending to the client's own header: the rightmost address that
    no trusted proxy added is the client."""
    request = request_from(PROXY, "198.51.100.1, 203.0.113.7")

    assert client_address(request) == "203.0.113.7"


def test_trusted_hops_are_skipped_networks_included():
    request = request_from(PROXY, "203.0.113.7, 192.168.1.20")

    assert client_address(request) == "203.0.113.7"


def test_garbage_in_the_header_stops_at_the_last_trusted_hop():
    assert client_address(request_from(PROXY, "not-an-address")) == PROXY
    assert client_address(request_from(PROXY, "203.0.113.7, [::1")) == PROXY


def test_a_trusted_proxy_without_header_is_the_client():
    assert client_address(request_from(PROXY)) == PROXY
    assert client_address(request_from(PROXY, "")) == PROXY


def test_ipv6_and_ipv4_mapped_addresses():
    assert client_address(request_from("::1", "2001:db8::7")) == "2001:db8::7"
    assert client_address(request_from("::ffff:203.0.113.7")) == "203.0.113.7"


def test_nothing_is_trusted_by_default(settings):
    settings.TRUSTED_PROXIES = []

    assert client_address(request_from(PROXY, "203.0.113.7")) == PROXY


def test_a_request_without_address_has_none():
    request = RequestFactory().get("/")
    del request.META["REMOTE_ADDR"]

    assert client_address(request) == ""


def test_axes_reads_the_same_address():
    from axes.helpers import get_client_ip_address

    assert get_client_ip_address(request_from(PROXY, "203.0.113.7")) == "203.0.113.7"
    assert get_client_ip_address(request_from("203.0.113.7", "198.51.100.1")) == "203.0.113.7"
