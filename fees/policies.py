"""Who may set the prices of démarches: the supervisors of the commune."""

from cms.policies import CommunePermissionPolicy

from .models import DemarcheFee

fee_policy = CommunePermissionPolicy(DemarcheFee)
