"""Periods the admin filters and exports by: dates within the years a
portal holds, refused with a message outside them.

A date that starts or ends a period is a moment of the commune's time zone,
converted to UTC to be compared with what is stored: midnight on 1 January
of year 1 in Paris falls in year 0, and the day after 31 December 9999 in
year 10000, which Python cannot represent (a server error). Every date
filter of the admin (``PeriodFilter``) and every period of an admin form
(``PeriodDateField``) takes its dates from here.
"""

from datetime import date

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters.fields import DateRangeField

FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2999, 12, 31)
DATE_OUT_OF_RANGE = _("Choose a date between the years 1900 and 2999.")


class PeriodDateField(forms.DateField):
    """A date that starts or ends a period, between ``FIRST_DATE`` and
    ``LAST_DATE``."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("min", FIRST_DATE.isoformat())
        self.widget.attrs.setdefault("max", LAST_DATE.isoformat())

    def validate(self, value):
        super().validate(value)
        if value and not FIRST_DATE <= value <= LAST_DATE:
            raise forms.ValidationError(DATE_OUT_OF_RANGE, code="out_of_range")


class PeriodField(DateRangeField):
    """django-filter's range of two dates, each a ``PeriodDateField``."""

    def __init__(self, *args, **kwargs):
        fields = (PeriodDateField(), PeriodDateField())
        super(DateRangeField, self).__init__(fields, *args, **kwargs)


class PeriodFilter(django_filters.DateFromToRangeFilter):
    """``DateFromToRangeFilter`` whose dates stay between ``FIRST_DATE`` and
    ``LAST_DATE``: same parameters (``<name>_after``, ``<name>_before``)."""

    field_class = PeriodField
