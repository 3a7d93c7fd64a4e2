"""A line of a démarche's price, as staff write it: a unit price (fixed,
or by the option chosen in a choice field), times a number answered
(nights, metres, copies) or once, when a condition on the answers holds."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

EQUALS, DIFFERS = "equals", "differs"


class OptionPriceBlock(blocks.StructBlock):
    option = blocks.CharBlock(label=_("Choice"), help_text=_("As the field offers it."))
    amount = blocks.DecimalBlock(label=_("Unit price (€)"), min_value=0, decimal_places=2)

    class Meta:
        label = _("Price of a choice")


class PriceLineBlock(blocks.StructBlock):
    label = blocks.CharBlock(
        label=_("Label"),
        max_length=120,
        help_text=_(
            "What the citizen reads, e.g. “Stall {quantite} m”. {choix} is replaced by the "
            "choice made, {quantite} by the number answered."
        ),
    )
    amount = blocks.DecimalBlock(
        label=_("Unit price (€)"),
        required=False,
        min_value=0,
        decimal_places=2,
        help_text=_("Leave empty when the price depends on a choice (below)."),
    )
    choice_field = blocks.CharBlock(
        label=_("Price by the choice made in the field (key)"),
        required=False,
        help_text=_("The key of a choice field of the form, e.g. “salle”."),
    )
    choice_prices = blocks.ListBlock(
        OptionPriceBlock(), label=_("Prices of its choices"), required=False, min_num=0
    )
    quantity_field = blocks.CharBlock(
        label=_("Times the number answered in the field (key)"),
        required=False,
        help_text=_("The key of a number field, e.g. “jours”. Leave empty for once."),
    )
    condition_field = blocks.CharBlock(
        label=_("Only when the answer to the field (key)"),
        required=False,
        help_text=_("Leave empty to count this line for every request."),
    )
    condition_operator = blocks.ChoiceBlock(
        label=_("is or is not"),
        choices=[(EQUALS, _("is")), (DIFFERS, _("is not"))],
        default=EQUALS,
        required=False,
    )
    condition_value = blocks.CharBlock(
        label=_("the answer"), required=False, help_text=_("For instance “Oui”.")
    )

    class Meta:
        label = _("Price line")
        icon = "tag"
        form_classname = "struct-block price-line-block"
