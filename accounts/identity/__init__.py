"""Identity providers: a registry of plugins (``registry``), one module per
provider. FranceConnect goes through Authlib's OpenID Connect client; the
demo and the tests point it at a local provider (``demo/identity_provider.py``)."""

from . import franceconnect  # noqa: F401
from .registry import registry

__all__ = ["registry"]
