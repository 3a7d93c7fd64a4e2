"""Sending the citizen to the bank's payment page, from any app's view."""

from urllib.parse import urlsplit

from django.shortcuts import redirect, render

from cms.security import csp_allow


def portal_base_url(request) -> str:
    """The address the citizen reached the portal at, for the bank to send
    them back to and to notify."""
    return f"{request.scheme}://{request.get_host()}"


def bank_redirect(request, redirect_to):
    """Send the citizen to the bank. The Content-Security-Policy's form-action
    ('self') also covers where a form's answer redirects to, so a redirection
    to another origin after the citizen's "Pay" form would be blocked: a link
    to the bank is a page that follows it at once (payments/bank-redirect.js),
    and a form to post to the bank is allowed to go there on its page only."""
    target = urlsplit(redirect_to.url)
    origin = f"{target.scheme}://{target.netloc}"
    same_origin = not target.netloc or target.netloc == request.get_host()
    is_link = redirect_to.method == "GET" and not redirect_to.fields
    if is_link and same_origin:
        return redirect(redirect_to.url)
    if not is_link and not same_origin:
        csp_allow(request, form_action=[origin])
    return render(request, "payments/bank_redirect.html", {"bank": redirect_to})
