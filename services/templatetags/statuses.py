"""A request's status as people see it, from its ``StatusInfo``
(``services/statuses.py``): templates never branch on a status value."""

from django import template

from services.statuses import StatusInfo, status_info

register = template.Library()


def _info(item, *, citizen: bool = False) -> StatusInfo:
    """The status of a request or a history row, or of a status key of the
    standard workflow."""
    if isinstance(item, StatusInfo):
        return item
    if isinstance(item, str):
        return status_info(item)
    if citizen and hasattr(item, "citizen_status_info"):
        return item.citizen_status_info
    return item.status_info


@register.inclusion_tag("services/status_badge.html")
def status_badge(item) -> dict:
    """The citizen's badge: the name the citizen reads, marked by its CSS
    class; a status hidden from the citizen shows the last one they saw."""
    info = _info(item, citizen=True)
    return {"status": info, "label": info.citizen_label or info.label}


@register.inclusion_tag("services/admin/status_tag.html")
def status_tag(item) -> dict:
    """The agents' tag: the status's label with its icon, so that statuses are
    told apart without relying on colour alone."""
    return {"status": _info(item)}
