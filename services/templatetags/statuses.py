"""A request's status as people see it, from its ``StatusInfo``
(``services/statuses.py``): templates never branch on a status value."""

from django import template

from services.statuses import STATUSES, status_info

register = template.Library()


@register.inclusion_tag("services/status_badge.html")
def status_badge(status: str) -> dict:
    """The citizen's badge: the status's label, marked by its CSS class."""
    return {"status": status_info(status)}


@register.inclusion_tag("services/admin/status_tag.html")
def status_tag(status: str) -> dict:
    """The agents' tag: the status's label with its icon, so that statuses are
    told apart without relying on colour alone."""
    return {"status": status_info(status)}


@register.simple_tag
def statuses_needing_items() -> str:
    """The statuses for which an agent names what to correct, space-separated."""
    return " ".join(info.value for info in STATUSES.values() if info.needs_items)
