"""FranceConnect (v2), through Authlib's OpenID Connect client.

The authorization code flow with ``state`` and ``nonce``, ``acr_values=eidas1``
and the ID token's ``acr`` checked, the scopes of the pivot identity and the
e-mail address; the userinfo answer, which FranceConnect v2 signs, verified
with the provider's keys (JWKS). A local provider that answers plain JSON is
accepted only where the commune points FranceConnect at it (the demo, the
tests). Logout ends the FranceConnect session with ``id_token_hint``.
"""

import hashlib
from datetime import date

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.django_client import DjangoIntegration, DjangoOAuth2App
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from .base import (
    AnswerInvalid,
    AuthorizationStart,
    BaseIdentityProvider,
    CertifiedIdentity,
    CodeRefused,
    InsufficientLevel,
    ProviderConfig,
    ProviderUnreachable,
    SignIn,
)
from .registry import registry

#: FranceConnect v2's discovery documents, by environment.
DISCOVERY_URLS = {
    "integration": "https://fcp-low.sbx.dev-franceconnect.fr/api/v2/.well-known/openid-configuration",
    "production": "https://oidc.franceconnect.gouv.fr/api/v2/.well-known/openid-configuration",
}
SCOPES = "openid given_name family_name birthdate birthplace birthcountry gender email"
ACR_REQUESTED = "eidas1"
#: The levels of guarantee accepted in the ID token: eIDAS low and above.
ACR_ACCEPTED = {"eidas1", "eidas2", "eidas3"}
TIMEOUT = 10
#: How long the provider's discovery document and keys are kept (seconds);
#: a key the kept set lacks makes Authlib fetch the set again.
METADATA_TIMEOUT = 300


def discovery_url_of_issuer(issuer: str) -> str:
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


def _metadata_key(config: ProviderConfig) -> str:
    return "identity:metadata:" + hashlib.sha256(config.discovery_url.encode()).hexdigest()


def _birthdate(value) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


class _Client:
    """Authlib's client of one commune, with the provider's description kept
    in the cache shared by the app servers."""

    def __init__(self, config: ProviderConfig):
        self.config = config
        self.key = _metadata_key(config)
        self.app = DjangoOAuth2App(
            DjangoIntegration("franceconnect"),
            name="franceconnect",
            client_id=config.client_id,
            client_secret=config.client_secret,
            server_metadata_url=config.discovery_url,
            client_kwargs={
                "scope": SCOPES,
                "token_endpoint_auth_method": "client_secret_post",
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


@registry.register
class FranceConnect(BaseIdentityProvider):
    id = "franceconnect"
    verbose_name = _("FranceConnect")

    def authorization(self, *, config, redirect_uri, state, nonce):
        with _Client(config) as app:
            start = app.create_authorization_url(
                redirect_uri, state=state, nonce=nonce, acr_values=ACR_REQUESTED, scope=SCOPES
            )
        return AuthorizationStart(url=start["url"], state=start["state"], nonce=start["nonce"])

    def sign_in(self, *, config, redirect_uri, code, nonce):
        with _Client(config) as app:
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
            if id_token.get("acr") not in ACR_ACCEPTED:
                raise InsufficientLevel(detail=f"acr {id_token.get('acr')!r}")
            claims = self._userinfo(app, token, signed=config.signed_userinfo)
        if claims.get("sub") != id_token["sub"]:
            raise AnswerInvalid(detail="userinfo of another subject")
        identity = CertifiedIdentity(
            subject=str(id_token["sub"]),
            given_name=str(claims.get("given_name") or ""),
            family_name=str(claims.get("family_name") or ""),
            birthdate=_birthdate(claims.get("birthdate")),
            birthplace=str(claims.get("birthplace") or ""),
            birthcountry=str(claims.get("birthcountry") or ""),
            gender=str(claims.get("gender") or ""),
            email=str(claims.get("email") or "").strip().lower(),
            acr=str(id_token["acr"]),
        )
        if not (identity.given_name and identity.family_name):
            raise AnswerInvalid(detail="no pivot identity")
        return SignIn(identity=identity, id_token=token["id_token"])

    def _userinfo(self, app, token, *, signed: bool) -> dict:
        """The userinfo answer: a JWT signed with the provider's keys, for
        the commune's client, or plain JSON where the commune accepts it."""
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
        with _Client(config) as app:
            return app.create_logout_url(
                post_logout_redirect_uri=post_logout_redirect_uri,
                id_token_hint=id_token,
                state=state,
            )["url"]
