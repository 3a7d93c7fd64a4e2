"""Identity providers: a registry of plugins (``registry``), one module per
provider: FranceConnect for citizens, ProConnect for staff, both through
Authlib's OpenID Connect client (``oidc``). The demo and the tests point them
at a local provider (``demo/identity_provider.py``)."""

from . import franceconnect, proconnect  # noqa: F401
from .registry import registry

__all__ = ["registry"]
