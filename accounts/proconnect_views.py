"""Staff signing in to the admin with ProConnect: the button's address, the
provider's answer, and the admin's logout, which ends the ProConnect session
too (see ``accounts.identity.proconnect``).

A sign-in opens the staff account whose e-mail address is the professional
one ProConnect verified (``services.staff_for_sign_in``), as the admin's
password login would: then the admin's second factor is asked, unless
ProConnect asked for one and the platform accepts it instead.
"""

import logging

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from wagtail.admin.views.account import LogoutView

from cms.audit import audit

from .identity import flow, registry
from .identity.base import IdentityError, ProfessionalIdentity
from .identity.proconnect import platform_config
from .second_factor import is_verified, provider_second_factor_accept, verify_url
from .services import AccountError, staff_for_sign_in

logger = logging.getLogger(__name__)

PROVIDER = "proconnect"
BACKEND = "accounts.backends.StaffBackend"


def _config():
    config = platform_config()
    if config is None:
        raise Http404
    return config


def _safe_next(request, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, {request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _refused(request, refusal: str, *, status: int):
    return render(
        request,
        "accounts/proconnect/failure.html",
        {"refusal": refusal, "provider": registry[PROVIDER].verbose_name},
        status=status,
    )


def _failure(request, error: IdentityError):
    logger.info("ProConnect sign-in refused: %s: %s", type(error).__name__, error.detail)
    return _refused(request, error.text(registry[PROVIDER].verbose_name), status=error.status)


@never_cache
def start_view(request):
    """The ProConnect button of the admin's login page: off to ProConnect,
    to come back to ``callback_view``."""
    config = _config()
    try:
        url = flow.sign_in_start(
            request,
            provider=PROVIDER,
            config=config,
            redirect_uri=request.build_absolute_uri(reverse("proconnect_callback")),
            next_url=_safe_next(request, request.GET.get("next", "")),
        )
    except IdentityError as error:
        return _failure(request, error)
    return HttpResponseRedirect(url)


@never_cache
def callback_view(request):
    """ProConnect's answer: log the staff account in, then on to the second
    factor (or, when ProConnect's counts, where the staff member was going)."""
    config = _config()
    try:
        finished = flow.sign_in_finish(request, provider=PROVIDER, config=config)
    except IdentityError as error:
        return _failure(request, error)
    identity: ProfessionalIdentity = finished.sign_in.identity
    try:
        user = staff_for_sign_in(email=identity.email)
    except AccountError as error:
        logger.info("ProConnect sign-in refused: no single active staff account for its e-mail")
        return _refused(request, str(error), status=403)
    auth_login(request, user, backend=BACKEND)
    # As the admin's login page does without "Remember me".
    request.session.set_expiry(0)
    flow.remember_for_logout(request, finished.sign_in.id_token, provider=PROVIDER)
    trusted = identity.multi_factor and registry[PROVIDER].trusts_second_factor()
    audit(
        user,
        "accounts.proconnect_signed_in",
        user=user,
        data={
            "acr": identity.acr,
            "amr": list(identity.amr),
            "multi_factor": identity.multi_factor,
        },
    )
    if trusted:
        provider_second_factor_accept(request, provider=PROVIDER)
    next_url = _safe_next(request, finished.next_url) or reverse("wagtailadmin_home")
    if is_verified(request):
        return HttpResponseRedirect(next_url)
    return HttpResponseRedirect(verify_url(next_url))


@never_cache
def logout_view(request):
    """Wagtail's logout; a member of staff who signed in with ProConnect is
    then sent to end their ProConnect session too.

    A page, not a redirect: the logout form's ``form-action 'self'`` policy
    would stop a redirect to the provider."""
    config = platform_config()
    id_token = flow.logout_id_token(request, provider=PROVIDER)
    if request.method != "POST" or config is None or not id_token:
        return LogoutView.as_view()(request)
    auth_logout(request)
    url = flow.logout_start(
        request,
        provider=PROVIDER,
        config=config,
        id_token=id_token,
        post_logout_redirect_uri=request.build_absolute_uri(reverse("proconnect_logged_out")),
    )
    messages.success(request, _("You are logged out."))
    if url is None:
        return redirect("wagtailadmin_login")
    return render(request, "accounts/proconnect/logout.html", {"provider_logout_url": url})


@never_cache
def logged_out_view(request):
    """Back from ProConnect's logout."""
    if flow.logout_finish(request, provider=PROVIDER):
        messages.success(request, _("You are also logged out of ProConnect."))
    return redirect("wagtailadmin_login")
