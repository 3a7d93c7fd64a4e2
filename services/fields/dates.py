"""Dates, optionally not in the future, not in the past, or a plausible date of birth."""

from datetime import date

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from accounts.validators import birth_date_bounds, check_birth_date

from .base import SingleFieldType, field_options
from .blocks import PREFILL_NONE, FieldBlock
from .registry import registry

DATE_IN_FUTURE = _("The date cannot be in the future.")
DATE_IN_PAST = _("The date cannot be in the past.")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class BoundedDateField(forms.DateField):
    widget = DateInput

    def __init__(self, *, bounds="", **kwargs):
        super().__init__(**kwargs)
        self.bounds = bounds
        today = date.today().isoformat()
        if bounds == "past":
            self.widget.attrs["max"] = today
        elif bounds == "future":
            self.widget.attrs["min"] = today
        elif bounds == "birth":
            self.widget.attrs.update(birth_date_bounds())

    def validate(self, value):
        super().validate(value)
        if value and self.bounds == "past" and value > date.today():
            raise forms.ValidationError(DATE_IN_FUTURE, code="future")
        if value and self.bounds == "future" and value < date.today():
            raise forms.ValidationError(DATE_IN_PAST, code="past")
        if self.bounds == "birth":
            check_birth_date(value)


class DateFieldBlock(FieldBlock):
    bounds = blocks.ChoiceBlock(
        choices=[
            ("", _("Any date")),
            ("past", _("Not in the future")),
            ("future", _("Not in the past")),
            ("birth", _("A date of birth: from 1900, not in the future")),
        ],
        required=False,
        label=_("Allowed dates"),
    )
    prefill = blocks.ChoiceBlock(
        choices=[
            PREFILL_NONE,
            ("birth_date", _("Account holder's date of birth")),
            ("member_birth_date", _("Date of birth of the household member chosen earlier")),
        ],
        required=False,
        label=_("Prefill from the account"),
    )

    class Meta:
        icon = "date"
        label = _("Date")
        help_text = _("A date, optionally not in the future, not in the past, or a date of birth.")
        preview_value = {"label": "Date de l'événement", "bounds": "past", "required": True}


@registry.register
class Date(SingleFieldType):
    """Stored as an ISO date (``2026-03-14``), shown as "14 mars 2026"."""

    name = "date"
    block_class = DateFieldBlock

    def form_fields(self, block, context):
        return {
            block.key: BoundedDateField(
                bounds=block.value.get("bounds") or "", **field_options(block)
            )
        }

    def example_input(self, key):
        return {key: ["2016-09-14"]}

    def answer(self, block, cleaned, context):
        value = cleaned.get(block.key)
        return value.isoformat() if value else None

    def text(self, block, value):
        return formats.date_format(date.fromisoformat(value), "j F Y")
