from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from cms.placeholders import PLACEHOLDER_HELP
from cms.translation import TranslatedTextMixin

PLACEHOLDERS_HELP_TEXT = format_lazy(_("Placeholders: {names}."), names=PLACEHOLDER_HELP)
ANSWER_FEATURES = ["bold", "italic", "ol", "ul", "link", "document-link"]


class AnchorBlock(blocks.CharBlock):
    """The fragment that links point to (``#perdu-mot-de-passe``).

    It is written once and then kept when the question is reworded, so links
    shared by e-mail or printed keep working; translations reuse it as it is.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 80)
        kwargs.setdefault("label", _("Anchor"))
        kwargs.setdefault(
            "help_text",
            _("Where links point in the page. Left empty, it is made from the text when saved."),
        )
        super().__init__(**kwargs)

    def get_translatable_segments(self, value):
        return []

    def restore_translated_segments(self, value, segments):
        return value


QUESTION_PREVIEW = {
    "question": "Que faire si j'ai perdu mon mot de passe ?",
    "answer": "<p>Cliquez sur « Mot de passe oublié ? » sous le formulaire de connexion.</p>",
    "anchor": "mot-de-passe-perdu",
}


class QuestionBlock(TranslatedTextMixin, blocks.StructBlock):
    question = blocks.CharBlock(
        label=_("Question"),
        max_length=255,
        help_text=PLACEHOLDERS_HELP_TEXT,
    )
    answer = blocks.RichTextBlock(
        label=_("Answer"),
        features=ANSWER_FEATURES,
        help_text=PLACEHOLDERS_HELP_TEXT,
    )
    anchor = AnchorBlock()

    class Meta:
        icon = "help"
        label = _("Question")
        help_text = _("A question and its answer.")
        template = "faq/blocks/question.html"
        preview_value = QUESTION_PREVIEW


class CategoryBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Category"), max_length=255)
    anchor = AnchorBlock()
    questions = blocks.ListBlock(QuestionBlock(), label=_("Questions"), min_num=1)

    class Meta:
        icon = "folder-open-inverse"
        label = _("Category")
        help_text = _("A group of questions, with its title in the table of contents.")
        template = "faq/blocks/category.html"
        preview_value = {
            "title": "Sécurité",
            "anchor": "securite",
            "questions": [QUESTION_PREVIEW],
        }


class FAQStreamBlock(blocks.StreamBlock):
    category = CategoryBlock()

    class Meta:
        label = _("Categories")
