"""The field types a démarche's form may use, by their block name."""

from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from wagtail.blocks import Block

    from .base import FieldType

#: What a field type class must set, besides implementing the abstract methods.
REQUIRED_ATTRIBUTES = ("name", "block_class", "template")


class Registry:
    """Field types by ``name``, in the order the editor offers them. A type's
    module registers its class with ``@registry.register``;
    ``services.fields`` imports every module, in that order."""

    def __init__(self):
        self._types: dict[str, FieldType] = {}

    def register(self, type_class: type["FieldType"]) -> type["FieldType"]:
        missing = [name for name in REQUIRED_ATTRIBUTES if not getattr(type_class, name, None)]
        missing += sorted(getattr(type_class, "__abstractmethods__", ()))
        if missing:
            raise ImproperlyConfigured(
                f"The field type {type_class.__name__} cannot be registered: "
                f"it lacks {', '.join(missing)}."
            )
        if type_class.name in self._types:
            raise ImproperlyConfigured(f"A field type is already registered as {type_class.name!r}")
        self._types[type_class.name] = type_class()
        return type_class

    def __getitem__(self, name: str) -> "FieldType":
        return self._types[name]

    def __contains__(self, name: str) -> bool:
        return name in self._types

    def __iter__(self) -> Iterator["FieldType"]:
        return iter(self._types.values())

    def get(self, name: str) -> "FieldType | None":
        return self._types.get(name)

    def blocks(self) -> list[tuple[str, "Block"]]:
        """A new block of each type, by name: the children of a step's
        ``FieldsBlock``."""
        return [(field_type.name, field_type.block_class()) for field_type in self]


registry = Registry()
