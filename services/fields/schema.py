"""A démarche's form as data: steps of field blocks, their keys and conditions.

This module reads a ``ServicePage.form`` (or a revision's copy of it) without
building any Django form, so that the models and the StreamField blocks may
depend on it. Every field block stores its answers under its ``key``; a block
whose answer is made of several form fields names them ``<key>__<part>``.
"""

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

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
    #: The label shown for each choice, by the choice stored, when the form
    #: is filled in a translation of the démarche.
    choice_labels: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.value.get("key") or ""

    @property
    def label(self) -> str:
        return self.value.get("label") or self.value.get("heading") or ""

    def choices(self) -> list[tuple[str, str]]:
        """The choices offered, as (the answer stored, the label shown)."""
        return [
            (choice, self.choice_labels.get(choice, choice))
            for choice in choice_lines(self.value.get("choices"))
        ]

    def choice_label(self, choice: str) -> str:
        return self.choice_labels.get(choice, choice)

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


@cache
def translated_parts(block_type: str) -> frozenset[str]:
    """The children of a type's block that translations translate: its texts,
    but neither its key nor its condition nor its settings."""
    from wagtail import blocks

    field_type = registry.get(block_type)
    if field_type is None:
        return frozenset()
    return frozenset(
        name
        for name, child in field_type.block_class().child_blocks.items()
        if isinstance(child, blocks.CharBlock | blocks.TextBlock | blocks.RichTextBlock)
        and not hasattr(child, "get_translatable_segments")
    )


def translated_steps(source: list[Step], translation: list[Step]) -> list[Step]:
    """The steps of a démarche's ``source`` with the texts of its
    ``translation``: what is stored (keys, choices, conditions) and asked
    (types, settings, order) is the source's, so a request made in any
    language is stored as one made in the source's; what is read (titles,
    labels, help, the labels of the choices) is the translation's, where the
    translation has it."""
    translated_blocks = {block.id: block for step in translation for block in step.blocks}
    steps = []
    for index, step in enumerate(source):
        title = translation[index].title if index < len(translation) else ""
        blocks = []
        for block in step.blocks:
            value = dict(block.value)
            choice_labels = {}
            other = translated_blocks.get(block.id)
            if other is not None and other.type == block.type:
                for part in translated_parts(block.type):
                    if other.value.get(part) and part != "choices":
                        value[part] = other.value[part]
                values = choice_lines(block.value.get("choices"))
                labels = choice_lines(other.value.get("choices"))
                if len(values) == len(labels):
                    choice_labels = dict(zip(values, labels, strict=True))
            blocks.append(
                Block(type=block.type, value=value, id=block.id, choice_labels=choice_labels)
            )
        steps.append(Step(title=title or step.title, blocks=blocks, number=step.number))
    return steps


@cache
def rich_text_parts(block_type: str) -> frozenset[str]:
    """The children of a type's block that hold rich text (HTML)."""
    from wagtail import blocks

    field_type = registry.get(block_type)
    if field_type is None:
        return frozenset()
    return frozenset(
        name
        for name, child in field_type.block_class().child_blocks.items()
        if isinstance(child, blocks.RichTextBlock)
    )


def filled_steps(steps: list[Step], values: dict[str, str]) -> list[Step]:
    """The steps with the commune's placeholders (``cms.placeholders``) filled
    in what citizens and agents read: the steps' titles and the texts of the
    blocks (labels, help, headings, the labels of the choices).

    A choice is filled in its label only: the answer stored is the choice as
    written, placeholder included, so that a condition or a routing rule
    written for it matches in every commune; what is shown and printed of it
    is its label, filled, as for a translated choice."""
    from cms.placeholders import fill_placeholders

    filled = []
    for step in steps:
        blocks = []
        for block in step.blocks:
            value = dict(block.value)
            rich = rich_text_parts(block.type)
            for part in translated_parts(block.type) - {"choices"}:
                if isinstance(value.get(part), str):
                    value[part] = fill_placeholders(value[part], values, html=part in rich)
            choice_labels = dict(block.choice_labels)
            for choice in choice_lines(value.get("choices")):
                label = fill_placeholders(block.choice_label(choice), values)
                if label != choice:
                    choice_labels[choice] = label
            blocks.append(
                Block(type=block.type, value=value, id=block.id, choice_labels=choice_labels)
            )
        filled.append(
            Step(title=fill_placeholders(step.title, values), blocks=blocks, number=step.number)
        )
    return filled
