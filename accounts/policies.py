"""Who may do what with citizen accounts in the admin."""

from cms.policies import CommunePermissionPolicy

from .models import CitizenAccount, StaffInvitation

#: Nobody adds or deletes a citizen account in the admin, not even a platform
#: admin: citizens register themselves and erase their own account.
citizen_account_policy = CommunePermissionPolicy(CitizenAccount, never_allowed={"add", "delete"})

#: A commune's supervisors invite people into its groups (``accounts.invitations``).
staff_invitation_policy = CommunePermissionPolicy(StaffInvitation, never_allowed={"delete"})
