"""Helpers that scope everything to one commune (one Wagtail Site)."""

from contextvars import ContextVar

from django.db.models import Model, Q, QuerySet
from wagtail.models import GroupPagePermission, Page
from wagtail.permission_policies.collections import CollectionPermissionLookupMixin
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail.permission_policies.sites import SitePermissionPolicy
from wagtail.permissions import policy_registry

current_request: ContextVar = ContextVar("current_request", default=None)


class CurrentRequestMiddleware:
    """Make the request being served known to code that Django or Wagtail call
    without it, such as rich text link handlers (see ``cms.rich_text``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)


def permitted_page_roots(user) -> list[Page]:
    """The pages at the top of the trees the user's groups may work in."""
    permissions = GroupPagePermission.objects.filter(group__user=user).select_related("page")
    return list({p.page_id: p.page for p in permissions}.values())


def pages_visible_to(user, pages):
    """Restrict a page queryset to the trees of the user's communes."""
    if user.is_superuser:
        return pages
    roots = permitted_page_roots(user)
    if not roots:
        return pages.none()
    condition = Q()
    for root in roots:
        condition |= Q(path__startswith=root.path)
    return pages.filter(condition)


#: Any of these permissions on a commune (its site, its collection) brings its
#: objects within reach; what the user may then do with them is the views' say.
REACH_ACTIONS = ("view", "add", "change", "delete", "choose")


def objects_in_reach(user, model: type[Model]) -> QuerySet:
    """The objects of ``model`` that belong to a commune where the user holds a
    permission on such objects, as the model's permission policy tells:

    - pages: the trees of the user's communes (``pages_visible_to``);
    - objects of a commune's site (a ``SitePermissionPolicy``, as every
      commune record registers): those of the sites where the user holds a
      permission on the model;
    - images and documents (a collection policy): those of the collections
      where the user holds one.

    Objects of any other model belong to no commune: platform admins only.
    """
    objects = model._default_manager.all()
    if user.is_superuser:
        return objects
    if not (user.is_authenticated and user.is_active):
        return objects.none()
    policy = policy_registry.get_by_type(model)
    if isinstance(policy, PagePermissionPolicy):
        return pages_visible_to(user, objects)
    if isinstance(policy, SitePermissionPolicy):
        sites = policy.sites_user_has_any_permission_for(user, REACH_ACTIONS)
        return objects.filter(**{f"{policy.site_field_name}__in": sites})
    if isinstance(policy, CollectionPermissionLookupMixin):
        collections = policy.collections_user_has_any_permission_for(user, REACH_ACTIONS)
        return objects.filter(collection__in=collections)
    return objects.none()


def in_reach(user, instance: Model) -> bool:
    """Whether the object belongs to one of the user's communes (see ``objects_in_reach``)."""
    return objects_in_reach(user, type(instance)).filter(pk=instance.pk).exists()
