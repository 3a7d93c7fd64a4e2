"""The filters of the citizen accounts listing."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy

from cms.scoped_admin import CommuneFilter, CommuneFilterSet

from ..models import AccountStatus, CitizenAccount
from ..policies import citizen_account_policy


class CitizenAccountFilterSet(CommuneFilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"),
        choices=AccountStatus.choices,
        empty_label=gettext_lazy("All"),
        widget=forms.RadioSelect,
    )
    site = CommuneFilter(citizen_account_policy)

    class Meta:
        model = CitizenAccount
        fields = ["status", "site"]
