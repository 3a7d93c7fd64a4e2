"""The filters of the citizen accounts listing."""

from cms.scoped_admin import CommuneFilter, CommuneFilterSet, StatusFilter

from ..models import AccountStatus, CitizenAccount
from ..policies import citizen_account_policy


class CitizenAccountFilterSet(CommuneFilterSet):
    status = StatusFilter(AccountStatus.choices)
    site = CommuneFilter(citizen_account_policy)

    class Meta:
        model = CitizenAccount
        fields = ["status", "site"]
