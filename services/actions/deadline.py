"""A deadline: after some calendar or working days (French public holidays
excluded) in the status, remind the citizen or an address, and/or move the
request to another status (“Classé sans suite” after 30 days “Incomplet”,
“Acceptée (silence vaut accord)” after two months). The daily job
``services.tasks.fire_deadlines`` fires them; each fires once."""

from datetime import date, timedelta
from functools import lru_cache

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from .base import ActionContext, StatusAction
from .registry import registry

CALENDAR, WORKING = "calendar", "working"
NOBODY, CITIZEN, ADDRESS = "", "citizen", "address"


@lru_cache(maxsize=32)
def _public_holidays(year: int):
    # Imported here: the holidays package adds about 3 MB to each worker,
    # and only deadlines counted in working days need it.
    import holidays

    return holidays.France(years=year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _public_holidays(day.year)


def due_date(start: date, days: int, kind: str) -> date:
    """The day ``days`` calendar or working days after ``start``."""
    if kind != WORKING:
        return start + timedelta(days=days)
    day = start
    while days > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day


class DeadlineBlock(blocks.StructBlock):
    days = blocks.IntegerBlock(label=_("After (days)"), min_value=1, max_value=3650)
    kind = blocks.ChoiceBlock(
        label=_("Counted in"),
        choices=[(CALENDAR, _("calendar days")), (WORKING, _("working days"))],
        default=CALENDAR,
        help_text=_("Working days skip weekends and French public holidays."),
    )
    remind = blocks.ChoiceBlock(
        label=_("Send a reminder to"),
        choices=[(NOBODY, _("nobody")), (CITIZEN, _("the citizen")), (ADDRESS, _("an address"))],
        default=NOBODY,
        required=False,
    )
    remind_address = blocks.EmailBlock(label=_("Reminder address"), required=False)
    reminder = blocks.TextBlock(
        label=_("Reminder"),
        required=False,
        help_text=_("Placeholders: {prenom}, {nom}, {reference}, {demarche}, {commune}, {mairie}."),
    )
    move_to = blocks.CharBlock(
        label=_("Then move the request to the status (key)"),
        required=False,
        help_text=_("Leave empty for a reminder only."),
    )
    message = blocks.TextBlock(
        label=_("Message to the citizen when it moves"),
        required=False,
    )

    class Meta:
        label = _("Deadline")
        icon = "time"


@registry.register
class Deadline(StatusAction):
    name = "deadline"
    label = _("Deadline")
    icon = "time"

    def block(self):
        return DeadlineBlock()

    def problems(self, config, statuses):
        found = []
        move_to = (config.get("move_to") or "").strip()
        if move_to and move_to not in statuses:
            found.append(
                _("A deadline moves requests to “%(key)s”, not a status of this workflow.")
                % {"key": move_to}
            )
        if not move_to and not config.get("remind"):
            found.append(_("A deadline must send a reminder, move the request, or both."))
        if config.get("remind") == ADDRESS and not config.get("remind_address"):
            found.append(_("A deadline's reminder to an address needs the address."))
        return found

    def run(self, context: ActionContext, config: dict) -> str:
        from ..models import RequestDeadline

        start = timezone.localdate(context.change.created_at)
        due = due_date(start, int(config["days"]), config.get("kind") or CALENDAR)
        RequestDeadline.objects.create(
            submission=context.submission,
            status_change=context.change,
            status=context.change.status,
            position=context.position,
            due_on=due,
            remind=config.get("remind") or NOBODY,
            remind_address=config.get("remind_address") or "",
            reminder=config.get("reminder") or "",
            move_to=(config.get("move_to") or "").strip(),
            message=config.get("message") or "",
        )
        return str(_("Deadline on %(date)s.") % {"date": date_format(due, "j F Y")})
