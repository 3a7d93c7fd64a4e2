"""A sign-in with an identity provider, as the portal runs it, for every
provider: FranceConnect on a commune's portal, ProConnect on the admin.

The ``state`` and ``nonce`` of a sign-in live in the session, with the
provider and the commune (Wagtail ``Site``) of the host it started on, as
Django's login binds a session to the host whose cookie holds it: an answer
is read only by the provider's return address on that host, once, within
``MAX_AGE``. So is the ``state`` of a logout at the provider. The identity of
a citizen who has no account yet waits in the session (``pending_identity``)
while they complete their account or prove an existing one is theirs.
"""

import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils.crypto import constant_time_compare
from wagtail.models import Site

from ..models import AccountSettings, FranceConnectEnvironment
from .base import (
    AnswerInvalid,
    CertifiedIdentity,
    IdentityError,
    ProviderConfig,
    SignIn,
    SignInCancelled,
    StateMismatch,
)
from .franceconnect import DISCOVERY_URLS
from .oidc import discovery_url_of_issuer
from .registry import registry

#: The citizens' provider, which the commune's pages default to.
PROVIDER = "franceconnect"
SIGN_IN_KEY = "identity_sign_in"
PENDING_KEY = "identity_pending"
LOGOUT_KEY = "identity_logout"
LOGOUT_STATE_KEY = "identity_logout_state"
#: How long a sign-in may take at the provider, and how long a citizen may
#: take to complete their account afterwards (seconds).
MAX_AGE = 30 * 60


def provider_config(site) -> ProviderConfig | None:
    """The commune's FranceConnect client, or None when it offers none."""
    settings = AccountSettings.for_site(site)
    if not settings.offers_franceconnect:
        return None
    return ProviderConfig(
        client_id=settings.franceconnect_client_id,
        client_secret=settings.franceconnect_client_secret,
        discovery_url=_discovery_url(settings),
        signed_userinfo=settings.franceconnect_environment != FranceConnectEnvironment.CUSTOM,
    )


def _discovery_url(settings: AccountSettings) -> str:
    if settings.franceconnect_environment == FranceConnectEnvironment.CUSTOM:
        return discovery_url_of_issuer(settings.franceconnect_issuer)
    return DISCOVERY_URLS[settings.franceconnect_environment]


def provider_origin(request) -> str:
    """The origin of the commune's FranceConnect, where the button's form
    ends once the portal redirects it: the page's policy must allow it
    (``form-action``), or the browser stops the sign-in there."""
    address = urlsplit(_discovery_url(AccountSettings.for_request(request)))
    return f"{address.scheme}://{address.netloc}"


def offered(request) -> bool:
    """Whether the commune of the request offers FranceConnect (read from
    the settings kept for the request, so the pages cost no query)."""
    return AccountSettings.for_request(request).offers_franceconnect


def _site_id(request) -> int | None:
    """The commune of the request's host (``request.commune``'s, read
    without refusing a host that names none: the admin answers on any)."""
    site = Site.find_for_request(request)
    return site.pk if site is not None else None


def sign_in_start(
    request, *, provider: str = PROVIDER, config: ProviderConfig, redirect_uri: str, next_url: str
) -> str:
    """Remember a new sign-in in the session and return the provider's
    address to send the browser to."""
    plugin = registry[provider]
    start = plugin.authorization(
        config=config,
        redirect_uri=redirect_uri,
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
    )
    request.session[SIGN_IN_KEY] = {
        "provider": provider,
        "site": _site_id(request),
        "state": start.state,
        "nonce": start.nonce,
        "redirect_uri": redirect_uri,
        "next": next_url,
        "at": time.time(),
    }
    return start.url


@dataclass(frozen=True)
class Finished:
    sign_in: SignIn
    next_url: str


def sign_in_finish(request, *, provider: str = PROVIDER, config: ProviderConfig) -> Finished:
    """Read the provider's answer to the sign-in this session started with
    it on this host: the sign-in is forgotten whatever the outcome, so that
    the same answer is never read twice."""
    started = request.session.pop(SIGN_IN_KEY, None)
    params = request.GET
    if params.get("error") == "access_denied":
        raise SignInCancelled
    if (
        not isinstance(started, dict)
        or started.get("provider") != provider
        or started.get("site") != _site_id(request)
        or time.time() - started.get("at", 0) > MAX_AGE
        or not constant_time_compare(str(started.get("state", "")), params.get("state", ""))
    ):
        raise StateMismatch(detail="state unknown, of another provider or commune, or too old")
    if params.get("error") or not params.get("code"):
        raise AnswerInvalid(detail=f"error {params.get('error')!r}")
    sign_in = registry[provider].sign_in(
        config=config,
        redirect_uri=started["redirect_uri"],
        code=params["code"],
        nonce=started["nonce"],
    )
    return Finished(sign_in=sign_in, next_url=started.get("next", ""))


def pending_set(request, sign_in: SignIn, next_url: str = "") -> None:
    request.session[PENDING_KEY] = {
        "site": request.commune.pk,
        "identity": sign_in.identity.as_session(),
        "id_token": sign_in.id_token,
        "next": next_url,
        "at": time.time(),
    }


def pending_identity(request) -> tuple[CertifiedIdentity, str] | None:
    """The identity waiting in this commune's session, with its ID token."""
    pending = request.session.get(PENDING_KEY)
    if (
        not isinstance(pending, dict)
        or pending.get("site") != request.commune.pk
        or time.time() - pending.get("at", 0) > MAX_AGE
    ):
        return None
    try:
        return CertifiedIdentity.from_session(pending["identity"]), pending["id_token"]
    except (KeyError, TypeError, ValueError):
        return None


def pending_next(request) -> str:
    return (request.session.get(PENDING_KEY) or {}).get("next", "")


def pending_clear(request) -> None:
    request.session.pop(PENDING_KEY, None)


def remember_for_logout(request, id_token: str, *, provider: str = PROVIDER) -> None:
    """After ``login()``: the ID token that ends the provider's session."""
    request.session[LOGOUT_KEY] = {
        "provider": provider,
        "site": _site_id(request),
        "id_token": id_token,
    }


def logout_id_token(request, *, provider: str = PROVIDER) -> str | None:
    """The ID token of the provider this session signed in with, if any."""
    data = request.session.get(LOGOUT_KEY)
    if (
        isinstance(data, dict)
        and data.get("provider", PROVIDER) == provider
        and data.get("site") == _site_id(request)
    ):
        return data.get("id_token")
    return None


def logout_start(
    request,
    *,
    provider: str = PROVIDER,
    config: ProviderConfig,
    id_token: str,
    post_logout_redirect_uri: str,
) -> str | None:
    """After the portal's own logout: the provider's address that ends its
    session too (the browser must go there), or None when it cannot be
    reached. Its ``state`` waits in the new session for the way back."""
    state = secrets.token_urlsafe(32)
    try:
        url = registry[provider].logout_url(
            config=config,
            id_token=id_token,
            post_logout_redirect_uri=post_logout_redirect_uri,
            state=state,
        )
    except IdentityError:
        return None
    request.session[LOGOUT_STATE_KEY] = {
        "provider": provider,
        "site": _site_id(request),
        "state": state,
    }
    return url


def logout_finish(request, *, provider: str = PROVIDER) -> bool:
    """Whether the browser comes back from the logout this session started
    at the provider, on this host."""
    expected = request.session.pop(LOGOUT_STATE_KEY, None)
    return (
        isinstance(expected, dict)
        and expected.get("provider") == provider
        and expected.get("site") == _site_id(request)
        and constant_time_compare(str(expected.get("state")), request.GET.get("state", ""))
    )
