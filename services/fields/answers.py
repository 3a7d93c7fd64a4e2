"""From a valid step to the answers stored, and from answers back to text.

Answers are JSON values keyed by each block's ``key``; each field type says
what its answer is made of and how it reads.
"""

from dataclasses import dataclass

from .builder import StepForm
from .schema import Block, Step


def clean_answers(form: StepForm) -> dict:
    """The answers of a valid step, keyed by block key: those of the fields
    shown, documents included (the file attached, as
    ``form.context.attachments`` holds it, or the promise to send it by post)."""
    if not form.is_valid():
        raise ValueError("Only a valid step has answers.")
    answers = {}
    for item in form.items:
        field_type = item.block.field_type
        if item.hidden or not field_type.is_input:
            continue
        value = field_type.answer(item.block, form.cleaned_data, form.context)
        if field_type.is_answered(value):
            answers[item.block.key] = value
    return answers


def answer_text(block: Block, value) -> str:
    """An answer as the citizen and the agents read it."""
    if value is None:
        return ""
    return block.field_type.text(block, value)


@dataclass
class AnswerRow:
    label: str
    text: str
    block: Block
    value: object = None

    @property
    def is_document(self) -> bool:
        return self.block.field_type.is_document

    @property
    def by_post(self) -> bool:
        return isinstance(self.value, dict) and bool(self.value.get("by_post"))


def answer_rows(steps: list[Step], data: dict) -> list[tuple[Step, list[AnswerRow]]]:
    """The answers under their labels, step by step, in form order."""
    result = []
    for step in steps:
        rows = [
            AnswerRow(
                label=block.label,
                text=answer_text(block, data.get(block.key)),
                block=block,
                value=data.get(block.key),
            )
            for block in step.blocks
            if block.is_input and block.key in data
        ]
        if rows:
            result.append((step, rows))
    return result
