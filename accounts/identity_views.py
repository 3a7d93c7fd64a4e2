"""Signing in with FranceConnect: the button's address, the provider's
answer, completing a new account, linking an existing one, and the return
from the provider's logout (see ``accounts.identity``)."""

import logging

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import forms
from .decorators import citizen_of, citizen_required
from .identity import flow
from .identity.base import IdentityError, ProviderUnreachable
from .lockout import password_limit_refusal
from .models import AccountSettings, User
from .selectors import identity_link_for
from .services import (
    EMAIL_TAKEN,
    IDENTITY_LINK_SENT,
    AccountError,
    MemberData,
    account_register_certified,
    identity_link,
    identity_link_confirm,
    identity_link_read,
    identity_link_request,
    identity_signed_in,
    identity_unlink,
)

logger = logging.getLogger(__name__)

BACKEND = "accounts.backends.CitizenBackend"
IDENTITY_EXPIRED = gettext_lazy(
    "Your sign-in with FranceConnect is over or too old. Please sign in with FranceConnect again."
)
ACCOUNT_CLOSED = gettext_lazy("The account linked to this identity is closed.")
EMAIL_TAKEN_BY_ANOTHER = gettext_lazy(
    "An account of the commune already uses the e-mail address %(email)s. If it is yours, "
    "link it to FranceConnect below; otherwise, give another address to create your account."
)


def _require_offered(request):
    config = flow.provider_config(request.commune)
    if config is None:
        raise Http404
    return config


def _safe_next(request, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()}):
        return candidate
    return ""


def _failure(request, error: IdentityError):
    logger.info("FranceConnect sign-in refused: %s: %s", type(error).__name__, error.detail)
    return render(
        request,
        "accounts/franceconnect/failure.html",
        {
            "refusal": error.text(flow.registry[flow.PROVIDER].verbose_name),
            "unreachable": isinstance(error, ProviderUnreachable),
        },
        status=error.status,
    )


def _log_in(request, user: User, id_token: str, next_url: str):
    auth_login(request, user, backend=BACKEND)
    flow.remember_for_logout(request, id_token)
    return HttpResponseRedirect(_safe_next(request, next_url) or reverse("accounts:home"))


@csrf_exempt  # like the login box: on pages kept whole for anonymous visitors
@never_cache
@require_POST
def start_view(request):
    """The FranceConnect button, a form: off to the provider, to come back
    to ``callback_view``. Only a POST starts a sign-in, since it keeps its
    state in a session: a robot following links starts nothing."""
    config = _require_offered(request)
    next_url = _safe_next(request, request.POST.get("next", ""))
    try:
        url = flow.sign_in_start(
            request,
            config=config,
            redirect_uri=request.build_absolute_uri(reverse("accounts:franceconnect_callback")),
            next_url=next_url,
        )
    except IdentityError as error:
        return _failure(request, error)
    return HttpResponseRedirect(url)


@never_cache
def callback_view(request):
    """The provider's answer: log the linked account in, link the account of
    the citizen already logged in, or keep the identity for the citizen to
    complete a new account or prove an existing one is theirs."""
    config = _require_offered(request)
    try:
        finished = flow.sign_in_finish(request, config=config)
    except IdentityError as error:
        return _failure(request, error)
    sign_in = finished.sign_in
    identity = sign_in.identity
    site = request.commune
    link = identity_link_for(site=site, provider=flow.PROVIDER, subject=identity.subject)
    if link is not None:
        if not link.user.is_active:
            return render(
                request,
                "accounts/franceconnect/failure.html",
                {"refusal": str(ACCOUNT_CLOSED)},
                status=403,
            )
        user = identity_signed_in(link=link, identity=identity)
        return _log_in(request, user, sign_in.id_token, finished.next_url)
    if (citizen := citizen_of(request)) is not None:
        try:
            identity_link(user=citizen, provider=flow.PROVIDER, identity=identity)
        except AccountError as error:
            return render(
                request, "accounts/franceconnect/failure.html", {"refusal": str(error)}, status=409
            )
        flow.remember_for_logout(request, sign_in.id_token)
        messages.success(request, _("Your account is now linked to FranceConnect."))
        return HttpResponseRedirect(
            _safe_next(request, finished.next_url) or reverse("accounts:profile")
        )
    flow.pending_set(request, sign_in, finished.next_url)
    return redirect("accounts:franceconnect_welcome")


def _pending_or_restart(request):
    pending = flow.pending_identity(request)
    if pending is None:
        messages.error(request, str(IDENTITY_EXPIRED))
    return pending


class CompletionForm(forms.ContactForm):
    """A new account's contact details and consent; the identity is FranceConnect's."""

    consent = django_forms.BooleanField(label=forms.ValidationForm.base_fields["consent"].label)


