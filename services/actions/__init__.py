"""What happens when a request enters a status of its workflow: a registry
of actions (``registry``), one module per action. Adding one: a module with
a ``StatusAction`` subclass registered with ``@registry.register``, imported
here; the workflow's form offers it at once."""

from . import corrections, deadline, document, email, payment, tell_citizen  # noqa: F401
from .registry import registry

__all__ = ["registry"]
