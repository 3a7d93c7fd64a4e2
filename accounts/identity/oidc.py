"""What every OpenID Connect provider shares, through Authlib's client.

The authorization code flow with ``state`` and ``nonce``; the ID token
verified (signature, issuer, audience, dates, ``nonce``) and its ``acr``
checked against the levels the provider's plugin accepts; the userinfo
answer, which FranceConnect v2 and ProConnect sign, verified with the
provider's keys (JWKS), and refused when it speaks of another subject; the
logout address with ``id_token_hint``. A plugin says what it asks for
(``scopes``, ``authorization_params``), which levels it accepts
(``acr_accepted``) and what identity the claims make (``identity``).
"""

import hashlib

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.django_client import DjangoIntegration, DjangoOAuth2App
from django.core.cache import cache
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from .base import (
    AnswerInvalid,
    AuthorizationStart,
    BaseIdentityProvider,
    CodeRefused,
    InsufficientLevel,
    ProviderConfig,
    ProviderUnreachable,
    SignIn,
)

TIMEOUT = 10
#: How long a provider's discovery document and keys are kept (seconds); a
#: key the kept set lacks makes Authlib fetch the set again.
METADATA_TIMEOUT = 300


def discovery_url_of_issuer(issuer: str) -> str:
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


def _metadata_key(config: ProviderConfig) -> str:
    return "identity:metadata:" + hashlib.sha256(config.discovery_url.encode()).hexdigest()


class _Client:
    """Authlib's client of one provider's client (a commune's, the
    platform's), with the provider's description kept in the cache shared by
    the app servers."""

    def __init__(self, plugin: "OpenIDConnectProvider", config: ProviderConfig):
        self.key = _metadata_key(config)
        self.app = DjangoOAuth2App(
            DjangoIntegration(plugin.id),
            name=plugin.id,
            client_id=config.client_id,
            client_secret=config.client_secret,
            server_metadata_url=config.discovery_url,
            client_kwargs={
                "scope": plugin.scopes,
                "token_endpoint_auth_method": plugin.token_endpoint_auth_method,
                "default_timeout": TIMEOUT,
            },
            **(cache.get(self.key) or {}),
        )

    def __enter__(self):
        return self.app

    def __exit__(self, kind, error, traceback):
        if kind is None:
            cache.set(self.key, dict(self.app.server_metadata), METADATA_TIMEOUT)
        if isinstance(error, requests.RequestException):
            raise ProviderUnreachable(detail=repr(error)) from error
        return False


class OpenIDConnectProvider(BaseIdentityProvider):
    """An identity provider reached with OpenID Connect.

    Subclasses set ``scopes``, ``acr_accepted`` (the ``acr`` values of an ID
    token that are accepted; any other is ``InsufficientLevel``), and may set
    ``acr_values`` (asked in the authorization request) and
    ``authorization_params`` (other parameters of that request, such as
    ``claims``); they write ``identity``, which makes the identity out of the
    ID token's claims and the userinfo answer's.
    """

    scopes = "openid"
    acr_values = ""
    acr_accepted: frozenset[str] = frozenset()
    authorization_params: dict[str, str] = {}
    #: How the client authenticates at the token endpoint: FranceConnect v2
    #: and ProConnect both expect ``client_id`` and ``client_secret`` in the
    #: body of the request.
    token_endpoint_auth_method = "client_secret_post"  # noqa: S105 (a method, not a secret)

    def identity(self, *, id_token: dict, userinfo: dict):
        raise NotImplementedError

    def authorization(self, *, config, redirect_uri, state, nonce):
        params = dict(self.authorization_params)
        if self.acr_values:
            params["acr_values"] = self.acr_values
        with _Client(self, config) as app:
            start = app.create_authorization_url(
                redirect_uri, state=state, nonce=nonce, scope=self.scopes, **params
            )
        return AuthorizationStart(url=start["url"], state=start["state"], nonce=start["nonce"])

    def sign_in(self, *, config, redirect_uri, code, nonce):
        with _Client(self, config) as app:
            try:
                token = app.fetch_access_token(redirect_uri=redirect_uri, code=code)
            except AuthlibBaseError as error:
                if error.error == "invalid_grant":
                    raise CodeRefused(detail=str(error)) from error
                raise AnswerInvalid(detail=str(error)) from error
            except ValueError as error:
                raise AnswerInvalid(detail=repr(error)) from error
            try:
                id_token = app.parse_id_token(token, nonce=nonce)
            except JoseError as error:
                raise AnswerInvalid(detail=f"ID token: {error!r}") from error
            if id_token is None:
                raise AnswerInvalid(detail="no ID token")
            if id_token.get("acr") not in self.acr_accepted:
                raise InsufficientLevel(detail=f"acr {id_token.get('acr')!r}")
            claims = self._userinfo(app, token, signed=config.signed_userinfo)
        if claims.get("sub") != id_token["sub"]:
            raise AnswerInvalid(detail="userinfo of another subject")
        return SignIn(
            identity=self.identity(id_token=dict(id_token), userinfo=claims),
            id_token=token["id_token"],
        )

    def _userinfo(self, app, token, *, signed: bool) -> dict:
        """The userinfo answer: a JWT signed with the provider's keys, for
        this client, or plain JSON where the configuration accepts it."""
        metadata = app.load_server_metadata()
        response = app.get(metadata["userinfo_endpoint"], token=token)
        response.raise_for_status()
        content_type = response.headers.get("Content-Type", "").split(";")[0].strip()
        if content_type != "application/jwt":
            if signed:
                raise AnswerInvalid(detail=f"userinfo as {content_type!r}, not signed")
            try:
                claims = response.json()
            except ValueError as error:
                raise AnswerInvalid(detail="userinfo not JSON") from error
            if not isinstance(claims, dict):
                raise AnswerInvalid(detail="userinfo not an object")
            return claims
        algorithms = metadata.get("userinfo_signing_alg_values_supported") or metadata.get(
            "id_token_signing_alg_values_supported"
        )
        try:
            decoded = jwt.decode(
                response.text, KeySet.import_key_set(app.fetch_jwk_set()), algorithms=algorithms
            )
            jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": metadata["issuer"]},
                aud={"essential": True, "value": app.client_id},
            ).validate(decoded.claims)
        except (JoseError, ValueError) as error:
            raise AnswerInvalid(detail=f"userinfo: {error!r}") from error
        return decoded.claims

    def logout_url(self, *, config, id_token, post_logout_redirect_uri, state):
        with _Client(self, config) as app:
            return app.create_logout_url(
                post_logout_redirect_uri=post_logout_redirect_uri,
                id_token_hint=id_token,
                state=state,
            )["url"]
