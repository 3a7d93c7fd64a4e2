"""A box the citizen must tick, such as agreeing to a rule."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .base import SingleFieldType, field_options
from .blocks import FieldBlock
from .choices import yes_no_matches
from .registry import registry


class ConsentBlock(FieldBlock):
    class Meta:
        icon = "tick-inverse"
        label = _("Consent")
        help_text = _("A box the citizen must tick, such as agreeing to a rule.")
        preview_value = {
            "label": "Je certifie l'exactitude des informations fournies.",
            "required": True,
        }


@registry.register
class Consent(SingleFieldType):
    """Stored as ``true`` once ticked; a box left empty is no answer, and
    satisfies a condition expecting "no"."""

    name = "consent"
    block_class = ConsentBlock
    correctable = False

    def form_fields(self, block, context):
        return {block.key: forms.BooleanField(**field_options(block))}

    def example_input(self, key):
        return {key: ["on"]}

    def text(self, block, value):
        return gettext("Yes") if value else gettext("No")

    def reload(self, block, value):
        return {block.key: ["on"]} if value else {}

    def matches(self, block, values, expected):
        return yes_no_matches(values, expected, unanswered_is_no=True)
