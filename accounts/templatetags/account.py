from django import template
from django.utils.html import format_html_join

from accounts.extensions import account_home_panels as home_panels
from accounts.extensions import account_summary_panels as summary_panels
from accounts.extensions import account_tabs as tabs

register = template.Library()


@register.simple_tag(takes_context=True)
def account_tabs(context):
    return tabs(context["request"])


@register.simple_tag(takes_context=True)
def account_home_panels(context):
    """The panels of the apps, each HTML rendered by the app's own template;
    a panel given as a plain string is escaped."""
    return format_html_join("\n", "{}", ((panel,) for panel in home_panels(context["request"])))


@register.simple_tag(takes_context=True)
def account_summary_panels(context):
    """The apps' parts of the citizen's summary on the home page, each HTML
    rendered by the app's own template; empty when none has anything."""
    return format_html_join("\n", "{}", ((panel,) for panel in summary_panels(context["request"])))


@register.simple_tag(takes_context=True)
def franceconnect_offered(context) -> bool:
    """Whether the commune of the page offers FranceConnect; if so, the
    page's policy lets the button's form lead to FranceConnect."""
    from accounts.identity.flow import offered, provider_origin
    from cms.security import csp_allow

    request = context.get("request")
    if request is None or not offered(request):
        return False
    csp_allow(request, form_action=[provider_origin(request)])
    return True


@register.simple_tag
def proconnect_offered() -> bool:
    """Whether staff may sign in to the admin with ProConnect."""
    from accounts.identity.proconnect import platform_config

    return platform_config() is not None
