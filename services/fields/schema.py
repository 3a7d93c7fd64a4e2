"""A démarche's form as data: steps of field blocks, their keys and conditions.

This module reads a ``ServicePage.form`` (or a revision's copy of it) without
building any Django form, so that the models and the StreamField blocks may
depend on it. Every field block stores its answers under its ``key``; a block
whose answer is made of several form fields names them ``<key>__<part>``.
"""

import json
import re
import unicodedata
from dataclasses import dataclass

from django.utils.text import slugify

from .registry import registry

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
SUBFIELD = "__"
"""Separates a block's key from the name of one of its sub-fields."""


def normalise(text: str) -> str:
    """Lower case without accents, to compare answers with conditions."""
    text = unicodedata.normalize("NFKD", str(text).strip().casefold())
    return "".join(c for c in text if not unicodedata.combining(c))


def make_key(label: str) -> str:
    key = slugify(label).replace("-", "_")[:50].strip("_") or "champ"
    if not key[0].isalpha():
        key = f"champ_{key}"
    return key


def choice_lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


@dataclass
class Block:
    """One field block of a form, whatever its revision: its type and value."""

    type: str
    value: dict
    id: str = ""

    @property
    def key(self) -> str:
        return self.value.get("key") or ""

    @property
    def label(self) -> str:
        return self.value.get("label") or self.value.get("heading") or ""

    @property
    def field_type(self):
        """The registered ``FieldType`` of this block (``None`` for a type no
        longer registered, which asks nothing)."""
        return registry.get(self.type)

    @property
    def is_input(self) -> bool:
        return self.field_type is not None and self.field_type.is_input

    @property
    def condition(self) -> tuple[str, str] | None:
        """The earlier field's key and the answer it must have for this block
        to be shown, when it is shown only then."""
        condition = self.value.get("condition") or {}
        if not condition.get("field"):
            return None
        return condition["field"], condition.get("value") or ""

    @property
    def required_when(self) -> tuple[str, str] | None:
        """The other field's key and the answer (or answers, separated by
        "|") that make this one required, when it is required only then."""
        condition = self.value.get("required_when") or {}
        if not condition.get("field"):
            return None
        return condition["field"], condition.get("value") or ""


@dataclass
class Step:
    title: str
    blocks: list[Block]
    number: int = 0


def steps_of(form_value) -> list[Step]:
    """The steps of a ``ServicePage.form`` stream value (or of its raw data)."""
    steps = []
    raw = form_value.raw_data if hasattr(form_value, "raw_data") else form_value
    if isinstance(raw, str):
        raw = json.loads(raw)  # as a revision stores it
    for index, step in enumerate(raw or []):
        value = step.get("value") or {}
        blocks = [
            Block(type=child["type"], value=dict(child.get("value") or {}), id=child.get("id", ""))
            for child in value.get("fields") or []
        ]
        steps.append(Step(title=value.get("title", ""), blocks=blocks, number=index + 1))
    return steps
