"""Dates, optionally not in the future, not in the past, or a plausible date
of birth; a date and a time of day."""

from datetime import date, datetime

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from accounts.validators import birth_date_bounds, check_birth_date

from .base import FieldType, SingleFieldType, field_options, subfield
from .blocks import PREFILL_NONE, FieldBlock
from .registry import registry
from .schema import SUBFIELD

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


#: The dates a date field may allow, as the editor chooses them.
BOUNDS = [
    ("", _("Any date")),
    ("past", _("Not in the future")),
    ("future", _("Not in the past")),
]


class DateFieldBlock(FieldBlock):
    bounds = blocks.ChoiceBlock(
        choices=[*BOUNDS, ("birth", _("A date of birth: from 1900, not in the future"))],
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


DATETIME_HALF = _("Give both the date and the time.")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class DateTimeBlock(FieldBlock):
    bounds = blocks.ChoiceBlock(
        choices=BOUNDS,
        required=False,
        label=_("Allowed dates"),
    )

    class Meta:
        icon = "time"
        label = _("Date and time")
        help_text = _("A date and a time of day, such as the start of an event.")
        preview_value = {"label": "Début de la manifestation", "bounds": "future", "required": True}


@registry.register
class DateTime(FieldType):
    """A date and a time of day, in two fields, in the commune's time zone:
    stored as ``2026-03-14T10:30``, shown as "14 mars 2026 à 10:30"."""

    name = "date_time"
    block_class = DateTimeBlock
    template = "services/fields/group.html"

    def form_fields(self, block, context):
        required = field_options(block)["required"]
        bounds = block.value.get("bounds") or ""
        day = BoundedDateField(label=gettext("Date"), bounds=bounds, required=required)
        hour = forms.TimeField(
            label=gettext("Time"), required=required, widget=TimeInput(attrs={"step": 60})
        )
        return {subfield(block, "date"): day, subfield(block, "time"): hour}

    def clean_form(self, item, form, cleaned):
        block = item.block
        names = subfield(block, "date"), subfield(block, "time")
        if any(name in form.errors for name in names):
            return
        day, hour = (cleaned.get(name) for name in names)
        if bool(day) != bool(hour):
            missing = names[0] if not day else names[1]
            form.add_error(missing, forms.ValidationError(DATETIME_HALF, code="required"))
            return
        if not day:
            return
        when = datetime.combine(day, hour.replace(second=0, microsecond=0))
        now = timezone.localtime().replace(tzinfo=None)
        bounds = block.value.get("bounds") or ""
        if bounds == "past" and when > now:
            form.add_error(names[1], forms.ValidationError(DATE_IN_FUTURE, code="future"))
        elif bounds == "future" and when < now:
            form.add_error(names[1], forms.ValidationError(DATE_IN_PAST, code="past"))

    def example_input(self, key):
        return {f"{key}{SUBFIELD}date": ["2030-06-21"], f"{key}{SUBFIELD}time": ["18:30"]}

    def answer(self, block, cleaned, context):
        day = cleaned.get(subfield(block, "date"))
        hour = cleaned.get(subfield(block, "time"))
        if not day or not hour:
            return None
        return f"{day.isoformat()}T{hour:%H:%M}"

    def text(self, block, value):
        when = datetime.fromisoformat(value)
        return gettext("%(date)s at %(time)s") % {
            "date": formats.date_format(when, "j F Y"),
            "time": formats.time_format(when, "H:i"),
        }

    def reload(self, block, value):
        when = datetime.fromisoformat(value)
        return {
            subfield(block, "date"): [when.date().isoformat()],
            subfield(block, "time"): [f"{when:%H:%M}"],
        }

    def stored_matches(self, block, value, expected):
        """A rule names the date (``2026-03-14``) or the date and time."""
        wanted = (expected or "").strip()
        return bool(wanted) and isinstance(value, str) and value.startswith(wanted)
