from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``mapping[key]``, or ``None``: for dictionaries keyed by field key."""
    if not isinstance(mapping, dict):
        return None
    return mapping.get(key)
