"""From the blocks of a step to its Django form.

``StepFormBuilder`` makes the form of one step: each block becomes a
``FormItem`` holding the form fields its type makes (a postal address has
three). What the citizen typed is kept *raw* (the lists of strings of a POST),
step by step, so that going back shows exactly what was typed; answers are
cleaned and stored (``services.fields.answers``) only when the request is
sent.
"""

from dataclasses import dataclass, field
from datetime import date

from django import forms
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy

from .context import FillContext
from .registry import registry
from .schema import SUBFIELD, Block, Step, make_key

MEMBER_PREFILL_HELP = gettext_lazy("Left empty, it is taken from the person chosen above.")
CERTIFIED_PREFILL_HELP = gettext_lazy("Certified by FranceConnect.")


@dataclass
class FormItem:
    """A block as the form shows it: its fields and, when set, its condition."""

    block: Block
    fields: dict[str, forms.Field] = field(default_factory=dict)
    condition: tuple[str, str] | None = None
    hidden: bool = False
    same_step_condition: bool = False
    required_when: tuple[str, str] | None = None
    #: Whether an answer is needed: the block's "Required", or, when it is
    #: required only for some answer of another field, whether that holds.
    required: bool = False

    @property
    def names(self) -> list[str]:
        return list(self.fields)


@dataclass
class DisplayItem:
    """An item as its type's template renders it: with its bound fields and
    the file already attached under its key, if any."""

    item: FormItem
    fields: list
    attachment: object = None

    @property
    def block(self) -> Block:
        return self.item.block

    @property
    def type(self) -> str:
        return self.item.block.type

    @property
    def template(self) -> str:
        return self.block.field_type.template

    @property
    def field(self):
        return self.fields[0] if self.fields else None

    @property
    def parts(self) -> dict:
        """The bound fields of the parts of the answer (``<key>__<part>``), by part."""
        return {
            bound.name.partition(SUBFIELD)[2]: bound
            for bound in self.fields
            if SUBFIELD in bound.name
        }


