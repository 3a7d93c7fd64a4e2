"""Cells of the spreadsheets the admin exports."""

import re

from django.utils.encoding import force_str

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PHONE_NUMBER = re.compile(r"\+?[\d .()-]+")


def spreadsheet_text(value) -> str:
    """Citizens type their own names: a CSV cell that a spreadsheet would run
    as a formula is prefixed with an apostrophe (phone numbers stay as they are)."""
    value = force_str(value)
    if value[:1] in FORMULA_STARTS and not PHONE_NUMBER.fullmatch(value):
        return "'" + value
    return value
