"""The identity providers citizens and staff may sign in with, by their stored
identifier."""

from collections.abc import Iterator

from .base import BaseIdentityProvider


class Registry:
    """Plugins by ``id``. A plugin module registers its class with
    ``@registry.register``; ``accounts.identity`` imports every module."""

    def __init__(self):
        self._plugins: dict[str, BaseIdentityProvider] = {}

    def register(self, plugin_class: type[BaseIdentityProvider]) -> type[BaseIdentityProvider]:
        if not plugin_class.id:
            raise ValueError(f"{plugin_class.__name__} has no id")
        if plugin_class.id in self._plugins:
            raise ValueError(f"An identity provider is already registered as {plugin_class.id!r}")
        self._plugins[plugin_class.id] = plugin_class()
        return plugin_class

    def __getitem__(self, plugin_id: str) -> BaseIdentityProvider:
        return self._plugins[plugin_id]

    def __contains__(self, plugin_id: str) -> bool:
        return plugin_id in self._plugins

    def __iter__(self) -> Iterator[BaseIdentityProvider]:
        return iter(self._plugins.values())


registry = Registry()
