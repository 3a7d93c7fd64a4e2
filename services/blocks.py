"""The form blocks from which communication staff build a démarche.

``ServicePage.form`` is a stream of steps; each step holds field blocks. Every
field block stores its answers under its ``key``, which is made from the label
when the page is first saved and may not change once the page is published
(see ``ServicePage.clean``). ``services.forms.StepFormBuilder`` turns the blocks
into Django form fields, one method per block type; the blocks' own templates
render that same field, so the admin preview shows the real form.
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from .forms import DOCUMENT_TYPES, render_block_preview

HELP_FEATURES = ["bold", "italic", "link", "ul", "ol", "document-link"]


class KeyBlock(blocks.CharBlock):
    """The name under which a field's answers are stored; translations keep it."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 60)
        kwargs.setdefault("label", _("Key"))
        kwargs.setdefault(
            "help_text",
            _(
                "Name under which the answers are stored (letters, digits, '_'). Left "
                "empty, it is made from the label; it cannot change once the page is "
                "published."
            ),
        )
        super().__init__(**kwargs)

    def get_translatable_segments(self, value):
        return []

    def restore_translated_segments(self, value, segments):
        return value


class ConditionBlock(blocks.StructBlock):
    field = KeyBlock(
        label=_("Only when the field"),
        help_text=_("Key of an earlier field of the form. Leave empty to always show."),
    )
    value = blocks.CharBlock(
        required=False,
        label=_("has the answer"),
        help_text=_("For example “Oui” or one of the field's choices."),
    )

    class Meta:
        icon = "view"
        label = _("Condition")
        form_classname = "struct-block condition-block"
        collapsed = True


class FieldBlock(blocks.StructBlock):
    """What every field of a form has."""

    label = blocks.CharBlock(label=_("Label"), max_length=255)
    help_text = blocks.CharBlock(
        required=False,
        label=_("Help text"),
        max_length=500,
        help_text=_("Shown under the label to guide the citizen."),
    )
    required = blocks.BooleanBlock(required=False, default=True, label=_("Required"))
    key = KeyBlock()
    condition = ConditionBlock(required=False, label=_("Show only when"))

    class Meta:
        template = "services/blocks/field_preview.html"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["field"] = render_block_preview(self.name, value)
        return context


PREFILL_NONE = ("", _("Nothing"))
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


class LongTextBlock(FieldBlock):
    class Meta:
        icon = "doc-full"
        label = _("Long text")
        help_text = _("Several lines of text, such as a description.")
        preview_value = {"label": "Décrivez votre demande", "required": True}


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


class DateFieldBlock(FieldBlock):
    bounds = blocks.ChoiceBlock(
        choices=[
            ("", _("Any date")),
            ("past", _("Not in the future")),
            ("future", _("Not in the past")),
        ],
        required=False,
        label=_("Allowed dates"),
    )
    prefill = blocks.ChoiceBlock(
        choices=[
            PREFILL_NONE,
            ("birth_date", _("Account holder's date of birth")),
            ("member_birth_date", _("Date of birth of the household member chosen earlier")),
        ],
        required=False,
        label=_("Prefill from the account"),
    )

    class Meta:
        icon = "date"
        label = _("Date")
        help_text = _("A date, optionally not in the future or not in the past.")
        preview_value = {"label": "Date de l'événement", "bounds": "past", "required": True}


class NumberBlock(FieldBlock):
    min_value = blocks.IntegerBlock(required=False, label=_("Minimum"))
    max_value = blocks.IntegerBlock(required=False, label=_("Maximum"))

    class Meta:
        icon = "order"
        label = _("Number")
        help_text = _("A whole number, optionally between a minimum and a maximum.")
        preview_value = {"label": "Nombre d'exemplaires", "min_value": 1, "max_value": 5}


class ChoiceFieldBlock(FieldBlock):
    choices = blocks.TextBlock(
        label=_("Choices"),
        help_text=_("One choice per line."),
    )
    widget = blocks.ChoiceBlock(
        choices=[("radio", _("Radio buttons")), ("select", _("Drop-down list"))],
        default="radio",
        label=_("Shown as"),
    )

    class Meta:
        icon = "list-ul"
        label = _("Single choice")
        help_text = _("One answer among several choices.")
        preview_value = {
            "label": "Type d'acte",
            "choices": "Copie intégrale\nExtrait avec filiation\nExtrait sans filiation",
            "widget": "radio",
            "required": True,
        }


