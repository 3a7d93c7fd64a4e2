"""ProConnect (formerly AgentConnect), the State's identity federation for
professionals, through which staff may sign in to the admin.

The platform has one client, given in the environment
(``PROCONNECT_CLIENT_ID``, ``PROCONNECT_CLIENT_SECRET``, ``PROCONNECT_ISSUER``:
``ISSUERS`` are ProConnect's, from its partners' documentation,
github.com/numerique-gouv/proconnect-documentation, "Valeur de
PROCONNECT_DOMAIN"). The protocol is the shared OpenID Connect client's
(``accounts.identity.oidc``), with ProConnect's scopes. ProConnect refuses any
authorization parameter it does not list, ``acr_values`` among them: the
``amr`` claim (how the person authenticated) is asked with ``claims``, as its
documentation says, and the ID token's ``acr`` is checked against the levels
ProConnect gives (``ACR_ACCEPTED``).

A sign-in asked for a second factor when its ``acr`` says so
(``ACR_MULTI_FACTOR``) or its ``amr`` holds ``mfa``; the platform decides
whether that replaces the admin's own (``PROCONNECT_MFA_REPLACES_SECOND_FACTOR``).
"""

import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from .base import AnswerInvalid, ProfessionalIdentity, ProviderConfig
from .oidc import OpenIDConnectProvider, discovery_url_of_issuer
from .registry import registry

#: ProConnect's issuers, by environment, on the Internet and on the State's
#: network (RIE): their userinfo answers are always signed.
ISSUERS = {
    "integration": "https://fca.integ01.dev-agentconnect.fr/api/v2",
    "production": "https://auth.agentconnect.gouv.fr/api/v2",
    "integration-rie": "https://fca.integ02.agentconnect.rie.gouv.fr/api/v2",
    "production-rie": "https://auth.agentconnect.rie.gouv.fr/api/v2",
}
SCOPES = "openid email given_name usual_name uid siret"
#: Asks for the ``amr`` claim in the ID token.
CLAIMS = json.dumps({"id_token": {"amr": {"essential": True}}}, separators=(",", ":"))
ASSURANCE = "https://proconnect.gouv.fr/assurance/"
#: The levels ProConnect gives (its discovery document's ``acr_values_supported``).
ACR_ACCEPTED = frozenset(
    {
        "eidas1",
        "eidas2",
        "eidas3",
        ASSURANCE + "self-asserted",
        ASSURANCE + "self-asserted-2fa",
        ASSURANCE + "consistency-checked",
        ASSURANCE + "consistency-checked-2fa",
    }
)
#: The levels that required a second factor.
ACR_MULTI_FACTOR = frozenset(
    {
        "eidas2",
        "eidas3",
        ASSURANCE + "self-asserted-2fa",
        ASSURANCE + "consistency-checked-2fa",
    }
)


def platform_config() -> ProviderConfig | None:
    """The platform's ProConnect client, or None when staff cannot sign in
    with ProConnect."""
    client_id = settings.PROCONNECT_CLIENT_ID
    secret = settings.PROCONNECT_CLIENT_SECRET
    issuer = settings.PROCONNECT_ISSUER.rstrip("/")
    if not (client_id and secret and issuer):
        return None
    return ProviderConfig(
        client_id=client_id,
        client_secret=secret,
        discovery_url=discovery_url_of_issuer(issuer),
        signed_userinfo=issuer in ISSUERS.values(),
    )


def _methods(value) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple):
        return tuple(str(method) for method in value)
    return ()


@registry.register
class ProConnect(OpenIDConnectProvider):
    id = "proconnect"
    verbose_name = _("ProConnect")
    scopes = SCOPES
    authorization_params = {"claims": CLAIMS}
    acr_accepted = ACR_ACCEPTED

    def trusts_second_factor(self) -> bool:
        return settings.PROCONNECT_MFA_REPLACES_SECOND_FACTOR

    def identity(self, *, id_token, userinfo):
        email = str(userinfo.get("email") or "").strip()
        try:
            validate_email(email)
        except ValidationError:
            raise AnswerInvalid(detail="no valid e-mail address") from None
        acr = str(id_token["acr"])
        amr = _methods(id_token.get("amr"))
        return ProfessionalIdentity(
            subject=str(id_token["sub"]),
            email=email,
            given_name=str(userinfo.get("given_name") or ""),
            usual_name=str(userinfo.get("usual_name") or ""),
            uid=str(userinfo.get("uid") or ""),
            siret=str(userinfo.get("siret") or ""),
            acr=acr,
            amr=amr,
            multi_factor=acr in ACR_MULTI_FACTOR or "mfa" in amr,
        )
