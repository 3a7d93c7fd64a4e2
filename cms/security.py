"""Security headers that Django and django-csp do not set, and additions to the
Content-Security-Policy that one response needs and the others must not have.

The policy itself is ``CONTENT_SECURITY_POLICY`` in ``cms.settings.base``; the
other headers (``X-Content-Type-Options``, ``Referrer-Policy``,
``Cross-Origin-Opener-Policy``, HSTS) come from Django's ``SecurityMiddleware``
and ``X-Frame-Options`` from its clickjacking middleware.
"""

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings

from cms.tenancy import current_request

PERMISSIONS_POLICY_HEADER = "Permissions-Policy"


def csp_allow(request=None, **directives: list[str]) -> None:
    """Allow more sources in this response's policy only, e.g. a commune's
    reCAPTCHA on the page that shows it: ``csp_allow(script_src=[...])``.

    Without ``request``, the request being served (``cms.tenancy``) is used,
    so that code Django calls without it, such as a widget, can ask too.
    """
    request = request or current_request.get()
    if request is None:
        return
    additions = request.__dict__.setdefault("_portal_csp_additions", {})
    for name, sources in directives.items():
        directive = name.replace("_", "-")
        additions[directive] = list(dict.fromkeys([*additions.get(directive, []), *sources]))


def permissions_policy(features: dict[str, list[str]]) -> str:
    return ", ".join(
        f"{feature}=({' '.join(allowlist)})" for feature, allowlist in features.items()
    )


class PolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the policy most responses carry built
    once per process.

    A response with no nonce, no policy of its own and no additions (every
    public page, cached or not) gets the policy built at start-up; the others
    are built by django-csp as before. Static files never reach it: WhiteNoise
    serves them before it, and a policy on a stylesheet or a script protects
    nothing.
    """

    def __init__(self, get_response):
        super().__init__(get_response)
        self.plain_policy = build_policy()
        self.plain_policy_fits_all = not build_policy(report_only=True) and not (
            (getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}).get("EXCLUDE_URL_PREFIXES")
        )

    def process_response(self, request, response):
        if not self.plain_policy_fits_all or getattr(request, "_csp_nonce", None) is not None:
            return super().process_response(request, response)
        if any(
            getattr(response, attribute, None) is not None
            for attribute in ("_csp_config", "_csp_update", "_csp_replace")
        ):
            return super().process_response(request, response)
        if settings.DEBUG and response.status_code in (404, 500):
            return response
        if (
            self.plain_policy
            and HEADER not in response
            and not getattr(response, "_csp_exempt", False)
        ):
            response[HEADER] = self.plain_policy
        # As django-csp does: a nonce asked for after the header is written
        # is an error, not a nonce missing from the policy.
        request.csp_nonce = NONCE_TOO_LATE
        return response


NONCE_TOO_LATE = CheckableLazyObject(CSPMiddleware._csp_nonce_post_response)


class SecurityHeadersMiddleware:
    """Sets ``Permissions-Policy`` and hands the additions asked for with
    ``csp_allow`` to django-csp's middleware (``response._csp_update``).

    It sits inside the policy's middleware (``PolicyMiddleware``), and both
    inside the anonymous page cache: a cached page keeps the policy it was
    rendered with, additions included.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.permissions_policy = permissions_policy(settings.PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        if self.permissions_policy:
            response.headers.setdefault(PERMISSIONS_POLICY_HEADER, self.permissions_policy)
        additions = request.__dict__.get("_portal_csp_additions")
        if additions:
            update = dict(getattr(response, "_csp_update", None) or {})
            for directive, sources in additions.items():
                update[directive] = [*update.get(directive, []), *sources]
            response._csp_update = update
        return response


def nonce_wagtail_chooser_scripts() -> None:
    """Wagtail's chooser widgets (page, image, document, snippet) end their
    HTML with an inline ``<script>`` that starts them (``BaseChooser.render``
    in Wagtail 8): give that script the response's nonce, as
    ``cms/templates/wagtailadmin/`` does for the inline scripts of Wagtail's
    templates. Only the script Wagtail appends gets it, never anything inside
    the widget's own HTML."""
    from django.utils.safestring import mark_safe
    from wagtail.admin.widgets.chooser import BaseChooser

    from cms.templatetags.portal_csp import csp_nonce

    render = BaseChooser.render
    if getattr(render, "adds_csp_nonce", False):
        return

    def render_with_nonce(self, name, value, attrs=None, renderer=None):
        html = render(self, name, value, attrs, renderer)
        head, script, tail = html.rpartition("<script>")
        nonce = csp_nonce({})
        if not script or not nonce:
            return html
        # Wagtail's own HTML, and a nonce of base64 characters.
        return mark_safe(f'{head}<script nonce="{nonce}">{tail}')  # noqa: S308  # nosec B308 B703

    render_with_nonce.adds_csp_nonce = True
    BaseChooser.render = render_with_nonce
