"""What every field type of a démarche's form offers.

A field type is one class, registered by its block name: the StreamField block
that communication staff place in a step, the Django form fields the citizen
fills in, how the answer is stored, shown as text, exported, typed back into
the form for a correction, compared with a condition, and the template that
renders it. The step form, the answers and the exports ask the type instead
of naming it.
"""

from abc import ABC, abstractmethod
from datetime import date
from typing import TYPE_CHECKING, ClassVar

from .context import FillContext
from .schema import SUBFIELD, Block, normalise

if TYPE_CHECKING:
    from django import forms
    from wagtail.blocks import Block as StreamBlockChild

    from .builder import FormItem, StepForm

ANSWER_PREFIX = "answer:"
"""Names the export columns of a field's answers: ``answer:<key>``."""


class FieldType(ABC):
    """A type of field of a démarche's form.

    Subclasses set ``name`` (the block's name in ``ServicePage.form``, stored
    in every page and revision: never renamed), ``block_class`` (a
    ``services.fields.blocks.FieldBlock`` subclass with a full ``Meta``) and,
    when one form field rendered by ``components/field.html`` is not enough,
    ``template``; they implement the abstract methods. The registry refuses a
    class that lacks any of them.
    """

    name: ClassVar[str] = ""
    block_class: ClassVar[type["StreamBlockChild"] | None] = None
    #: Renders the type in a step's form, with ``entry`` (a ``DisplayItem``).
    template: ClassVar[str] = "services/fields/field.html"
    #: Whether the field asks something (a heading and help text asks nothing).
    is_input: ClassVar[bool] = True
    #: Whether its answer is a supporting document: a file, or the promise to
    #: post it. Receipts list documents apart from the answers.
    is_document: ClassVar[bool] = False
    #: Whether its answer is the household member the request concerns.
    chooses_member: ClassVar[bool] = False
    #: Left out of the form filled in by a visitor without an account.
    needs_account: ClassVar[bool] = False
    #: Whether ``reload`` types the answer back: a file cannot be, so a
    #: correction asks for it again.
    reloads_answer: ClassVar[bool] = True
    #: Whether an agent may ask the citizen to correct it (a consent given
    #: is not corrected).
    correctable: ClassVar[bool] = True

    # The form.

    @abstractmethod
    def form_fields(self, block: Block, context: FillContext) -> dict[str, "forms.Field"]:
        """The Django form fields of the block, by name: ``block.key``, and
        ``<key>__<part>`` for any further one."""

    def initial(self, values: list[str]):
        """The initial value of one of its form fields, from what was typed."""
        return values[0] if values else ""

    def prefill(self, block: Block, context: FillContext) -> dict:
        """Initial values taken from the account (``block.value["prefill"]``
        names its attribute) or from the household member chosen earlier
        (``member_<attribute>``)."""
        source = block.value.get("prefill")
        account = context.account
        if not source or account is None:
            return {}
        if source.startswith("member_"):
            member = context.chosen_member()
            value = getattr(member, source.removeprefix("member_"), None) if member else None
        else:
            value = getattr(account, source, None)
        if value in (None, ""):
            return {}
        if isinstance(value, date):
            value = value.isoformat()
        return {block.key: value}

    def set_required(self, item: "FormItem", form: "StepForm", *, required: bool) -> None:
        """Make the field required or not, for a block required only when
        another field has some answer: by default, every form field of the
        block."""
        for name in item.names:
            form.fields[name].required = required

    def clean_form(self, item: "FormItem", form: "StepForm", cleaned: dict) -> None:  # noqa: B027
        """Checks that need the whole step (the files already attached, say),
        run by ``StepForm.clean`` while the item is shown."""

    def preview_context(self) -> FillContext:
        """Who fills the form in the admin's preview of the block."""
        return FillContext()

    @abstractmethod
    def example_input(self, key: str) -> dict[str, list[str]]:
        """What a citizen may type in the field, as a form's raw values by
        form field name: the generic tests fill the field with it."""

    # The answer.

    @abstractmethod
    def answer(self, block: Block, cleaned: dict, context: FillContext):
        """The answer to store (a JSON value) from the step's cleaned data;
        ``None`` when the field was left empty."""

    def is_answered(self, value) -> bool:
        """Whether ``value`` is kept as an answer (an empty one is not)."""
        return value not in (None, "", [], False)

    @abstractmethod
    def text(self, block: Block, value) -> str:
        """A stored answer (never ``None``) as the citizen and agents read it."""

    @abstractmethod
    def reload(self, block: Block, value) -> dict[str, list[str]]:
        """A stored answer (never ``None``) as the form's raw values, to show
        it back for a correction: bound to them, the form gives the same
        answer again."""

    def matches(self, block: Block, values: list[str], expected: str) -> bool:
        """Whether the raw values typed in the field satisfy a condition
        expecting the answer ``expected``, as an editor writes it."""
        wanted = normalise(expected)
        return any(normalise(v) == wanted for v in values)

    def offered_answers(self, block: Block) -> list[tuple[str, str]] | None:
        """The answers the field offers, as (raw value, label), when it offers
        a fixed list of them; ``None`` for a free answer. A rule expecting an
        answer (a routing rule) must expect one of them."""
        return None

    def stored_matches(self, block: Block, value, expected: str) -> bool:
        """Whether a stored answer (never ``None``) satisfies a condition
        expecting ``expected``: the answer typed back, then compared as the
        form compares what is typed."""
        return self.matches(block, self.reload(block, value).get(block.key, []), expected)

    # The export.

    def export_columns(self, block: Block) -> list[tuple[str, str]]:
        """The columns of the export its answers fill: names and headings."""
        return [(f"{ANSWER_PREFIX}{block.key}", block.label or block.key)]

    def export_cells(self, block: Block, value, *, submission) -> dict[str, str]:
        """The cells of ``export_columns`` for the answer of ``submission``."""
        ((name, _heading),) = self.export_columns(block)
        return {name: self.text(block, value) if value is not None else ""}


class DisplayOnlyType(FieldType):
    """A block shown between fields that asks nothing."""

    is_input = False
    reloads_answer = False

    def form_fields(self, block, context):
        return {}

    def example_input(self, key):
        return {}

    def answer(self, block, cleaned, context):
        return None

    def text(self, block, value):
        return ""

    def reload(self, block, value):
        return {}

    def matches(self, block, values, expected):
        return False

    def export_columns(self, block):
        return []

    def export_cells(self, block, value, *, submission):
        return {}


def field_options(block: Block) -> dict:
    """The options every form field takes from its block."""
    return {
        "label": block.value.get("label", ""),
        "help_text": block.value.get("help_text", ""),
        "required": bool(block.value.get("required")),
    }


def subfield(block: Block, part: str) -> str:
    """The form field name of one part of a block's answer."""
    return f"{block.key}{SUBFIELD}{part}"


class SingleFieldType(FieldType):
    """A type asking one form field, named by the block's key, whose cleaned
    value is the answer."""

    def answer(self, block, cleaned, context):
        return cleaned.get(block.key)

    def text(self, block, value):
        return str(value)

    def reload(self, block, value):
        return {block.key: [str(value)]}
