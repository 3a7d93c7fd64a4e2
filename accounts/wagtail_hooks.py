from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from .admin_views import (
    CitizenAccountViewSet,
    RejectBulkAction,
    ValidateBulkAction,
    citizen_account_policy,
)
from .models import CitizenAccount

# Registered before the viewset, which would otherwise create a global,
# all-communes policy for the model.
register_permission_policy(CitizenAccount, citizen_account_policy, exact_class=True)
register_snippet(CitizenAccountViewSet)

hooks.register("register_bulk_action", ValidateBulkAction)
hooks.register("register_bulk_action", RejectBulkAction)
