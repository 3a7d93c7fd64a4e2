"""The admin's second-factor pages (see ``accounts.second_factor``)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from cms.uploads import as_attachment

from .lockout import password_failed
from .models import User
from .second_factor import (
    TOO_MANY_ATTEMPTS,
    WRONG_CODE,
    WRONG_SETUP_CODE,
    Throttled,
    app_device,
    app_device_confirm,
    code_verify,
    has_second_factor,
    is_verified,
    normalise,
    pending_app_device,
    qr_code_svg,
    recovery_codes_create,
    recovery_codes_left,
    second_factor_reset,
    secret_for_typing,
    throttle_wait,
)

#: The recovery codes just made, shown once, in this session only.
NEW_CODES = "second_factor_new_codes"


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}
        ),
    )


class AppCodeForm(forms.Form):
    code = forms.RegexField(
        label=gettext_lazy("6-digit code shown by the app"),
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        error_messages={"invalid": WRONG_SETUP_CODE},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": 7}
        ),
    )


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, {request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("wagtailadmin_home")


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _throttled_error(form, seconds: int) -> None:
    form.add_error("code", TOO_MANY_ATTEMPTS % {"seconds": seconds})


@never_cache
def verify_view(request):
    """After the password: the app's code, or a recovery code."""
    next_url = _next_url(request)
    if is_verified(request):
        return redirect(next_url)
    if not has_second_factor(request.user):
        return redirect(_with_next("second_factor_setup", next_url))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = code_verify(request=request, code=form.cleaned_data["code"])
        except Throttled as throttled:
            _throttled_error(form, throttled.seconds)
        else:
            if device is not None:
                if isinstance(device, StaticDevice):
                    left = recovery_codes_left(request.user)
                    messages.warning(
                        request,
                        _(
                            "You used a recovery code: it no longer works. "
                            "%(count)s codes are left; make new ones in your account."
                        )
                        % {"count": left},
                    )
                return redirect(next_url)
            form.add_error("code", WRONG_CODE)
    return render(
        request,
        "accounts/second_factor/verify.html",
        {"form": form, "next": next_url},
    )


@never_cache
def setup_view(request):
    """Scan the QR code (or type the secret), then confirm with a code."""
    next_url = _next_url(request)
    replacing = has_second_factor(request.user)
    if replacing and not is_verified(request):
        return redirect(_with_next("second_factor_verify", next_url))
    device = pending_app_device(request.user)
    form = AppCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if seconds := throttle_wait(device):
            _throttled_error(form, seconds)
        elif app_device_confirm(device=device, code=form.cleaned_data["code"]):
            device.refresh_from_db()
            otp_login(request, device)
            request.session.cycle_key()
            request.session[NEW_CODES] = recovery_codes_create(user=request.user)
            return redirect(_with_next("second_factor_recovery_codes", next_url))
        else:
            password_failed(request, username=request.user.get_username())
            form.add_error("code", WRONG_SETUP_CODE)
    return render(
        request,
        "accounts/second_factor/setup.html",
        {
            "form": form,
            "next": next_url,
            "qr_code": qr_code_svg(device),
            "secret": secret_for_typing(device),
            "replacing": replacing,
        },
    )


@never_cache
def recovery_codes_view(request):
    """The new recovery codes, shown once: print them, download them, then
    continue."""
    next_url = _next_url(request)
    codes = request.session.get(NEW_CODES)
    if not codes:
        return redirect(next_url)
    if request.method == "POST":
        del request.session[NEW_CODES]
        return redirect(next_url)
    if request.GET.get("download"):
        text = (
            "\n".join(
                [
                    str(_("Recovery codes for %(user)s") % {"user": request.user.username}),
                    "",
                    *codes,
                ]
            )
            + "\n"
        )
        response = as_attachment(
            HttpResponse(text, content_type="text/plain; charset=utf-8"), "codes-de-secours.txt"
        )
        response["Cache-Control"] = "no-store"
        return response
    return render(
        request,
        "accounts/second_factor/recovery_codes.html",
        {"codes": codes, "next": next_url},
    )


class ManageView(WagtailAdminTemplateMixin, TemplateView):
    """The account's second factor: its state, new recovery codes (with a
    current code), another app."""

    template_name = "accounts/second_factor/manage.html"
    page_title = gettext_lazy("Second factor")
    header_icon = "key"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            device=app_device(self.request.user),
            codes_left=recovery_codes_left(self.request.user),
            form=kwargs.get("form") or AppCodeForm(),
        )
        return context

    def post(self, request):
        form = AppCodeForm(request.POST)
        device = app_device(request.user)
        if device is None:
            return redirect(_with_next("second_factor_setup", reverse("second_factor_manage")))
        if form.is_valid():
            if seconds := throttle_wait(device):
                _throttled_error(form, seconds)
            elif device.verify_token(normalise(form.cleaned_data["code"])):
                request.session[NEW_CODES] = recovery_codes_create(user=request.user)
                return redirect(
                    _with_next("second_factor_recovery_codes", reverse("second_factor_manage"))
                )
            else:
                password_failed(request, username=request.user.get_username())
                form.add_error("code", WRONG_SETUP_CODE)
        return self.render_to_response(self.get_context_data(form=form))

    def get_breadcrumbs_items(self):
        return [
            *super().get_breadcrumbs_items(),
            {"url": reverse("wagtailadmin_account"), "label": _("Account")},
            {"url": "", "label": self.get_page_title()},
        ]


class ResetView(WagtailAdminTemplateMixin, TemplateView):
    """A platform admin removes another staff member's second factor."""

    template_name = "accounts/second_factor/reset.html"
    page_title = gettext_lazy("Reset the second factor")
    header_icon = "key"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_superuser:
            raise PermissionDenied
        self.target = get_object_or_404(User, pk=kwargs["pk"], site__isnull=True)
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.target.get_full_name() or self.target.username

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "target": self.target}

    def post(self, request, pk):
        second_factor_reset(user=self.target, by=request.user)
        messages.success(
            request,
            _(
                "The second factor of %(user)s is reset: they will set up an app at their next "
                "sign-in."
            )
            % {"user": self.target.username},
        )
        return redirect("wagtailusers_users:index")
