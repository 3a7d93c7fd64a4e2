"""The SMS providers a commune may use, by their stored identifier."""

from collections.abc import Iterator

from .base import BaseProvider


class Registry:
    """Plugins by ``id``. A plugin module registers its class with
    ``@registry.register``; ``cms.sms`` imports every module."""

    def __init__(self):
        self._plugins: dict[str, BaseProvider] = {}

    def register(self, plugin_class: type[BaseProvider]) -> type[BaseProvider]:
        if not plugin_class.id:
            raise ValueError(f"{plugin_class.__name__} has no id")
        if plugin_class.id in self._plugins:
            raise ValueError(f"An SMS provider is already registered as {plugin_class.id!r}")
        self._plugins[plugin_class.id] = plugin_class()
        return plugin_class

    def __getitem__(self, plugin_id: str) -> BaseProvider:
        return self._plugins[plugin_id]

    def get(self, plugin_id: str) -> BaseProvider | None:
        return self._plugins.get(plugin_id)

    def __contains__(self, plugin_id: str) -> bool:
        return plugin_id in self._plugins

    def __iter__(self) -> Iterator[BaseProvider]:
        return iter(self._plugins.values())

    def choices(self, *, keep: str = "") -> list[tuple[str, str]]:
        return [
            (plugin.id, plugin.verbose_name)
            for plugin in self
            if plugin.available or plugin.id == keep
        ]


registry = Registry()
