"""Helpers that scope everything to one commune (one Wagtail Site)."""

from contextvars import ContextVar

from django.db.models import Q
from wagtail.models import GroupPagePermission, Page

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
