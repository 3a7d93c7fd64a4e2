from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.captcha import captcha_field
from cms import antivirus
from cms.filters import PeriodDateField
from cms.uploads import RefusedUpload, sniff

from .importer import FILE_NOT_TEXT, MAX_FILE_SIZE
from .models import Regie

INVOICE_NOT_FOUND = _(
    "No invoice to pay has this number and this key. Check them on your paper invoice: "
    "the key has 8 letters and digits."
)
FILE_TOO_LARGE = _("The file is larger than 5 MB.")
# What libmagic says of a CSV file, whatever its name.
CSV_CONTENT_TYPES = {"text/csv", "text/plain", "application/csv"}
PERIOD_REVERSED = _("The end of the period is before its start.")


class InvoiceLookupForm(forms.Form):
    """Pay without an account: the number and key printed on the invoice."""

    number = forms.CharField(
        label=_("Invoice number"),
        max_length=40,
        help_text=_("As printed on the invoice, for example FAC-2026-0042."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    key = forms.CharField(
        label=_("Payment key"),
        max_length=40,
        help_text=_("8 letters and digits, printed under the number on the invoice."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        if request is not None:
            self.fields["captcha"] = captcha_field(request)


class PayerEmailForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("The receipt of the payment is sent to this address."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class InvoiceImportForm(forms.Form):
    regie = forms.ModelChoiceField(
        label=_("Régie"), queryset=Regie.objects.none(), empty_label=None
    )
    document = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "One invoice per line, columns separated by semicolons, with a first line "
            "naming them: numero, compte, payeur, domaine, libelle, montant, "
            "date_emission, date_echeance, statut, date_paiement, cle."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,text/plain"}),
    )

    def __init__(self, *args, regies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regie"].queryset = regies if regies is not None else Regie.objects.none()
        self.fields["regie"].label_from_instance = lambda regie: (
            f"{regie.name} ({regie.site.site_name})"
        )

    def clean_document(self):
        document = self.cleaned_data["document"]
        if isinstance(document, RefusedUpload) or document.size > MAX_FILE_SIZE:
            raise forms.ValidationError(FILE_TOO_LARGE)
        if sniff(document) not in CSV_CONTENT_TYPES:
            raise forms.ValidationError(FILE_NOT_TEXT)
        antivirus.check(document, name=document.name)
        return document


class AccountingExportForm(forms.Form):
    regie = forms.ModelChoiceField(
        label=_("Régie"), queryset=Regie.objects.none(), empty_label=None
    )
    start = PeriodDateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = PeriodDateField(
        label=_("To (included)"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, regies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regie"].queryset = regies if regies is not None else Regie.objects.none()
        self.fields["regie"].label_from_instance = lambda regie: (
            f"{regie.name} ({regie.site.site_name})"
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] < cleaned["start"]:
            self.add_error("end", PERIOD_REVERSED)
        return cleaned