@never_cache
def welcome_view(request):
    """First visit with FranceConnect: the certified identity, and the
    contact details and household the citizen completes to create the
    account. The account is created only when this form is sent."""
    _require_offered(request)
    pending = _pending_or_restart(request)
    if pending is None:
        return redirect("accounts:login")
    identity, id_token = pending
    site = request.commune
    email_taken = (
        bool(identity.email) and User.objects.filter(site=site, email=identity.email).exists()
    )
    form = CompletionForm(
        request.POST or None,
        initial={"email": "" if email_taken else identity.email},
    )
    household = forms.HouseholdFormSet(request.POST or None, prefix="household")
    if request.method == "POST" and form.is_valid() and household.is_valid():
        fields = {name: form.cleaned_data[name] for name in forms.CONTACT_FIELDS}
        members = [MemberData(**member) for member in household.cleaned_data if member]
        try:
            user = account_register_certified(
                site=site,
                provider=flow.PROVIDER,
                identity=identity,
                members=members,
                validated=AccountSettings.for_site(site).franceconnect_validates_accounts,
                **fields,
            )
        except AccountError as error:
            form.add_error("email" if error.args[0] == EMAIL_TAKEN else None, str(error))
        else:
            next_url = flow.pending_next(request)
            flow.pending_clear(request)
            messages.success(
                request,
                _("Your account is created. Your identifier is %(identifier)s.")
                % {"identifier": user.username},
            )
            return _log_in(request, user, id_token, next_url)
    return render(
        request,
        "accounts/franceconnect/welcome.html",
        {
            "identity": identity,
            "form": form,
            "household": household,
            "email_taken": (
                EMAIL_TAKEN_BY_ANOTHER % {"email": identity.email} if email_taken else ""
            ),
        },
    )


class LinkByEmailForm(django_forms.Form):
    login = django_forms.CharField(
        label=gettext_lazy("Identifier or e-mail address of your account"),
        max_length=254,
        widget=django_forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )


@never_cache
def link_view(request):
    """Link an existing account to the certified identity, once the citizen
    proves it is theirs: its password, or a link sent to its e-mail address."""
    _require_offered(request)
    pending = _pending_or_restart(request)
    if pending is None:
        return redirect("accounts:login")
    identity, id_token = pending
    action = request.POST.get("action") if request.method == "POST" else None
    password_form = forms.LoginForm(
        request, data=request.POST if action == "password" else None, prefix="password"
    )
    email_form = LinkByEmailForm(request.POST if action == "email" else None, prefix="email")
    if action == "password":
        if refusal := password_limit_refusal(request):
            return refusal
        if password_form.is_valid():
            user = password_form.get_user()
            try:
                identity_link(user=user, provider=flow.PROVIDER, identity=identity)
            except AccountError as error:
                password_form.add_error(None, str(error))
            else:
                next_url = flow.pending_next(request)
                flow.pending_clear(request)
                messages.success(request, _("Your account is now linked to FranceConnect."))
                user.refresh_from_db()
                return _log_in(request, user, id_token, next_url)
    elif action == "email" and email_form.is_valid():
        identity_link_request(
            site=request.commune,
            login=email_form.cleaned_data["login"],
            provider=flow.PROVIDER,
            identity=identity,
            confirm_url=lambda token: request.build_absolute_uri(
                reverse("accounts:franceconnect_link_confirm", kwargs={"token": token})
            ),
        )
        flow.pending_clear(request)
        return render(
            request, "accounts/franceconnect/link_sent.html", {"message": IDENTITY_LINK_SENT}
        )
    return render(
        request,
        "accounts/franceconnect/link.html",
        {"identity": identity, "password_form": password_form, "email_form": email_form},
    )


def link_confirm_view(request, token):
    """The link e-mailed to an account: a button links it (a POST, so that a
    mail client opening the link to check it changes nothing)."""
    site = request.commune
    try:
        user, _provider, identity = identity_link_read(site=site, token=token)
    except AccountError as error:
        return render(request, "accounts/franceconnect/link_confirm.html", {"refusal": str(error)})
    if request.method == "POST":
        try:
            identity_link_confirm(site=site, token=token)
        except AccountError as error:
            return render(
                request, "accounts/franceconnect/link_confirm.html", {"refusal": str(error)}
            )
        messages.success(
            request,
            _("Your account is now linked to FranceConnect: log in with FranceConnect."),
        )
        return redirect("accounts:login")
    return render(
        request,
        "accounts/franceconnect/link_confirm.html",
        {"account": user, "identity": identity},
    )


@citizen_required
def unlink_view(request):
    link = request.user.certified_identity
    if link is None:
        return redirect("accounts:profile")
    if request.method == "POST":
        identity_unlink(user=request.user, provider=flow.PROVIDER)
        messages.success(request, _("Your account is no longer linked to FranceConnect."))
        return redirect("accounts:profile")
    return render(request, "accounts/franceconnect/unlink.html", {"tab": "profile", "link": link})


def provider_logout(request, *, id_token: str):
    """After the portal's own logout: the page that sends the browser to end
    the FranceConnect session too, or ``None`` when it cannot be reached.

    A page, not a redirect: the logout form's ``form-action 'self'`` policy
    would stop a redirect to the provider."""
    config = flow.provider_config(request.commune)
    if config is None:
        return None
    url = flow.logout_start(
        request,
        config=config,
        id_token=id_token,
        post_logout_redirect_uri=request.build_absolute_uri(
            reverse("accounts:franceconnect_logged_out")
        ),
    )
    if url is None:
        return None
    return render(request, "accounts/franceconnect/logout.html", {"provider_logout_url": url})


def logged_out_view(request):
    """Back from the provider's logout."""
    if flow.logout_finish(request):
        messages.success(request, _("You are also logged out of FranceConnect."))
    return redirect("/")
