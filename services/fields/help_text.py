"""A heading and a paragraph between fields."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from cms.translation import TranslatedTextMixin

from .base import DisplayOnlyType
from .blocks import PLACEHOLDERS_HELP_TEXT
from .registry import registry

HELP_FEATURES = ["bold", "italic", "link", "ul", "ol", "document-link"]


class HelpTextBlock(TranslatedTextMixin, blocks.StructBlock):
    heading = blocks.CharBlock(
        required=False, label=_("Heading"), max_length=255, help_text=PLACEHOLDERS_HELP_TEXT
    )
    text = blocks.RichTextBlock(
        required=False, label=_("Text"), features=HELP_FEATURES, help_text=PLACEHOLDERS_HELP_TEXT
    )

    class Meta:
        icon = "info-circle"
        label = _("Heading and help")
        help_text = _("A heading and a paragraph between fields; asks nothing.")
        template = "services/blocks/help_text.html"
        preview_value = {
            "heading": "Pièces à fournir",
            "text": "<p>Munissez-vous d'un justificatif de domicile.</p>",
        }


@registry.register
class Help(DisplayOnlyType):
    name = "help"
    block_class = HelpTextBlock
    template = "services/fields/help.html"
