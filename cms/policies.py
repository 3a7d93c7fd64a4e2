"""The permission policy of a commune's records."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils.functional import cached_property
from wagtail.models import Site
from wagtail.permission_policies.sites import SitePermissionPolicy


class CommunePermissionPolicy(SitePermissionPolicy):
    """Permissions on a commune's records, held per commune through
    ``GroupSitePermission`` (see ``cms.services.commune_create``).

    ``never_allowed`` names what nobody does in the admin, not even a
    platform admin: citizens register and erase their own accounts, nobody
    deletes a request or a payment.
    """

    def __init__(self, model, *, never_allowed=(), **kwargs):
        super().__init__(model, **kwargs)
        self.never_allowed = frozenset(never_allowed)

    @cached_property
    def _content_type(self):
        # Django gives a proxy model (``CitizenAccount``) permissions of its
        # own content type.
        return ContentType.objects.get_for_model(self.auth_model, for_concrete_model=False)

    def _allowed(self, actions):
        return [action for action in actions if action not in self.never_allowed]

    def user_has_any_permission(self, user, actions):
        actions = self._allowed(actions)
        return bool(actions) and super().user_has_any_permission(user, actions)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        actions = self._allowed(actions)
        return bool(actions) and super().user_has_any_permission_for_instance(
            user, actions, instance
        )

    def within_commune(self, user, records: QuerySet) -> QuerySet:
        """The records of the user's communes that the user reaches: all of
        them, unless the model shares its records out within a commune (the
        requests between municipal services). Listings, bulk actions and
        links that do not go through the app's selectors ask it
        (``cms.tenancy.objects_in_reach``)."""
        return records

    def sites_user_has_any_permission_for(self, user, actions):
        actions = self._allowed(actions)
        if not actions:
            return Site.objects.none()
        return super().sites_user_has_any_permission_for(user, actions)
