from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def money(value) -> str:
    """12.5 -> "12,50 €" in French (the separators of the active language)."""
    if value in (None, ""):
        return ""
    amount = Decimal(value).quantize(Decimal("0.01"))
    return f"{number_format(amount, 2, use_l10n=True, force_grouping=True)}\xa0€"
