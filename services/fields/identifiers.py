"""Numbers that identify: a bank account (IBAN) and a business (SIRET or
SIREN), checked with their check digits (``python-stdnum``).

Both are stored compact (``FR7630006000011234567890189``, ``73282932000074``)
and shown grouped as they are printed (``FR76 3000 6000 0112 3456 7890 189``,
``732 829 320 00074``); the citizen may type them with or without spaces.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import iban as iban_number
from stdnum.exceptions import InvalidChecksum, InvalidComponent
from stdnum.exceptions import ValidationError as NumberError
from stdnum.fr import siren as siren_number
from stdnum.fr import siret as siret_number
from wagtail import blocks

from .base import SingleFieldType, field_options
from .blocks import FieldBlock
from .registry import registry

#: Two letters for the country, two check digits, then up to 30 letters or digits.
IBAN_SHAPE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{8,30}")
IBAN_ANY = "any"
IBAN_FRENCH = "FR"

IBAN_INVALID = _(
    "This is not a valid IBAN: it starts with two letters (FR for France) "
    "followed by 25 characters for a French account."
)
IBAN_CHECKSUM = _("This IBAN has a typing error: check it against your bank details (RIB).")
IBAN_NOT_FRENCH = _("Give the IBAN of an account held in France (it starts with FR).")


class IbanField(forms.CharField):
    """An IBAN, its length and check digits checked for its country; cleaned
    to its compact form."""

    def __init__(self, *, country: str = IBAN_ANY, **kwargs):
        self.country = country
        kwargs.setdefault("max_length", 50)
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        )

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        if not IBAN_SHAPE.fullmatch(iban_number.compact(value)):
            raise ValidationError(IBAN_INVALID, code="invalid")
        try:
            number = iban_number.validate(value, check_country=True)
        except InvalidChecksum:
            raise ValidationError(IBAN_CHECKSUM, code="checksum") from None
        except (NumberError, KeyError):
            raise ValidationError(IBAN_INVALID, code="invalid") from None
        if self.country != IBAN_ANY and not number.startswith(self.country):
            raise ValidationError(IBAN_NOT_FRENCH, code="country")
        return number


class IbanBlock(FieldBlock):
    country = blocks.ChoiceBlock(
        choices=[
            (IBAN_FRENCH, _("Accounts held in France only (FR)")),
            (IBAN_ANY, _("Accounts of any country")),
        ],
        default=IBAN_FRENCH,
        label=_("Accepted accounts"),
    )

    class Meta:
        icon = "tag"
        label = _("IBAN")
        help_text = _("A bank account number, checked, such as for a refund.")
        preview_value = {
            "label": "IBAN du compte à créditer",
            "help_text": "Il figure sur votre relevé d'identité bancaire (RIB).",
            "required": True,
            "country": IBAN_FRENCH,
        }


@registry.register
class Iban(SingleFieldType):
    name = "iban"
    block_class = IbanBlock

    def form_fields(self, block, context):
        return {
            block.key: IbanField(
                country=block.value.get("country") or IBAN_FRENCH, **field_options(block)
            )
        }

    def example_input(self, key):
        return {key: ["FR76 3000 6000 0112 3456 7890 189"]}

    def text(self, block, value):
        return iban_number.format(value)

    def reload(self, block, value):
        return {block.key: [self.text(block, value)]}


BUSINESS_SIRET = "siret"
BUSINESS_SIREN = "siren"
BUSINESS_EITHER = "either"

BUSINESS_INVALID = {
    BUSINESS_SIRET: _("A SIRET number has 14 digits."),
    BUSINESS_SIREN: _("A SIREN number has 9 digits."),
    BUSINESS_EITHER: _("Type the SIRET number (14 digits) or the SIREN number (9 digits)."),
}
BUSINESS_CHECKSUM = _(
    "This number has a typing error: check it on the INSEE notice of registration "
    "or on annuaire-entreprises.data.gouv.fr."
)


class BusinessNumberField(forms.CharField):
    """A SIRET (an establishment, 14 digits) or SIREN (a business, 9 digits)
    number, its check digit checked; cleaned to its digits."""

    def __init__(self, *, kind: str = BUSINESS_SIRET, **kwargs):
        self.kind = kind
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        digits = siret_number.compact(value)
        allowed = {
            BUSINESS_SIRET: {14: siret_number},
            BUSINESS_SIREN: {9: siren_number},
            BUSINESS_EITHER: {14: siret_number, 9: siren_number},
        }[self.kind]
        module = allowed.get(len(digits))
        if module is None or not digits.isdigit():
            raise ValidationError(BUSINESS_INVALID[self.kind], code="invalid")
        try:
            return module.validate(digits)
        except (InvalidChecksum, InvalidComponent):
            raise ValidationError(BUSINESS_CHECKSUM, code="checksum") from None
        except NumberError:
            raise ValidationError(BUSINESS_INVALID[self.kind], code="invalid") from None


class BusinessNumberBlock(FieldBlock):
    kind = blocks.ChoiceBlock(
        choices=[
            (BUSINESS_SIRET, _("SIRET: an establishment (14 digits)")),
            (BUSINESS_SIREN, _("SIREN: a business or association (9 digits)")),
            (BUSINESS_EITHER, _("Either")),
        ],
        default=BUSINESS_SIRET,
        label=_("Number asked"),
    )

    class Meta:
        icon = "site"
        label = _("SIRET or SIREN number")
        help_text = _("The number of a business or association, checked.")
        preview_value = {
            "label": "Numéro SIRET de l'association",
            "required": True,
            "kind": BUSINESS_SIRET,
        }


@registry.register
class BusinessNumber(SingleFieldType):
    name = "business_number"
    block_class = BusinessNumberBlock

    def form_fields(self, block, context):
        return {
            block.key: BusinessNumberField(
                kind=block.value.get("kind") or BUSINESS_SIRET, **field_options(block)
            )
        }

    def example_input(self, key):
        return {key: ["732 829 320 00074"]}

    def text(self, block, value):
        if len(value) == 14:
            return siret_number.format(value)
        return siren_number.format(value)

    def reload(self, block, value):
        return {block.key: [self.text(block, value)]}
