"""FranceConnect (v2), the citizens' identity provider.

``acr_values=eidas1`` asked and the ID token's ``acr`` checked, the scopes of
the pivot identity and the e-mail address; the rest of the protocol is the
shared OpenID Connect client's (``accounts.identity.oidc``). A local provider
that answers plain JSON is accepted only where the commune points
FranceConnect at it (the demo, the tests).

The discovery documents of FranceConnect v2 (``DISCOVERY_URLS``): production
at ``oidc.franceconnect.gouv.fr/api/v2``; integration at the sandbox
``fcp-low.sbx.dev-franceconnect.fr/api/v2``, the one service providers'
configurations of 2025 name (and the issuer of their ID tokens).
FranceConnect's partner documentation ("Endpoints disponibles",
docs.partenaires.franceconnect.gouv.fr) still names
``fcp-low.integ01.dev-franceconnect.fr/api/v2``, which those configurations
call the former ("legacy") sandbox. Keys work on the sandbox that gave them:
a commune holding keys of the former one names it as its own provider
(``FranceConnectEnvironment.CUSTOM``). The token endpoint takes
``client_id`` and ``client_secret`` in the body of the request
(``client_secret_post``), as that documentation's "Token Endpoint" says.
"""

from datetime import date

from django.utils.translation import gettext_lazy as _

from .base import AnswerInvalid, CertifiedIdentity
from .oidc import OpenIDConnectProvider, discovery_url_of_issuer
from .registry import registry

__all__ = ["DISCOVERY_URLS", "SCOPES", "FranceConnect", "discovery_url_of_issuer"]

#: FranceConnect v2's discovery documents, by environment.
DISCOVERY_URLS = {
    "integration": "https://fcp-low.sbx.dev-franceconnect.fr/api/v2/.well-known/openid-configuration",
    "production": "https://oidc.franceconnect.gouv.fr/api/v2/.well-known/openid-configuration",
}
SCOPES = "openid given_name family_name birthdate birthplace birthcountry gender email"
ACR_REQUESTED = "eidas1"
#: The levels of guarantee accepted in the ID token: eIDAS low and above.
ACR_ACCEPTED = frozenset({"eidas1", "eidas2", "eidas3"})


def _birthdate(value) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


@registry.register
class FranceConnect(OpenIDConnectProvider):
    id = "franceconnect"
    verbose_name = _("FranceConnect")
    scopes = SCOPES
    acr_values = ACR_REQUESTED
    acr_accepted = ACR_ACCEPTED

    def identity(self, *, id_token, userinfo):
        identity = CertifiedIdentity(
            subject=str(id_token["sub"]),
            given_name=str(userinfo.get("given_name") or ""),
            family_name=str(userinfo.get("family_name") or ""),
            birthdate=_birthdate(userinfo.get("birthdate")),
            birthplace=str(userinfo.get("birthplace") or ""),
            birthcountry=str(userinfo.get("birthcountry") or ""),
            gender=str(userinfo.get("gender") or ""),
            email=str(userinfo.get("email") or "").strip().lower(),
            acr=str(id_token["acr"]),
        )
        if not (identity.given_name and identity.family_name):
            raise AnswerInvalid(detail="no pivot identity")
        return identity
