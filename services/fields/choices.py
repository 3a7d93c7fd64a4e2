"""Answers chosen among several: single choice, multiple choice, yes or no."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from .base import SingleFieldType, field_options
from .blocks import CHOICES_HELP_TEXT, FieldBlock
from .registry import registry
from .schema import choice_lines, normalise

#: What a condition on a yes/no question may expect, once normalised.
YES = {"yes", "oui", "true", "on", "1"}
NO = {"no", "non", "false", "0"}


def yes_no_matches(values: list[str], expected: str, *, unanswered_is_no: bool) -> bool:
    """Whether a yes/no answer satisfies a condition, whichever words the
    editor used ("Oui", "yes", "true"...)."""
    wanted = normalise(expected)
    given = {normalise(v) for v in values}
    if wanted in YES:
        return bool(given & YES)
    if wanted in NO:
        return bool(given & NO) or (unanswered_is_no and not given)
    return False


class ChoiceFieldBlock(FieldBlock):
    choices = blocks.TextBlock(
        label=_("Choices"),
        help_text=CHOICES_HELP_TEXT,
    )
    widget = blocks.ChoiceBlock(
        choices=[("radio", _("Radio buttons")), ("select", _("Drop-down list"))],
        default="radio",
        label=_("Shown as"),
    )

    class Meta:
        icon = "list-ul"
        label = _("Single choice")
        help_text = _("One answer among several choices.")
        preview_value = {
            "label": "Type d'acte",
            "choices": "Copie intégrale\nExtrait avec filiation\nExtrait sans filiation",
            "widget": "radio",
            "required": True,
        }


@registry.register
class Choice(SingleFieldType):
    name = "choice"
    block_class = ChoiceFieldBlock

    def form_fields(self, block, context):
        choices = block.choices()
        if block.value.get("widget") == "select":
            widget = forms.Select
            choices = [("", gettext("Choose…")), *choices]
        else:
            widget = forms.RadioSelect
        return {
            block.key: forms.ChoiceField(choices=choices, widget=widget, **field_options(block))
        }

    def example_input(self, key):
        return {key: ["Extrait avec filiation"]}

    def offered_answers(self, block):
        return [(choice, choice) for choice in choice_lines(block.value.get("choices"))]

    def text(self, block, value):
        return block.choice_label(str(value))


class MultipleChoiceFieldBlock(FieldBlock):
    choices = blocks.TextBlock(label=_("Choices"), help_text=CHOICES_HELP_TEXT)

    class Meta:
        icon = "tasks"
        label = _("Multiple choice")
        help_text = _("Any number of answers among several choices.")
        preview_value = {
            "label": "Jours de présence",
            "choices": "Lundi\nMardi\nJeudi\nVendredi",
            "required": True,
        }


@registry.register
class MultipleChoice(SingleFieldType):
    """Stored as the list of the choices ticked."""

    name = "multiple_choice"
    block_class = MultipleChoiceFieldBlock

    def form_fields(self, block, context):
        choices = block.choices()
        return {
            block.key: forms.MultipleChoiceField(
                choices=choices, widget=forms.CheckboxSelectMultiple, **field_options(block)
            )
        }

    def initial(self, values):
        return values

    def example_input(self, key):
        return {key: ["Lundi", "Jeudi"]}

    def offered_answers(self, block):
        return [(choice, choice) for choice in choice_lines(block.value.get("choices"))]

    def text(self, block, value):
        return ", ".join(block.choice_label(str(choice)) for choice in value)

    def reload(self, block, value):
        return {block.key: [str(v) for v in value]}


class YesNoBlock(FieldBlock):
    class Meta:
        icon = "radio-full"
        label = _("Yes or no")
        help_text = _("A question answered by yes or no.")
        preview_value = {"label": "Votre enfant a-t-il des allergies ?", "required": True}


@registry.register
class YesNo(SingleFieldType):
    """Stored as a boolean; "no" is an answer too."""

    name = "yes_no"
    block_class = YesNoBlock

    def form_fields(self, block, context):
        return {
            block.key: forms.ChoiceField(
                choices=[("yes", gettext("Yes")), ("no", gettext("No"))],
                widget=forms.RadioSelect,
                **field_options(block),
            )
        }

    def example_input(self, key):
        return {key: ["no"]}

    def answer(self, block, cleaned, context):
        return {"yes": True, "no": False}.get(cleaned.get(block.key))

    def is_answered(self, value):
        return value is not None

    def text(self, block, value):
        return gettext("Yes") if value else gettext("No")

    def reload(self, block, value):
        return {block.key: ["yes" if value else "no"]}

    def matches(self, block, values, expected):
        return yes_no_matches(values, expected, unanswered_is_no=False)

    def offered_answers(self, block):
        return [("yes", gettext("Yes")), ("no", gettext("No"))]
