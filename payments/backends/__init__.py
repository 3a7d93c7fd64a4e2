"""Payment backends: a registry of plugins (``registry``), one module per
provider. PayFiP, Systempay/PayZen and Paybox go through eopayment; the local
test bank is our own. eopayment's legacy ``tipi`` backend is never offered:
its answers are not signed."""

from . import paybox, payfip, systempay, testbank  # noqa: F401
from .registry import registry

__all__ = ["registry"]
