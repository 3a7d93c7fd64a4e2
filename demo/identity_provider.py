"""A local OpenID Connect provider standing in for FranceConnect and
ProConnect, for the demo and the tests: oidc-provider-mock (a Flask
application), taught their scopes and given test identities: a citizen
certified at eIDAS low, and Carvin's agent as ProConnect knows him.

oidc-provider-mock knows the standard scopes only (``profile``, ``email``...),
while FranceConnect and ProConnect name one scope per claim (``given_name``,
``birthdate``, ``siret``...): ``teach_scopes`` adds them, so that the claims
reach the ID token and the userinfo answer as those providers give them. It
accepts any client: the communes' FranceConnect clients and the platform's
ProConnect client are told apart by their ids. Its userinfo answer is plain
JSON, not a signed JWT as FranceConnect v2's and ProConnect's: a commune
accepts that only from a provider it names itself
(``FranceConnectEnvironment.CUSTOM``), the platform only from a ProConnect
issuer that is not one of ProConnect's.
"""

import os

import oidc_provider_mock
from oidc_provider_mock import _app as provider_app
from oidc_provider_mock import _storage as provider_storage

from accounts.identity.franceconnect import SCOPES as FRANCECONNECT_SCOPES
from accounts.identity.proconnect import SCOPES as PROCONNECT_SCOPES

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


#: The demo's agent of Carvin (``agent.carvin``) at the local ProConnect: "Se
#: connecter" with this ``sub`` on its page, after "Se connecter avec
#: ProConnect" on the admin's login page.
DEMO_AGENT = oidc_provider_mock.User(
    sub="julien.carpentier",
    claims={
        "email": "agent.carvin@mairie.localhost",
        "given_name": "Julien",
        "usual_name": "Carpentier",
        "uid": "jcarpentier",
        "siret": "21620215800010",
        "acr": "eidas1",
        "amr": ["pwd"],
    },
)


def teach_scopes() -> None:
    scopes = [*FRANCECONNECT_SCOPES.split(), *PROCONNECT_SCOPES.split()]
    provider_storage.Client.SCOPES_SUPPORTED = tuple(
        dict.fromkeys([*provider_storage.Client.SCOPES_SUPPORTED, *scopes])
    )
    for scope in scopes:
        if scope != "openid":
            provider_app._SCOPES_TO_CLAIMS.setdefault(scope, [scope])


def provider(users=(DEMO_IDENTITY, DEMO_AGENT)):
    """The provider's WSGI application, with these predefined identities;
    like FranceConnect and ProConnect, it requires a ``nonce``."""
    teach_scopes()
    return oidc_provider_mock.app(require_nonce=True, user_claims=list(users))
