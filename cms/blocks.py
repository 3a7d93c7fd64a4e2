"""Blocks of the commune settings: the town hall's opening hours and its
exceptional closures (``cms.opening_hours`` reads them)."""

from django.core.exceptions import ValidationError
from django.forms.utils import ErrorList
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError

CLOSES_BEFORE_OPENING = _("The closing time must come after the opening time.")
SECOND_RANGE_INCOMPLETE = _("Give both times of the second range, or neither.")
SECOND_RANGE_OVERLAPS = _("The second range must start after the first one ends.")
DAY_TWICE = _("%(day)s is given twice: one entry per day.")
CLOSURE_ENDS_BEFORE_START = _("The last day must not come before the first one.")


class OpeningDayBlock(blocks.StructBlock):
    """The hours of one weekday: one range, or two around a lunch break."""

    weekday = blocks.ChoiceBlock(
        label=_("Day"), choices=[(str(number), name) for number, name in WEEKDAYS.items()]
    )
    opens = blocks.TimeBlock(label=_("Opens at"))
    closes = blocks.TimeBlock(label=_("Closes at"))
    opens_again = blocks.TimeBlock(
        label=_("Opens again at"), required=False, help_text=_("After a break, if any.")
    )
    closes_again = blocks.TimeBlock(label=_("Closes again at"), required=False)

    class Meta:
        icon = "time"
        label = _("Opening day")
        form_classname = "opening-day-block"
        preview_value = {"weekday": "0", "opens": "08:30", "closes": "12:00"}

    def clean(self, value):
        value = super().clean(value)
        errors = {}
        if value["closes"] <= value["opens"]:
            errors["closes"] = ErrorList([ValidationError(CLOSES_BEFORE_OPENING)])
        again = (value["opens_again"], value["closes_again"])
        if any(again) and not all(again):
            errors["closes_again"] = ErrorList([ValidationError(SECOND_RANGE_INCOMPLETE)])
        elif all(again):
            if value["opens_again"] < value["closes"]:
                errors["opens_again"] = ErrorList([ValidationError(SECOND_RANGE_OVERLAPS)])
            elif value["closes_again"] <= value["opens_again"]:
                errors["closes_again"] = ErrorList([ValidationError(CLOSES_BEFORE_OPENING)])
        if errors:
            raise StructBlockValidationError(block_errors=errors)
        return value


class OpeningHoursBlock(blocks.StreamBlock):
    day = OpeningDayBlock()

    class Meta:
        label = _("Opening hours")

    def clean(self, value):
        value = super().clean(value)
        seen = set()
        for child in value:
            weekday = child.value["weekday"]
            if weekday in seen:
                raise blocks.StreamBlockValidationError(
                    non_block_errors=ErrorList(
                        [ValidationError(DAY_TWICE, params={"day": WEEKDAYS[int(weekday)]})]
                    )
                )
            seen.add(weekday)
        return value


class ClosureBlock(blocks.StructBlock):
    """Days the town hall is closed although its hours say it is open."""

    first_day = blocks.DateBlock(label=_("First day closed"))
    last_day = blocks.DateBlock(
        label=_("Last day closed"), required=False, help_text=_("Left empty: one day.")
    )
    reason = blocks.CharBlock(
        label=_("Reason"),
        max_length=120,
        help_text=_("Shown to citizens, e.g. “Pont de l'Ascension”."),
    )

    class Meta:
        icon = "date"
        label = _("Exceptional closure")
        preview_value = {"first_day": "2026-05-15", "reason": "Pont de l'Ascension"}

    def clean(self, value):
        value = super().clean(value)
        if value["last_day"] and value["last_day"] < value["first_day"]:
            raise StructBlockValidationError(
                block_errors={"last_day": ErrorList([ValidationError(CLOSURE_ENDS_BEFORE_START)])}
            )
        return value


class ClosuresBlock(blocks.StreamBlock):
    closure = ClosureBlock()

    class Meta:
        label = _("Exceptional closures")


def first_block_error(error: ValidationError, path: str) -> tuple[str, str]:
    """Where the first error of a block's validation is, as a path below
    ``path`` (``form[2].fields[0].key``), and what it says."""
    children = getattr(error, "block_errors", None)
    if children:
        place, child = next(iter(children.items()))
        if isinstance(child, list):
            child = child[0]
        here = f"{path}[{place}]" if isinstance(place, int) else f"{path}.{place}"
        return first_block_error(child, here)
    messages = [m for e in getattr(error, "non_block_errors", [error]) for m in e.messages]
    return path, " ".join(messages)
