"""One rule for the phone numbers, postcodes and dates of birth people type:
at registration, in "Modifier mon compte", for the household and in the
démarches' forms (whose field types use these fields), so that what the
account holds is always accepted where a démarche is prefilled with it."""

import re
from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PHONE_INVALID = _("Enter a valid phone number, such as 06 12 34 56 78 or +44 20 7946 0958.")
POSTCODE_INVALID = _("Enter a French postcode of 5 digits, such as 62220.")
BIRTH_DATE_IN_FUTURE = _("The date of birth cannot be in the future.")
BIRTH_DATE_TOO_EARLY = _("The date of birth cannot be before 1900.")

#: The earliest date of birth anyone may give.
EARLIEST_BIRTH_DATE = date(1900, 1, 1)
FRENCH_POSTCODE = re.compile(r"^[0-9]{5}$")

#: How a phone number is stored: as the French write it, or in the
#: international format (E.164) the démarches' answers keep.
READABLE = "readable"
E164 = "e164"


def _parse(value: str):
    import phonenumbers  # imported on use: its metadata is heavy

    try:
        number = phonenumbers.parse(value, "FR")
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def format_phone(value: str) -> str:
    """A phone number as the French write it: ``06 12 34 56 78`` for a
    French number, ``+44 20 7946 0958`` for another; unchanged when it is no
    valid number."""
    import phonenumbers

    number = _parse(value) if value else None
    if number is None:
        return value
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 33
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


def phone_e164(value: str) -> str:
    """``value`` as ``+33612345678``, or ``""`` when it is no valid number."""
    import phonenumbers

    number = _parse(value) if value else None
    if number is None:
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_mobile(value: str) -> bool:
    """Whether ``value`` is a valid number that can receive text messages."""
    import phonenumbers

    number = _parse(value) if value else None
    return number is not None and phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


class PhoneField(forms.CharField):
    """A French or international phone number, checked against the
    numbering plans; cleaned to ``stored`` (``READABLE`` or ``E164``) and
    shown as the French write it."""

    widget = forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})

    def __init__(self, *, stored: str = READABLE, **kwargs):
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)
        self.stored = stored

    def to_python(self, value):
        import phonenumbers

        value = super().to_python(value)
        if not value:
            return value
        number = _parse(value)
        if number is None:
            raise forms.ValidationError(PHONE_INVALID, code="invalid")
        if self.stored == E164:
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        return format_phone(value)

    def prepare_value(self, value):
        return format_phone(value) if isinstance(value, str) and value else value


class PostcodeField(forms.CharField):
    """A French postcode: five digits (spaces typed inside are dropped)."""

    widget = forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"})

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 10)
        super().__init__(**kwargs)

    def to_python(self, value):
        value = "".join(super().to_python(value).split())
        if value and not FRENCH_POSTCODE.match(value):
            raise forms.ValidationError(POSTCODE_INVALID, code="invalid")
        return value


def check_birth_date(value: date | None) -> date | None:
    """A date of birth is not in the future, nor before 1900."""
    if value and value > timezone.localdate():
        raise forms.ValidationError(BIRTH_DATE_IN_FUTURE, code="future")
    if value and value < EARLIEST_BIRTH_DATE:
        raise forms.ValidationError(BIRTH_DATE_TOO_EARLY, code="too_early")
    return value


def birth_date_bounds() -> dict[str, str]:
    """The ``min`` and ``max`` attributes of a date of birth's input."""
    return {"min": EARLIEST_BIRTH_DATE.isoformat(), "max": timezone.localdate().isoformat()}
