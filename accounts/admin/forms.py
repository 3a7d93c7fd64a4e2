from django import forms
from django.utils.translation import gettext_lazy

from ..services import REASON_REQUIRED


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for rejection"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "Sent to the citizen in the e-mail that tells them their account is rejected."
        ),
        error_messages={"required": REASON_REQUIRED},
    )
