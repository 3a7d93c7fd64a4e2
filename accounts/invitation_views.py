"""The page an invitation's link opens (``accounts.invitations``): one flow
from the link to the admin, signed in with a second factor.

1. The person sees their name, identifier and groups, and chooses a password
   (the project's password rules): their staff account exists from then on,
   signed in, without any group.
2. They set up their authenticator app (QR code or key, then a code): the
   invitation is accepted, they join its groups, and see their recovery
   codes before the admin's home.

The link keeps working until then: reopened in another browser, it asks for
the password chosen, then goes on with the app. Someone who already has a
staff account accepts signed in with it.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.contrib.auth.forms import SetPasswordForm
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login

from .invitations import (
    InvitationError,
    invitation_accept,
    invitation_account_create,
    invitation_for_token,
)
from .lockout import password_failed
from .models import InvitationStatus, User
from .second_factor import (
    TOO_MANY_ATTEMPTS,
    WRONG_SETUP_CODE,
    app_device_confirm,
    is_verified,
    pending_app_device,
    qr_code_svg,
    recovery_codes_create,
    secret_for_typing,
    throttle_wait,
)
from .second_factor_views import NEW_CODES, AppCodeForm

WRONG_PASSWORD = gettext_lazy("This is not the password you chose for this account.")
STAFF_BACKEND = "accounts.backends.StaffBackend"


class PasswordAgainForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


def _render(request, template, invitation, status=200, **context):
    return render(
        request,
        f"accounts/invitation/{template}.html",
        {
            "invitation": invitation,
            "groups": invitation.groups.order_by("name") if invitation else [],
            **context,
        },
        status=status,
    )


@never_cache
@sensitive_post_parameters()
def invitation_view(request, token):
    invitation = invitation_for_token(token)
    if invitation is None:
        return _render(request, "closed", None, status=404)
    if invitation.status != InvitationStatus.PENDING:
        return _render(request, "closed", invitation)
    if invitation.user_id is None:
        return _choose_password(request, invitation)
    if not invitation.created_account:
        return _existing_account(request, invitation)
    if request.user.pk != invitation.user_id:
        return _password_again(request, invitation)
    return _second_factor(request, invitation)


def _choose_password(request, invitation):
    person = User(
        username=invitation.username,
        first_name=invitation.first_name,
        last_name=invitation.last_name,
        email=invitation.email,
    )
    form = SetPasswordForm(person, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_account_create(
                invitation=invitation, password=form.cleaned_data["new_password1"]
            )
        except InvitationError as error:
            messages.error(request, str(error))
            return redirect(request.path)
        login(request, user, backend=STAFF_BACKEND)
        return redirect(request.path)
    return _render(request, "password", invitation, form=form)


def _password_again(request, invitation):
    form = PasswordAgainForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request, username=invitation.user.username, password=form.cleaned_data["password"]
        )
        if user is not None and user.pk == invitation.user_id:
            login(request, user, backend=STAFF_BACKEND)
            return redirect(request.path)
        form.add_error("password", WRONG_PASSWORD)
    return _render(request, "password_again", invitation, form=form)


def _second_factor(request, invitation):
    user = request.user
    device = pending_app_device(user)
    form = AppCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if seconds := throttle_wait(device):
            form.add_error("code", TOO_MANY_ATTEMPTS % {"seconds": seconds})
        elif app_device_confirm(device=device, code=form.cleaned_data["code"]):
            device.refresh_from_db()
            try:
                invitation_accept(invitation=invitation, user=user)
            except InvitationError as error:
                messages.error(request, str(error))
                return redirect(request.path)
            otp_login(request, device)
            request.session.cycle_key()
            request.session[NEW_CODES] = recovery_codes_create(user=user)
            messages.success(
                request, _("Welcome: you now belong to the groups of your invitation.")
            )
            next_url = urlencode({"next": reverse("wagtailadmin_home")})
            return redirect(f"{reverse('second_factor_recovery_codes')}?{next_url}")
        else:
            password_failed(request, username=user.get_username())
            form.add_error("code", WRONG_SETUP_CODE)
    return _render(
        request,
        "second_factor",
        invitation,
        form=form,
        qr_code=qr_code_svg(device),
        secret=secret_for_typing(device),
    )


def _existing_account(request, invitation):
    account = invitation.user
    signed_in = request.user.pk == account.pk and is_verified(request)
    if signed_in and request.method == "POST":
        try:
            invitation_accept(invitation=invitation, user=account)
        except InvitationError as error:
            messages.error(request, str(error))
            return redirect(request.path)
        messages.success(request, _("You now belong to the groups of your invitation."))
        return redirect("wagtailadmin_home")
    return _render(
        request,
        "existing",
        invitation,
        signed_in=signed_in,
        other_user=request.user if request.user.is_authenticated and not signed_in else None,
        sign_in_url=f"{reverse('wagtailadmin_login')}?{urlencode({'next': request.path})}",
    )
