"""Issue a document (attestation, arrêté, autorisation): a PDF on the
commune's letterhead, written once in the status from placeholders of the
answers, the citizen, the request and the decision, signed by the mayor or a
deputy, attached to the request for the citizen and the agents.

The agent moving a request into the status may write its free part
(``{texte_libre}``) and preview it before it is issued."""

import re

from django.utils.html import escape
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock

from .base import ActionContext, ConditionBlock, StatusAction
from .registry import registry

PLACEHOLDER_RE = re.compile(r"\{([a-z_]+)(?::([a-z0-9_]+))?\}")
#: The placeholders of a document, besides ``{champ:<key>}`` (an answer).
DOCUMENT_PLACEHOLDERS = (
    "prenom",
    "nom",
    "reference",
    "demarche",
    "commune",
    "mairie",
    "date",
    "date_envoi",
    "statut",
    "message",
    "texte_libre",
)
FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul"]


class DocumentBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), help_text=_("E.g. “Autorisation d'occupation”."))
    body = blocks.RichTextBlock(
        label=_("Text"),
        features=FEATURES,
        help_text=_(
            "Placeholders: {prenom}, {nom}, {reference}, {demarche}, {commune}, {mairie}, "
            "{date}, {date_envoi}, {statut}, {message}, {texte_libre} (what the agent "
            "writes when issuing it), and {champ:…} for the answer to a field, … being "
            "its key."
        ),
    )
    signatory_name = blocks.CharBlock(label=_("Signed by"), help_text=_("E.g. “Marie Dupont”."))
    signatory_role = blocks.CharBlock(
        label=_("Role of the signatory"), help_text=_("E.g. “Le Maire” or “L'adjoint délégué”.")
    )
    signature = ImageChooserBlock(label=_("Signature image"), required=False)
    condition = ConditionBlock(required=False)

    class Meta:
        label = _("Issue a document")
        icon = "doc-full"


def unknown_document_placeholders(text: str) -> list[str]:
    return sorted(
        {
            name
            for name, key in PLACEHOLDER_RE.findall(text)
            if not (name == "champ" and key) and name not in DOCUMENT_PLACEHOLDERS
        }
    )


@registry.register
class IssueDocument(StatusAction):
    name = "document"
    label = _("Issue a document")
    icon = "doc-full"
    issues_document = True

    def block(self):
        return DocumentBlock()

    def problems(self, config, statuses):
        body = config.get("body")
        text = body.source if hasattr(body, "source") else str(body or "")
        unknown = unknown_document_placeholders(text)
        if unknown:
            return [
                _("Unknown placeholder in a document: %(names)s.")
                % {"names": ", ".join(f"{{{name}}}" for name in unknown)}
            ]
        return []

    def run(self, context: ActionContext, config: dict) -> str:
        from ..documents import document_issue

        document = document_issue(
            submission=context.submission,
            change=context.change,
            config=self.block().to_python(config),
            free_text=context.change.document_text,
        )
        return str(_("Issued “%(title)s”.") % {"title": document.title})


def fill_document(html: str, values: dict[str, str], answers: dict[str, str]) -> str:
    """The document's rich text with its placeholders filled, each value
    escaped (a citizen's answer never becomes markup)."""

    def value(match):
        name, key = match.group(1), match.group(2)
        if name == "champ" and key:
            return escape(answers.get(key, ""))
        if name in values:
            return escape(values[name]).replace("\n", "<br>")
        return match.group(0)

    return PLACEHOLDER_RE.sub(value, html)
