"""The blocks of ``ServicePage.form``: a stream of steps, each a stream of
field blocks, one per registered field type (``services.fields``).

Each block's name, settings and child blocks are frozen in the migrations and
in every stored page: a type's block may gain settings (with the migration
Wagtail asks for), never be renamed.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from .fields import registry
from .fields.blocks import (  # the migrations name it services.blocks.KeyBlock
    PLACEHOLDERS_HELP_TEXT,
    KeyBlock,
)

__all__ = ["FieldsBlock", "KeyBlock", "StepBlock"]


class FieldsBlock(blocks.StreamBlock):
    """The fields of a step: a block of each registered field type."""

    def __init__(self, local_blocks=None, **kwargs):
        super().__init__([*registry.blocks(), *(local_blocks or [])], **kwargs)

    class Meta:
        label = _("Fields")


class StepBlock(blocks.StructBlock):
    title = blocks.CharBlock(
        label=_("Step title"), max_length=120, help_text=PLACEHOLDERS_HELP_TEXT
    )
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
