"""Postal addresses: number and street, postcode and town, in three fields."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from accounts.validators import PostcodeField

from .base import FieldType, field_options, subfield
from .blocks import PREFILL_NONE, FieldBlock
from .registry import registry
from .schema import SUBFIELD, normalise

FOREIGN_POSTCODE_INVALID = _("Enter a valid postcode, such as 62220 or SW1A 1AA.")
PARTS = ("street", "postcode", "city")


class AddressBlock(FieldBlock):
    prefill = blocks.ChoiceBlock(
        choices=[PREFILL_NONE, ("address", _("Account holder's address"))],
        required=False,
        default="address",
        label=_("Prefill from the account"),
    )
    postcodes = blocks.ChoiceBlock(
        choices=[
            ("france", _("In France: a postcode of 5 digits")),
            ("any", _("In France or abroad: any postcode")),
        ],
        default="france",
        required=False,
        label=_("Addresses accepted"),
        help_text=_(
            "For an address that may be abroad, ask first whether it is, and show a second "
            "address field for it with a condition."
        ),
    )

    class Meta:
        icon = "home"
        label = _("Postal address")
        help_text = _("Number and street, postcode and town, in separate fields.")
        preview_value = {"label": "Adresse d'envoi", "required": True}


@registry.register
class Address(FieldType):
    """Stored as ``{"street", "postcode", "city"}``. The form's conditions
    cannot test it; a rule on a stored address (a routing rule, a price line
    for residents) expects its postcode or its town."""

    name = "address"
    block_class = AddressBlock
    template = "services/fields/group.html"

    def form_fields(self, block, context):
        required = field_options(block)["required"]
        return {
            subfield(block, "street"): forms.CharField(
                label=gettext("Number and street"),
                max_length=200,
                required=required,
                widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
            ),
            subfield(block, "postcode"): self._postcode_field(block, required),
            subfield(block, "city"): forms.CharField(
                label=gettext("Town"),
                max_length=120,
                required=required,
                widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
            ),
        }

    def _postcode_field(self, block, required):
        if block.value.get("postcodes") == "any":
            return forms.RegexField(
                label=gettext("Postcode"),
                regex=r"^[0-9A-Za-z][0-9A-Za-z \-]{1,9}$",
                error_messages={"invalid": FOREIGN_POSTCODE_INVALID},
                max_length=10,
                required=required,
                widget=forms.TextInput(
                    attrs={"autocomplete": "postal-code", "class": "input--short"}
                ),
            )
        field = PostcodeField(label=gettext("Postcode"), required=required)
        field.widget.attrs["class"] = "input--short"
        return field

    def prefill(self, block, context):
        account = context.account
        if block.value.get("prefill") != "address" or account is None:
            return {}
        return {
            subfield(block, "street"): account.address_line,
            subfield(block, "postcode"): account.postcode,
            subfield(block, "city"): account.city,
        }

    def example_input(self, key):
        return {
            f"{key}{SUBFIELD}street": ["1 place de la Mairie"],
            f"{key}{SUBFIELD}postcode": ["62220"],
            f"{key}{SUBFIELD}city": ["Carvin"],
        }

    def answer(self, block, cleaned, context):
        parts = {part: cleaned.get(subfield(block, part), "") for part in PARTS}
        return parts if any(parts.values()) else None

    def text(self, block, value):
        return "\n".join(
            line
            for line in (
                value.get("street"),
                f"{value.get('postcode', '')} {value.get('city', '')}".strip(),
            )
            if line
        )

    def reload(self, block, value):
        return {subfield(block, part): [value.get(part) or ""] for part in value}

    def stored_matches(self, block, value, expected):
        wanted = normalise(expected)
        if not wanted or not isinstance(value, dict):
            return False
        return wanted in (
            normalise(value.get("postcode") or ""),
            normalise(value.get("city") or ""),
        )
