"""The status actions a workflow may use, by their block name."""

from collections.abc import Iterator

from django.core.exceptions import ImproperlyConfigured

from .base import StatusAction


class Registry:
    def __init__(self):
        self._actions: dict[str, StatusAction] = {}

    def register(self, action_class: type[StatusAction]) -> type[StatusAction]:
        missing = [n for n in ("name", "label") if not getattr(action_class, n, None)]
        missing += sorted(getattr(action_class, "__abstractmethods__", ()))
        if missing:
            raise ImproperlyConfigured(
                f"The status action {action_class.__name__} cannot be registered: "
                f"it lacks {', '.join(missing)}."
            )
        if action_class.name in self._actions:
            raise ImproperlyConfigured(
                f"A status action is already registered as {action_class.name!r}"
            )
        self._actions[action_class.name] = action_class()
        return action_class

    def __getitem__(self, name: str) -> StatusAction:
        return self._actions[name]

    def __contains__(self, name: str) -> bool:
        return name in self._actions

    def __iter__(self) -> Iterator[StatusAction]:
        return iter(self._actions.values())

    def blocks(self) -> list[tuple[str, object]]:
        return [(action.name, action.block()) for action in self]


registry = Registry()
