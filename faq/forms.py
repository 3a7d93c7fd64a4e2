from django import forms
from django.utils.translation import gettext_lazy as _

from cms import antivirus
from cms.uploads import RefusedUpload, sniff

from .importer import FAQImportError, decode, parse_faq

MAX_DOCUMENT_SIZE = 1024 * 1024
DOCUMENT_MISSING = _("Choose a file, or paste the text of the FAQ.")
DOCUMENT_TOO_LARGE = _("The file is larger than 1 MB: it cannot be a FAQ document.")
DOCUMENT_NOT_TEXT = _("The file is not a text file: save the FAQ as Markdown (.md) or text (.txt).")


class FAQImportForm(forms.Form):
    document = forms.FileField(
        label=_("FAQ document"),
        required=False,
        help_text=_(
            "Markdown (.md) or plain text (.txt): a table of contents, then each "
            "category with its questions and answers."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".md,.txt,text/markdown,text/plain"}),
    )
    text = forms.CharField(
        label=_("Or the text of the document"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("When the file has an error, its text appears here to be corrected."),
    )
    publish = forms.BooleanField(
        label=_("Publish at once"),
        required=False,
        initial=True,
        help_text=_("Otherwise the import is saved as a draft to preview before publishing."),
    )

    def __init__(self, *args, can_publish: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_publish:
            del self.fields["publish"]

    def clean(self):
        cleaned = super().clean()
        document = cleaned.get("document")
        text = cleaned.get("text", "")
        if document:
            if isinstance(document, RefusedUpload) or document.size > MAX_DOCUMENT_SIZE:
                raise forms.ValidationError(DOCUMENT_TOO_LARGE)
            if not sniff(document).startswith("text/"):
                raise forms.ValidationError(DOCUMENT_NOT_TEXT)
            antivirus.check(document, name=document.name)
            try:
                text = decode(document.read())
            except FAQImportError as error:
                raise forms.ValidationError(str(error)) from error
            # Keep the document's text in the form, so that an error in it can be
            # corrected here without choosing the file again.
            self.data = self.data.copy()
            self.data["text"] = text
        if not text.strip():
            raise forms.ValidationError(DOCUMENT_MISSING)
        try:
            parse_faq(text)
        except FAQImportError as error:
            raise forms.ValidationError(str(error)) from error
        cleaned["text"] = text
        return cleaned
