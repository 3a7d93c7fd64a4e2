"""Amounts of money as the portal writes them, in every app and template
(the ``money`` filter of ``cms.templatetags.portal``)."""

from decimal import Decimal

from django.utils.formats import number_format


def money(value) -> str:
    """12.5 -> "12,50 €" in French (the separators of the active language)."""
    if value in (None, ""):
        return ""
    amount = Decimal(value).quantize(Decimal("0.01"))
    return f"{number_format(amount, 2, use_l10n=True, force_grouping=True)}\xa0€"
