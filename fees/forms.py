from django import forms
from django.utils.translation import gettext_lazy as _


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why cancel this amount"),
        max_length=200,
        help_text=_("Shown to the citizen, e.g. “Free for associations of the commune”."),
    )