class MultipleChoiceFieldBlock(FieldBlock):
    choices = blocks.TextBlock(label=_("Choices"), help_text=_("One choice per line."))

    class Meta:
        icon = "tasks"
        label = _("Multiple choice")
        help_text = _("Any number of answers among several choices.")
        preview_value = {
            "label": "Jours de présence",
            "choices": "Lundi\nMardi\nJeudi\nVendredi",
            "required": True,
        }


class YesNoBlock(FieldBlock):
    class Meta:
        icon = "radio-full"
        label = _("Yes or no")
        help_text = _("A question answered by yes or no.")
        preview_value = {"label": "Votre enfant a-t-il des allergies ?", "required": True}


class AddressBlock(FieldBlock):
    prefill = blocks.ChoiceBlock(
        choices=[PREFILL_NONE, ("address", _("Account holder's address"))],
        required=False,
        default="address",
        label=_("Prefill from the account"),
    )

    class Meta:
        icon = "home"
        label = _("Postal address")
        help_text = _("Number and street, postcode and town, in separate fields.")
        preview_value = {"label": "Adresse d'envoi", "required": True}


class HouseholdMemberBlock(FieldBlock):
    who = blocks.ChoiceBlock(
        choices=[
            ("anyone", _("Anyone in the household")),
            ("children", _("Children only")),
            ("adults", _("Adults only")),
        ],
        default="anyone",
        label=_("Who can be chosen"),
    )

    class Meta:
        icon = "group"
        label = _("Household member")
        help_text = _(
            "The person the request is about, chosen from the account's household. "
            "The first such field decides whom the request concerns."
        )
        preview_value = {"label": "Pour quel enfant ?", "who": "children", "required": True}


class DocumentBlock(FieldBlock):
    types = blocks.MultipleChoiceBlock(
        choices=[(name, spec.label) for name, spec in DOCUMENT_TYPES.items()],
        default=["pdf", "jpeg", "png"],
        label=_("Allowed types"),
        widget=forms.CheckboxSelectMultiple,
    )
    max_size = blocks.IntegerBlock(
        default=5, min_value=1, max_value=20, label=_("Maximum size (MB)")
    )
    by_post = blocks.BooleanBlock(
        required=False,
        default=True,
        label=_("May be sent by post"),
        help_text=_("Offer “I will send it by post” instead of uploading it."),
    )

    class Meta:
        icon = "doc-full-inverse"
        label = _("Supporting document")
        help_text = _("A file to upload (type checked by its content), or sent by post.")
        preview_value = {
            "label": "Justificatif de domicile",
            "help_text": "Facture de moins de trois mois.",
            "types": ["pdf", "jpeg", "png"],
            "max_size": 5,
            "by_post": True,
            "required": True,
        }


class ConsentBlock(FieldBlock):
    class Meta:
        icon = "tick-inverse"
        label = _("Consent")
        help_text = _("A box the citizen must tick, such as agreeing to a rule.")
        preview_value = {
            "label": "Je certifie l'exactitude des informations fournies.",
            "required": True,
        }


class HelpTextBlock(blocks.StructBlock):
    heading = blocks.CharBlock(required=False, label=_("Heading"), max_length=255)
    text = blocks.RichTextBlock(required=False, label=_("Text"), features=HELP_FEATURES)

    class Meta:
        icon = "info-circle"
        label = _("Heading and help")
        help_text = _("A heading and a paragraph between fields; asks nothing.")
        template = "services/blocks/help_text.html"
        preview_value = {
            "heading": "Pièces à fournir",
            "text": "<p>Munissez-vous d'un justificatif de domicile.</p>",
        }


class FieldsBlock(blocks.StreamBlock):
    short_text = ShortTextBlock()
    long_text = LongTextBlock()
    email = EmailFieldBlock()
    phone = PhoneBlock()
    date = DateFieldBlock()
    number = NumberBlock()
    choice = ChoiceFieldBlock()
    multiple_choice = MultipleChoiceFieldBlock()
    yes_no = YesNoBlock()
    address = AddressBlock()
    member = HouseholdMemberBlock()
    document = DocumentBlock()
    consent = ConsentBlock()
    help = HelpTextBlock()

    class Meta:
        label = _("Fields")


class StepBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Step title"), max_length=120)
    fields = FieldsBlock()

    class Meta:
        icon = "form"
        label = _("Step")
        help_text = _("One page of the form; the citizen fills the steps one after the other.")
        template = "services/blocks/step_preview.html"
        preview_value = {
            "title": "Votre demande",
            "fields": [
                ("short_text", {"label": "Nom de naissance", "required": True}),
                ("date", {"label": "Date de l'événement", "bounds": "past", "required": True}),
            ],
        }
