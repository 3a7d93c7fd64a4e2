"""The address of the client a request comes from, behind trusted proxies.

Behind nginx every request reaches the app servers from the proxy's address
(``REMOTE_ADDR``); the client's is in ``X-Forwarded-For``, which the proxy
writes. A client may send that header too, so it is read only when the
direct peer is one of ``TRUSTED_PROXIES`` (addresses or networks), and from
the right: each trusted hop is skipped, and the first address a trusted hop
did not add is the client's.

``client_address`` is the one function that says who the client is: the
limits on logins, invoice keys and password resets, django-axes
(``AXES_CLIENT_IP_CALLABLE``), reCAPTCHA and the payment notifications all
use it.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies)


def _parse(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        parsed = ipaddress.ip_address(address.strip())
    except ValueError:
        return None
    mapped = getattr(parsed, "ipv4_mapped", None)
    return mapped or parsed


def is_trusted_proxy(address) -> bool:
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    return any(address in network for network in networks)


def client_address(request) -> str:
    """The client's IP address, as text ("" when the request has none)."""
    peer = _parse(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return ""
    address = peer
    if is_trusted_proxy(peer):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        for hop in reversed([hop for hop in forwarded.split(",") if hop.strip()]):
            parsed = _parse(hop)
            if parsed is None:
                break
            address = parsed
            if not is_trusted_proxy(parsed):
                break
    return str(address)
