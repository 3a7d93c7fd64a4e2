"""Fields typed as text: short and long text, e-mail address, phone number."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from accounts.validators import E164, PhoneField, format_phone

from .base import SingleFieldType, field_options
from .blocks import PREFILL_NONE, FieldBlock
from .registry import registry

PREFILL_IDENTITY = [
    PREFILL_NONE,
    ("first_name", _("Account holder's first name")),
    ("last_name", _("Account holder's last name")),
    ("member_first_name", _("First name of the household member chosen earlier")),
    ("member_last_name", _("Last name of the household member chosen earlier")),
]


class ShortTextBlock(FieldBlock):
    prefill = blocks.ChoiceBlock(
        choices=PREFILL_IDENTITY,
        required=False,
        label=_("Prefill from the account"),
    )

    class Meta:
        icon = "pilcrow"
        label = _("Short text")
        help_text = _("One line of text, such as a name.")
        preview_value = {"label": "Nom de naissance", "help_text": "", "required": True}


@registry.register
class ShortText(SingleFieldType):
    name = "short_text"
    block_class = ShortTextBlock

    def form_fields(self, block, context):
        return {block.key: forms.CharField(max_length=255, **field_options(block))}

    def example_input(self, key):
        return {key: ["Martin"]}


class LongTextBlock(FieldBlock):
    class Meta:
        icon = "doc-full"
        label = _("Long text")
        help_text = _("Several lines of text, such as a description.")
        preview_value = {"label": "Décrivez votre demande", "required": True}


@registry.register
class LongText(SingleFieldType):
    name = "long_text"
    block_class = LongTextBlock

    def form_fields(self, block, context):
        return {
            block.key: forms.CharField(
                max_length=5000, widget=forms.Textarea(attrs={"rows": 5}), **field_options(block)
            )
        }

    def example_input(self, key):
        return {key: ["Un arbre menace de tomber\nsur la voie."]}


class EmailFieldBlock(FieldBlock):
    prefill = blocks.ChoiceBlock(
        choices=[PREFILL_NONE, ("email", _("Account holder's e-mail address"))],
        required=False,
        default="email",
        label=_("Prefill from the account"),
    )

    class Meta:
        icon = "mail"
        label = _("E-mail address")
        help_text = _("An e-mail address, checked.")
        preview_value = {"label": "Adresse électronique", "required": True}


@registry.register
class Email(SingleFieldType):
    name = "email"
    block_class = EmailFieldBlock

    def form_fields(self, block, context):
        widget = forms.EmailInput(attrs={"autocomplete": "email"})
        return {block.key: forms.EmailField(widget=widget, **field_options(block))}

    def example_input(self, key):
        return {key: ["camille.martin@example.org"]}


class PhoneBlock(FieldBlock):
    prefill = blocks.ChoiceBlock(
        choices=[PREFILL_NONE, ("phone", _("Account holder's phone number"))],
        required=False,
        default="phone",
        label=_("Prefill from the account"),
    )

    class Meta:
        icon = "mobile-alt"
        label = _("Phone number")
        help_text = _("A French or international phone number, checked.")
        preview_value = {"label": "Téléphone", "required": False}


@registry.register
class Phone(SingleFieldType):
    """Stored in the international format (E.164), shown as the French write it."""

    name = "phone"
    block_class = PhoneBlock

    def form_fields(self, block, context):
        return {block.key: PhoneField(stored=E164, **field_options(block))}

    def example_input(self, key):
        return {key: ["+33612345678"]}

    def text(self, block, value):
        return format_phone(value)
