"""Calendar arithmetic of retention periods, counted in months."""

from datetime import datetime

from django.utils import timezone


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and local time ``months`` earlier (the last day of a
    shorter month)."""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for day in range(moment.day, 27, -1):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return moment.replace(year=year, month=month, day=min(moment.day, 28))


def months_after(moment: datetime, months: int) -> datetime:
    return months_before(moment, -months)
