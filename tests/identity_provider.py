"""The local FranceConnect and ProConnect of the tests:
``demo.identity_provider`` served on a free port for the whole run, with the
identities the tests sign in as, and what a person does on its pages
(consent, cancel)."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import parse_qs, urlsplit

import oidc_provider_mock
import requests
from werkzeug.serving import WSGIRequestHandler, make_server

from accounts.models import AccountSettings, FranceConnectEnvironment
from demo.identity_provider import DEMO_AGENT, DEMO_IDENTITY, provider

MARIE = DEMO_IDENTITY.sub
#: Certified at no eIDAS level: FranceConnect's answer without the acr asked.
NO_LEVEL = oidc_provider_mock.User(
    sub="sans.niveau",
    claims={**DEMO_IDENTITY.claims, "email": "sans.niveau@example.org", "acr": "eidas0"},
)
#: The demo's Amélie Lire of Carvin as FranceConnect knows her, with the
#: e-mail address of her account on the portal.
AMELIE = oidc_provider_mock.User(
    sub="amelie.fc",
    claims={
        "given_name": "Amélie",
        "family_name": "Lire",
        "birthdate": "1984-05-12",
        "birthplace": "62215",
        "birthcountry": "99100",
        "gender": "female",
        "email": "amelie.lire@example.org",
        "acr": "eidas1",
    },
)


def professional(sub: str, email: str, *, acr="eidas1", amr=("pwd",)) -> oidc_provider_mock.User:
    """A professional as ProConnect knows them."""
    return oidc_provider_mock.User(
        sub=sub,
        claims={
            "email": email,
            "given_name": "Camille",
            "usual_name": "Agent",
            "uid": sub,
            "siret": "21620215800010",
            "acr": acr,
            "amr": list(amr),
        },
    )


#: Carvin's agent of the demo (``agent.carvin@mairie.localhost``), signed in
#: with a password at their identity provider.
AGENT = DEMO_AGENT
#: Professionals whose e-mail addresses the tests give to staff accounts (or
#: not): signed in with a password, or with a second factor said by the
#: level (``acr``) or by the methods (``amr``).
PRO = professional("pro.agent", "Pro.Agent@Mairie.example")
PRO_MFA_ACR = professional("pro.mfa.acr", "pro.mfa.acr@mairie.example", acr="eidas2")
PRO_MFA_AMR = professional("pro.mfa.amr", "pro.mfa.amr@mairie.example", amr=("pwd", "totp", "mfa"))
PRO_NO_LEVEL = professional("pro.sans.niveau", "pro.sans.niveau@mairie.example", acr="eidas0")
IDENTITIES = (DEMO_IDENTITY, NO_LEVEL, AMELIE, AGENT, PRO, PRO_MFA_ACR, PRO_MFA_AMR, PRO_NO_LEVEL)
PROCONNECT_CLIENT = "proconnect-portail"


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


@contextmanager
def running_provider() -> Iterator[str]:
    server = make_server(
        "localhost", 0, provider(IDENTITIES), threaded=True, request_handler=QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield f"http://localhost:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(2)


def offer_franceconnect(site, issuer: str, *, client_id: str = "", validates=False):
    settings = AccountSettings.for_site(site)
    settings.franceconnect_enabled = True
    settings.franceconnect_environment = FranceConnectEnvironment.CUSTOM
    settings.franceconnect_issuer = issuer
    settings.franceconnect_client_id = client_id or f"client-{site.hostname}"
    settings.franceconnect_client_secret = f"secret-{site.hostname}"
    settings.franceconnect_validates_accounts = validates
    settings.full_clean()
    settings.save()
    return settings


def offer_proconnect(settings, issuer: str, *, mfa_replaces_second_factor=False) -> None:
    """The platform's ProConnect client, at ``issuer`` (``settings``:
    pytest-django's fixture, which puts them back after the test)."""
    settings.PROCONNECT_CLIENT_ID = PROCONNECT_CLIENT
    settings.PROCONNECT_CLIENT_SECRET = "secret-proconnect"
    settings.PROCONNECT_ISSUER = issuer
    settings.PROCONNECT_MFA_REPLACES_SECOND_FACTOR = mfa_replaces_second_factor


def consent(authorize_url: str, sub: str = MARIE) -> str:
    """Sign in as ``sub`` on the provider's page: the address it sends the
    browser back to (our callback, with the code and the state)."""
    answer = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def cancel(authorize_url: str) -> str:
    answer = requests.post(
        authorize_url, data={"action": "deny"}, allow_redirects=False, timeout=10
    )
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def local(url: str) -> tuple[str, str]:
    """An absolute address of the portal as the test client's path and host."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}", parts.netloc


def query(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}
