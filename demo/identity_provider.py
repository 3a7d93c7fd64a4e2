"""A local OpenID Connect provider standing in for FranceConnect, for the
demo and the tests: oidc-provider-mock (a Flask application), taught
FranceConnect's scopes and given test identities certified at eIDAS low.

oidc-provider-mock knows the standard scopes only (``profile``, ``email``...),
while FranceConnect names one scope per claim (``given_name``,
``birthdate``...): ``teach_franceconnect_scopes`` adds them, so that the
claims of the pivot identity reach the ID token and the userinfo answer as
FranceConnect gives them. Its userinfo answer is plain JSON, not a signed JWT
as FranceConnect v2's: a commune accepts that only from a provider it names
itself (``FranceConnectEnvironment.CUSTOM``).
"""

import os

import oidc_provider_mock
from oidc_provider_mock import _app as provider_app
from oidc_provider_mock import _storage as provider_storage

from accounts.identity.franceconnect import SCOPES

PORT = int(os.environ.get("IDENTITY_PROVIDER_PORT", "8090"))
ISSUER = os.environ.get("IDENTITY_PROVIDER_URL", f"http://localhost:{PORT}")

#: The demo's identity at the local provider: "Se connecter" with this
#: ``sub`` on its page.
DEMO_IDENTITY = oidc_provider_mock.User(
    sub="marie.dupont",
    claims={
        "given_name": "Marie Claire",
        "family_name": "Dupont",
        "birthdate": "1985-03-14",
        "birthplace": "62215",
        "birthcountry": "99100",
        "gender": "female",
        "email": "marie.dupont@example.org",
        "acr": "eidas1",
    },
)


def teach_franceconnect_scopes() -> None:
    scopes = SCOPES.split()
    provider_storage.Client.SCOPES_SUPPORTED = tuple(
        dict.fromkeys([*provider_storage.Client.SCOPES_SUPPORTED, *scopes])
    )
    for scope in scopes:
        if scope != "openid":
            provider_app._SCOPES_TO_CLAIMS.setdefault(scope, [scope])


def provider(users=(DEMO_IDENTITY,)):
    """The provider's WSGI application, with these predefined identities;
    like FranceConnect, it requires a ``nonce``."""
    teach_franceconnect_scopes()
    return oidc_provider_mock.app(require_nonce=True, user_claims=list(users))
