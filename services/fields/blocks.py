"""What every field block of a démarche's form has: a label, a help text,
whether it is required, its key and its condition.

Each field type's own block (``FieldType.block_class``) extends ``FieldBlock``
with its settings. The key is made from the label when the page is first
saved and may not change once the page is published (see
``ServicePage.clean``). A block's template renders the citizen's real field,
so that the admin preview shows the form as it will be filled in.
"""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from cms.placeholders import PLACEHOLDER_HELP
from cms.translation import SynchronisedBlockMixin, TranslatedTextMixin

from .builder import render_block_preview


class KeyBlock(SynchronisedBlockMixin, blocks.CharBlock):
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


#: Tells editors the placeholders a text of the form may hold, filled for
#: the commune when citizens read it (``services.fields.schema.filled_steps``).
PLACEHOLDERS_HELP_TEXT = format_lazy(_("Placeholders: {names}."), names=PLACEHOLDER_HELP)
CHOICES_HELP_TEXT = format_lazy(
    _(
        "One choice per line. Placeholders ({names}) are shown filled; the answer "
        "stored, which conditions and routing rules name, is the choice as written."
    ),
    names=PLACEHOLDER_HELP,
)

#: The path the migrations know ``KeyBlock`` by (``services.blocks`` imports it).
DECONSTRUCT_ALIASES = {KeyBlock: "services.blocks.KeyBlock"}


class ConditionBlock(SynchronisedBlockMixin, blocks.StructBlock):
    """Kept as in the source page by translations: the answer it expects is
    stored in the source's language, whatever language the form is filled in."""

    field = KeyBlock(
        label=_("Only when the field"),
        help_text=_("Key of an earlier field of the form. Leave empty to always show."),
    )
    value = blocks.CharBlock(
        required=False,
        label=_("has the answer"),
        help_text=_(
            "For example “Oui” or one of the field's choices; several answers separated by “|”."
        ),
    )

    class Meta:
        icon = "view"
        label = _("Condition")
        form_classname = "struct-block condition-block"
        collapsed = True


class RequiredWhenBlock(ConditionBlock):
    field = KeyBlock(
        label=_("Required only when the field"),
        help_text=_(
            "Key of an earlier field of the form. Leave empty for the field to be required "
            "as “Required” says."
        ),
    )
    value = blocks.CharBlock(
        required=False,
        label=_("has the answer"),
        help_text=_("One of its answers, or several separated by “|”."),
    )

    class Meta:
        label = _("Required only when")


class FieldBlock(TranslatedTextMixin, blocks.StructBlock):
    """What every field of a form has. Translations translate its texts
    (label, help, choices) and keep the rest (key, conditions, settings)."""

    label = blocks.CharBlock(label=_("Label"), max_length=255, help_text=PLACEHOLDERS_HELP_TEXT)
    help_text = blocks.CharBlock(
        required=False,
        label=_("Help text"),
        max_length=500,
        help_text=format_lazy(
            "{} {}", _("Shown under the label to guide the citizen."), PLACEHOLDERS_HELP_TEXT
        ),
    )
    required = blocks.BooleanBlock(required=False, default=True, label=_("Required"))
    key = KeyBlock()
    condition = ConditionBlock(required=False, label=_("Show only when"))
    required_when = RequiredWhenBlock(required=False, label=_("Required only when"))

    class Meta:
        template = "services/blocks/field_preview.html"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["field"] = render_block_preview(self.name, value)
        return context


PREFILL_NONE = ("", _("Nothing"))
