"""Every registered field type, checked the same way: what a citizen types is
stored, typed back for a correction, rendered, exported and compared by
conditions. A new type runs these tests by being registered."""

import pytest
from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.utils.datastructures import MultiValueDict

from services.blocks import FieldsBlock
from services.corrections import raw_from_answer
from services.exports import answer_cells
from services.fields import FieldType, registry
from services.fields.answers import answer_text, clean_answers
from services.fields.blocks import FieldBlock
from services.fields.builder import StepFormBuilder
from services.fields.registry import Registry
from services.fields.schema import Block, Step
from services.models import Submission

KEY = "champ"
NOT_AN_ANSWER = "réponse que personne ne donne"

INPUT_TYPES = [field_type for field_type in registry if field_type.is_input]
by_name = pytest.mark.parametrize("field_type", INPUT_TYPES, ids=lambda t: t.name)


def sample_block(field_type, **value) -> Block:
    """A block of the type as its editor's preview shows it."""
    preview = dict(field_type.block_class().meta.preview_value or {})
    return Block(type=field_type.name, value={**preview, "key": KEY, **value})


def bound_form(field_type, blocks, raw):
    context = field_type.preview_context()
    context.blocks_by_key = {b.key: b for b in blocks if b.is_input}
    builder = StepFormBuilder(Step(title="Étape", blocks=blocks, number=1), context)
    return builder.get_form(data=MultiValueDict(raw))


def stored_example(field_type):
    block = sample_block(field_type)
    form = bound_form(field_type, [block], field_type.example_input(KEY))
    assert form.is_valid(), form.errors
    return block, clean_answers(form)[KEY]


def test_the_step_offers_every_registered_type_in_registry_order():
    children = FieldsBlock().child_blocks

    assert list(children) == [field_type.name for field_type in registry]
    for field_type in registry:
        assert type(children[field_type.name]) is field_type.block_class


@by_name
def test_a_stored_answer_is_typed_back_the_same_for_corrections(field_type):
    block, stored = stored_example(field_type)

    raw = raw_from_answer(block, stored)

    if not field_type.reloads_answer:
        assert raw == {}
        return
    assert raw == field_type.example_input(KEY)
    again = bound_form(field_type, [block], raw)
    assert again.is_valid(), again.errors
    assert clean_answers(again) == {KEY: stored}


@by_name
def test_every_sub_field_is_rendered_in_the_step_form(field_type):
    block = sample_block(field_type)
    form = bound_form(field_type, [block], field_type.example_input(KEY))
    form.is_valid()

    html = render_to_string("services/step_fields.html", {"form": form})

    assert form.fields
    for name in form.fields:
        assert f'name="{form[name].html_name}"' in html, name
        assert f'id="{form[name].auto_id}' in html, name


@by_name
def test_an_answer_fills_the_export_columns_of_its_type(field_type):
    block, stored = stored_example(field_type)
    columns = field_type.export_columns(block)
    names = [name for name, _heading in columns]

    cells = answer_cells(Submission(data={KEY: stored}), block)
    empty = answer_cells(Submission(data={}), block)

    assert names and len(set(names)) == len(names)
    assert all(name.startswith(f"answer:{KEY}") for name in names)
    assert all(heading for _name, heading in columns)
    assert list(cells) == names and list(empty) == names
    assert all(isinstance(text, str) for text in cells.values())
    assert any(cells.values()) and not any(empty.values())
    assert answer_text(block, stored)


@by_name
def test_a_condition_on_the_field_shows_what_depends_on_its_answer(field_type):
    block = sample_block(field_type)
    raw = field_type.example_input(KEY)
    typed = raw.get(KEY) or []

    def dependent_shown(expected) -> bool:
        dependent = Block(
            type="short_text",
            value={
                "label": "Précisez",
                "key": "precision",
                "required": True,
                "condition": {"field": KEY, "value": expected},
            },
        )
        form = bound_form(field_type, [block, dependent], {**raw, "precision": ["oui"]})
        assert form.is_valid(), form.errors
        answers = clean_answers(form)
        return not form.items[1].hidden and answers.get("precision") == "oui"

    for expected in typed:
        assert field_type.matches(block, typed, expected)
        assert dependent_shown(expected), expected
    assert not field_type.matches(block, typed, NOT_AN_ANSWER)
    assert not dependent_shown(NOT_AN_ANSWER)


def test_a_block_asking_nothing_has_no_answer_and_no_column():
    for field_type in registry:
        if field_type.is_input:
            continue
        block = sample_block(field_type)
        html = render_to_string(
            "services/step_fields.html",
            {"form": bound_form(field_type, [block], {})},
        )
        assert field_type.form_fields(block, field_type.preview_context()) == {}
        assert field_type.export_columns(block) == []
        assert not block.is_input
        assert block.label and block.label in html


class AppointmentSlotBlock(FieldBlock):
    class Meta:
        label = "Appointment slot"


class AppointmentSlot(FieldType):
    """A type as a contributor might first write it: a block and a form field,
    but nothing saying how its answer is stored, shown or typed back."""

    name = "appointment_slot"
    block_class = AppointmentSlotBlock

    def form_fields(self, block, context):
        return {block.key: forms.DateTimeField(label=block.label)}


def test_a_half_written_field_type_is_refused_naming_what_it_lacks():
    with pytest.raises(ImproperlyConfigured) as refused:
        Registry().register(AppointmentSlot)

    assert str(refused.value) == (
        "The field type AppointmentSlot cannot be registered: "
        "it lacks answer, example_input, reload, text."
    )
    assert "appointment_slot" not in registry


def test_a_field_type_without_its_block_is_refused():
    class Nameless(AppointmentSlot):
        name = ""
        block_class = None

    with pytest.raises(ImproperlyConfigured, match="it lacks name, block_class, answer"):
        Registry().register(Nameless)


def test_a_field_type_name_is_registered_once():
    with pytest.raises(ImproperlyConfigured, match="already registered as 'short_text'"):
        registry.register(type(registry["short_text"]))
