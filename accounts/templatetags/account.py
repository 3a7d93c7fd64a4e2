from django import template
from django.utils.safestring import mark_safe

from accounts.extensions import account_home_panels as home_panels
from accounts.extensions import account_tabs as tabs

register = template.Library()


@register.simple_tag(takes_context=True)
def account_tabs(context):
    return tabs(context["request"])


@register.simple_tag(takes_context=True)
def account_home_panels(context):
    # Each panel is HTML rendered by its app's own template.
    return mark_safe("\n".join(home_panels(context["request"])))  # noqa: S308