class StepForm(forms.Form):
    """The form of one step. Fields whose condition does not hold are neither
    required nor kept, whatever the browser sent."""

    template_name = "services/step_form.html"

    def __init__(self, *args, items: list[FormItem], context: FillContext, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        self.context = context
        self.uploads: dict[str, object] = {}
        #: The keys of the documents whose attached file the citizen removes.
        self.removals: set[str] = set()
        for item in items:
            self.fields.update(item.fields)
        if self.is_bound:
            self._fill_from_member()
        self._apply_conditions()

    def _fill_from_member(self):
        """Fields to prefill from a household member chosen in this same step
        cannot be filled before the choice: left empty, they take the member's
        value when the step is sent."""
        member_item = next((i for i in self.items if i.block.field_type.chooses_member), None)
        if member_item is None or not self.data.get(member_item.block.key):
            return
        member = self.context.member(self.data.get(member_item.block.key))
        if member is None:
            return
        data = self.data.copy()
        for item in self.items:
            source = item.block.value.get("prefill") or ""
            key = item.block.key
            if source.startswith("member_") and not data.get(key):
                value = getattr(member, source.removeprefix("member_"), None)
                if value:
                    data[key] = value.isoformat() if isinstance(value, date) else value
        self.data = data

    def raw_values(self, name) -> list[str]:
        if name in self.fields:
            if self.is_bound:
                return [v for v in self.data.getlist(name) if isinstance(v, str)]
            initial = self.initial.get(name, self.fields[name].initial)
            if initial in (None, ""):
                return []
            return [str(v) for v in initial] if isinstance(initial, list) else [str(initial)]
        return self.context.raw.get(name) or []

    def _apply_conditions(self):
        hidden_keys = set()
        for item in self.items:
            if item.condition is None:
                continue
            key, expected = item.condition
            source = self.context.blocks_by_key.get(key)
            matches = (
                source is not None
                and key not in hidden_keys
                and condition_matches(source, self.raw_values(key), expected)
            )
            item.hidden = not matches
            if item.hidden:
                hidden_keys.add(item.block.key)
                for name in item.names:
                    self.fields[name].required = False
        for item in self.items:
            if item.required_when is None or item.hidden:
                continue
            key, expected = item.required_when
            source = self.context.blocks_by_key.get(key)
            item.required = (
                source is not None
                and key not in hidden_keys
                and condition_matches(source, self.raw_values(key), expected)
            )
            item.block.field_type.set_required(item, self, required=item.required)

    @property
    def visible_items(self):
        return [item for item in self.items if not item.hidden or item.same_step_condition]

    @property
    def display_items(self) -> list[DisplayItem]:
        """What the template shows: each item with its bound fields and, for a
        document, the file already attached."""
        return [
            DisplayItem(
                item=item,
                fields=[self[name] for name in item.names],
                attachment=self.context.attachments.get(item.block.key),
            )
            for item in self.visible_items
        ]

    def clean(self):
        cleaned = super().clean()
        for item in self.items:
            if item.hidden:
                for name in item.names:
                    cleaned.pop(name, None)
                    self.errors.pop(name, None)
            else:
                item.block.field_type.clean_form(item, self, cleaned)
        return cleaned

    def raw_data(self) -> dict[str, list[str]]:
        """What was typed in this step, to store and show back (no files)."""
        raw = {}
        for item in self.items:
            for name in item.names:
                if isinstance(self.fields[name], forms.FileField) or not getattr(
                    self.fields[name], "kept", True
                ):
                    continue
                raw[name] = self.raw_values(name)
        return raw


def condition_matches(source: Block, values: list[str], expected: str) -> bool:
    """Whether the values typed in ``source`` give the answer a condition
    expects, or one of the answers it lists, separated by "|"."""
    return any(
        source.field_type.matches(source, values, answer.strip())
        for answer in expected.split("|")
        if answer.strip()
    )


class StepFormBuilder:
    """Builds the form of a step from its blocks, each by its field type."""

    def __init__(self, step: Step, context: FillContext):
        self.step = step
        self.context = context

    def get_form_class(self):
        return StepForm

    def items(self) -> list[FormItem]:
        items = []
        keys_in_step = set()
        member_in_step = self.context.account and any(
            registry[b.type].chooses_member for b in self.step.blocks
        )
        for block in self.step.blocks:
            field_type = registry[block.type]
            if not field_type.is_input:
                items.append(FormItem(block=block))
                continue
            if field_type.needs_account and self.context.account is None:
                continue
            fields = field_type.form_fields(block, self.context)
            if member_in_step and (block.value.get("prefill") or "").startswith("member_"):
                field_ = fields[block.key]
                field_.required = False
                field_.help_text = " ".join(
                    filter(None, [str(field_.help_text), str(MEMBER_PREFILL_HELP)])
                )
            if self.context.certified(block.value.get("prefill") or ""):
                field_ = fields[block.key]
                field_.help_text = " ".join(
                    filter(None, [str(field_.help_text), str(CERTIFIED_PREFILL_HELP)])
                )
            item = FormItem(
                block=block,
                fields=fields,
                condition=block.condition,
                required_when=block.required_when,
                required=bool(block.value.get("required")),
            )
            if item.condition is not None:
                item.same_step_condition = item.condition[0] in keys_in_step
            items.append(item)
            keys_in_step.add(block.key)
        return items

    def get_form(self, data=None, files=None, *, prefix=None) -> StepForm:
        items = self.items()
        return self.get_form_class()(
            data=data,
            files=files,
            items=items,
            context=self.context,
            initial=self.initial(items),
            prefix=prefix,
        )

    def initial(self, items) -> dict:
        """What was typed before, or else what the account knows."""
        initial = {}
        for item in items:
            field_type = item.block.field_type
            for name in item.names:
                if name in self.context.raw:
                    initial[name] = field_type.initial(self.context.raw[name])
            if not any(name in self.context.raw for name in item.names):
                initial.update(field_type.prefill(item.block, self.context))
        return initial


def render_block_preview(block_type: str, value) -> str:
    """A field block as the citizen sees it, for the admin's previews."""
    block = Block(type=block_type, value=dict(value or {}))
    if not block.key:
        block.value["key"] = make_key(block.label)
    block.value.pop("condition", None)
    context = registry[block_type].preview_context()
    builder = StepFormBuilder(Step(title="", blocks=[block]), context)
    form = builder.get_form(prefix="preview")
    return render_to_string("services/step_fields.html", {"form": form, "preview": True})
