"""``{% load portal_csp %}{% csp_nonce %}``: the nonce of the response being rendered, for the few
inline scripts of the Wagtail admin's own templates (overridden in
``cms/templates/``) that cannot become files. It works where the template has
no request in its context (form widgets), through ``cms.tenancy``.

Our own templates have no inline script at all: public pages are cached for
anonymous visitors (``cms.cache``), and a cached nonce would be stale.
"""

from django import template

from cms.tenancy import current_request

register = template.Library()


@register.simple_tag(takes_context=True)
def csp_nonce(context):
    request = context.get("request") or current_request.get()
    nonce = getattr(request, "csp_nonce", None)
    return str(nonce) if nonce is not None else ""
