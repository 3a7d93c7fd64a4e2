from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from . import account_pages  # noqa: F401 (registers the account tabs and panels)
from .admin_views import SubmissionViewSet, submission_policy
from .models import Submission

# Registered before the viewset, which would otherwise create a global,
# all-communes policy for the model.
register_permission_policy(Submission, submission_policy, exact_class=True)
register_snippet(SubmissionViewSet)
