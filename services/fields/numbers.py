"""Whole numbers, optionally between a minimum and a maximum."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from .base import SingleFieldType, field_options
from .blocks import FieldBlock
from .registry import registry


class NumberBlock(FieldBlock):
    min_value = blocks.IntegerBlock(required=False, label=_("Minimum"))
    max_value = blocks.IntegerBlock(required=False, label=_("Maximum"))

    class Meta:
        icon = "order"
        label = _("Number")
        help_text = _("A whole number, optionally between a minimum and a maximum.")
        preview_value = {"label": "Nombre d'exemplaires", "min_value": 1, "max_value": 5}


@registry.register
class Number(SingleFieldType):
    name = "number"
    block_class = NumberBlock

    def form_fields(self, block, context):
        return {
            block.key: forms.IntegerField(
                min_value=block.value.get("min_value"),
                max_value=block.value.get("max_value"),
                **field_options(block),
            )
        }

    def example_input(self, key):
        return {key: ["2"]}
