"""The town hall's opening hours and exceptional closures, as the commune
settings store them (``CommuneSettings.opening_hours`` and ``.closures``),
and what they say for a given day."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.dates import WEEKDAYS

UPCOMING_CLOSURES_DAYS = 60
"""How far ahead the closures are announced."""


@dataclass(frozen=True)
class Range:
    opens: time
    closes: time


@dataclass(frozen=True)
class Closure:
    first_day: date
    last_day: date
    reason: str

    def covers(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day


@dataclass(frozen=True)
class Day:
    day: date
    name: str
    ranges: tuple[Range, ...] = ()
    closure: Closure | None = None

    @property
    def is_open(self) -> bool:
        return bool(self.ranges) and self.closure is None


@dataclass(frozen=True)
class Week:
    today: Day
    days: list[Day] = field(default_factory=list)
    """The usual hours, Monday to Sunday."""
    closures: list[Closure] = field(default_factory=list)
    """The closures of today and the coming weeks, first one first."""

    @property
    def known(self) -> bool:
        return any(day.ranges for day in self.days)


def _ranges(value) -> tuple[Range, ...]:
    ranges = [Range(value["opens"], value["closes"])]
    if value["opens_again"] and value["closes_again"]:
        ranges.append(Range(value["opens_again"], value["closes_again"]))
    return tuple(ranges)


def commune_week(commune, *, today: date | None = None) -> Week:
    """The commune's hours for the week, and what they say today (in the
    portal's time zone)."""
    today = today or timezone.localdate()
    by_weekday = {
        int(child.value["weekday"]): _ranges(child.value) for child in commune.opening_hours
    }
    closures = sorted(
        (
            Closure(
                child.value["first_day"],
                child.value["last_day"] or child.value["first_day"],
                child.value["reason"],
            )
            for child in commune.closures
        ),
        key=lambda closure: closure.first_day,
    )
    horizon = today + timedelta(days=UPCOMING_CLOSURES_DAYS)
    monday = today - timedelta(days=today.weekday())
    days = [
        Day(
            day=monday + timedelta(days=number),
            name=WEEKDAYS[number],
            ranges=by_weekday.get(number, ()),
        )
        for number in range(7)
    ]
    return Week(
        today=Day(
            day=today,
            name=WEEKDAYS[today.weekday()],
            ranges=by_weekday.get(today.weekday(), ()),
            closure=next((closure for closure in closures if closure.covers(today)), None),
        ),
        days=days,
        closures=[c for c in closures if c.last_day >= today and c.first_day <= horizon],
    )


def next_midnight() -> datetime:
    """When "today" changes, in the portal's time zone."""
    tomorrow = timezone.localdate() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(tomorrow, time.min))
