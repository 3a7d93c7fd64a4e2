from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from formtools.wizard.views import SessionWizardView

from cms.uploads import download

from . import forms
from .captcha import captcha_field
from .decorators import citizen_of, citizen_required
from .exports import archive_name, personal_data_archive
from .identity import flow as identity_flow
from .identity_views import provider_logout
from .lockout import (
    password_limit_refusal,
    password_reset_address_limited,
)
from .models import ContactPreference, User
from .selectors import household_for, member_for
from .services import (
    ACCOUNT_NOT_VALIDATED,
    EMAIL_CHANGE_SENT,
    EMAIL_CHANGED,
    AccountError,
    MemberData,
    account_email_change_confirm,
    account_email_change_request,
    account_erase,
    account_register,
    account_update,
    email_change_read,
    member_add,
    member_delete,
    member_update,
    password_reset_request,
)
from .validators import format_phone

FOREIGN_ORIGIN = gettext_lazy("This form must be sent from the portal's own pages.")


def password_reset_refusal(minutes: int) -> str:
    return ngettext(
        "Too many requests for a new password from your connection. Please try again in "
        "%(minutes)d minute.",
        "Too many requests for a new password from your connection. Please try again in "
        "%(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def _same_origin(request) -> bool:
    """Whether a form was sent from a page of this site (login CSRF defence
    that also works for the login box of cached pages)."""
    origin = request.META.get("HTTP_ORIGIN") or request.META.get("HTTP_REFERER")
    if not origin:
        return False
    try:
        netloc = urlsplit(origin).netloc
    except ValueError:  # "http://[": no address, so no page of this site
        return False
    return netloc == request.get_host()


@csrf_exempt
def login_view(request):
    """The login page, also target of the home page's "Connexion" box.

    The home page is cached whole for anonymous visitors, so its box cannot
    carry a CSRF token: the origin of the form is checked instead.
    """
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        next_url = ""
    if request.method == "POST":
        if not _same_origin(request):
            raise PermissionDenied(FOREIGN_ORIGIN)
        if refusal := password_limit_refusal(request):
            return refusal
        form = forms.LoginForm(request, data=request.POST)
        if form.is_valid():
            auth_login(request, form.get_user())
            # An address, never a view name: redirect() would take "0" for one.
            return HttpResponseRedirect(next_url or reverse("accounts:home"))
    else:
        form = forms.LoginForm(request)
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


@require_POST
def logout_view(request):
    """Log out; a citizen who signed in with FranceConnect is then sent to
    end their FranceConnect session too."""
    id_token = identity_flow.logout_id_token(request)
    auth_logout(request)
    messages.success(request, _("You are logged out."))
    if id_token and (page := provider_logout(request, id_token=id_token)):
        return page
    return redirect("/")


@citizen_required
def home_view(request):
    return render(
        request, "accounts/home.html", {"tab": "home", "phone_to_verify": _phone_to_verify(request)}
    )


def _phone_to_verify(request) -> bool:
    """Whether the citizen chose to be told by phone, in a commune that sends
    text messages, without a verified mobile number yet: until then, e-mail."""
    from cms.sms.services import sms_offered

    user = request.user
    return (
        user.contact_preference == ContactPreference.PHONE
        and not user.sms_phone_verified_at
        and sms_offered(request.commune)
    )


def _render_with_household(request, template):
    adults, children = household_for(user=request.user)
    return render(request, template, {"tab": "profile", "adults": adults, "children": children})


@citizen_required
def profile_view(request):
    return _render_with_household(request, "accounts/profile.html")


def _refuse_if_pending(request):
    if not request.user.can_modify_account:
        messages.error(request, str(ACCOUNT_NOT_VALIDATED))
        return redirect("accounts:profile")
    return None


@citizen_required
def profile_edit_view(request):
    if refusal := _refuse_if_pending(request):
        return refusal
    form = forms.AccountForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        email = fields.pop("email")
        # The form wrote the new address on the logged-in user: read the account anew.
        user = User.objects.get(pk=request.user.pk)
        account_update(user=user, **fields)
        messages.success(request, _("Your account is saved."))
        if email.strip().lower() != user.email:
            try:
                account_email_change_request(
                    user=user,
                    email=email,
                    confirm_url=lambda token: request.build_absolute_uri(
                        reverse("accounts:email_change_confirm", kwargs={"token": token})
                    ),
                )
            except AccountError as error:
                messages.error(request, str(error))
            else:
                messages.info(request, str(EMAIL_CHANGE_SENT) % {"email": email.strip().lower()})
        return redirect("accounts:profile")
    return render(request, "accounts/profile_edit.html", {"tab": "profile", "form": form})


def email_change_confirm_view(request, token):
    """The link sent to a new e-mail address: a button confirms it (a POST,
    so that a mail client opening the link to check it changes nothing)."""
    site = request.commune
    try:
        user, email = email_change_read(site=site, token=token)
    except AccountError as error:
        return render(request, "accounts/email_change_confirm.html", {"refusal": str(error)})
    if request.method == "POST":
        try:
            account_email_change_confirm(site=site, token=token)
        except AccountError as error:
            return render(request, "accounts/email_change_confirm.html", {"refusal": str(error)})
        messages.success(request, str(EMAIL_CHANGED) % {"email": email})
        if citizen_of(request) is not None and request.user.pk == user.pk:
            return redirect("accounts:profile")
        return redirect("accounts:login")
    return render(request, "accounts/email_change_confirm.html", {"email": email})


@citizen_required
def member_edit_view(request, pk=None):
    if refusal := _refuse_if_pending(request):
        return refusal
    member = member_for(user=request.user, pk=pk) if pk else None
    form = forms.MemberForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        data = MemberData(**{name: form.cleaned_data[name] for name in form.Meta.fields})
        if member is None:
            member_add(user=request.user, data=data)
            messages.success(
                request, _("%(name)s is added to your household.") % {"name": data.first_name}
            )
        else:
            member_update(user=request.user, member=member, data=data)
            messages.success(request, _("Your household is saved."))
        return redirect("accounts:profile")
    return render(
        request,
        "accounts/member_edit.html",
        {"tab": "profile", "form": form, "member": member},
    )


@citizen_required
def member_delete_view(request, pk):
    if refusal := _refuse_if_pending(request):
        return refusal
    member = member_for(user=request.user, pk=pk)
    if request.method == "POST":
        member_delete(user=request.user, member=member)
        messages.success(
            request, _("%(name)s is removed from your household.") % {"name": member.first_name}
        )
        return redirect("accounts:profile")
    return render(request, "accounts/member_delete.html", {"tab": "profile", "member": member})


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change the account's password, or choose one for an account that has
    none (opened with FranceConnect): then no current password is asked."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")
    extra_context = {"tab": "profile"}

    def get_form_class(self):
        if self.request.user.has_usable_password():
            return PasswordChangeForm
        return SetPasswordForm

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "choosing": not self.request.user.has_usable_password(),
        }

    def dispatch(self, request, *args, **kwargs):
        return citizen_required(self._dispatch_when_modifiable)(request, *args, **kwargs)

    def _dispatch_when_modifiable(self, request, *args, **kwargs):
        if refusal := _refuse_if_pending(request):
            return refusal
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        chosen = not self.request.user.has_usable_password()
        response = super().form_valid(form)
        messages.success(
            self.request,
            _(
                "Your password is chosen: you may also log in with your identifier or e-mail "
                "address and this password. Your other sessions have been closed."
            )
            if chosen
            else _("Your password is changed. Your other sessions have been closed."),
        )
        return response


def password_reset_view(request):
    """Ask for a link to choose a new password. The answer is the same, in
    the same time, whether an account matches or not: the task queue looks
    the account up and sends the e-mail."""
    form = forms.PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if minutes := password_reset_address_limited(request):
            return render(
                request,
                "accounts/password_reset.html",
                {"form": form, "refusal": password_reset_refusal(minutes)},
                status=429,
            )
        password_reset_request(
            site=request.commune,
            login=form.cleaned_data["login"],
            base_url=request.build_absolute_uri("/").rstrip("/"),
            language=get_language(),
        )
        return redirect("accounts:password_reset_sent")
    return render(request, "accounts/password_reset.html", {"form": form})


def password_reset_sent_view(request):
    return render(request, "accounts/password_reset_sent.html")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        if user is None or user.site_id != self.request.commune.pk:
            return None
        return user


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@citizen_required
def personal_data_view(request):
    return _render_with_household(request, "accounts/personal_data.html")


@citizen_required
def personal_data_download_view(request):
    """A ZIP archive of everything stored about the citizen, with the
    documents of their requests (``accounts.exports``)."""
    archive = personal_data_archive(user=request.user)
    response = download(
        archive, filename=archive_name(request.user), content_type="application/zip"
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


@citizen_required
def erase_view(request):
    form = forms.EraseAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        auth_logout(request)
        account_erase(user=user)
        messages.success(request, _("Your account and your household's data are erased."))
        return redirect("/")
    return render(request, "accounts/erase.html", {"tab": "profile", "form": form})


REGISTRATION_STEPS = [
    ("identity", forms.IdentityForm),
    ("contact", forms.ContactForm),
    ("household", forms.HouseholdFormSet),
    ("password", forms.PasswordForm),
    ("validation", forms.ValidationForm),
]
STEP_TITLES = {
    "identity": gettext_lazy("Identity"),
    "contact": gettext_lazy("Contact"),
    "household": gettext_lazy("Household"),
    "password": gettext_lazy("Password"),
    "validation": gettext_lazy("Validation"),
}


class RegistrationView(SessionWizardView):
    """ "Je souhaite créer mon compte": five steps shown as tabs. Every step is
    checked on the server; going back and forth keeps what was typed."""

    form_list = REGISTRATION_STEPS
    template_name = "accounts/register.html"

    def get_form_kwargs(self, step=None):
        kwargs = super().get_form_kwargs(step)
        if step == "password":
            identity = self.get_cleaned_data_for_step("identity") or {}
            contact = self.get_cleaned_data_for_step("contact") or {}
            kwargs["user_attributes"] = {
                "first_name": identity.get("first_name", ""),
                "last_name": identity.get("last_name", ""),
                "email": contact.get("email", ""),
            }
            kwargs["chosen_hash"] = self.storage.extra_data.get("password_hash")
        return kwargs

    def get_form(self, step=None, data=None, files=None):
        form = super().get_form(step, data, files)
        if (step or self.steps.current) == "validation" and not self._revalidating:
            form.fields["captcha"] = captcha_field(self.request)
        return form

    _revalidating = False

    def get(self, request, *args, **kwargs):
        """The step where the citizen was, with what they typed: leaving the
        wizard (a link of the footer, say) and coming back resumes it, and
        "Start over" empties it. A visitor without a session gets none for
        opening the page (robots read it too): the wizard keeps its data from
        the first step sent."""
        if not self.storage.data.get(self.storage.step_data_key):
            response = super().get(request, *args, **kwargs)
            if request.session.session_key is None and list(request.session.keys()) == [
                self.storage.prefix
            ]:
                response.render()
                del request.session[self.storage.prefix]
            return response
        if self.storage.current_step not in self.get_form_list():
            self.storage.current_step = self.steps.first
        return self.render(
            self.get_form(
                data=self.storage.current_step_data, files=self.storage.current_step_files
            )
        )

    def post(self, *args, **kwargs):
        """A step name the wizard does not have is an altered form: refused
        as formtools refuses a missing one (400), not a server error."""
        if "wizard_restart" in self.request.POST:
            self.storage.reset()
            return redirect("accounts:register")
        step = self.request.POST.get(f"{self.prefix}-current_step")
        if step is not None and step not in self.get_form_list():
            raise SuspiciousOperation("unknown registration step")
        return super().post(*args, **kwargs)

    def render_done(self, form, **kwargs):
        """All steps are checked again before the account is created, except
        the captcha, which is single-use and was checked a moment ago."""
        self._revalidating = True
        return super().render_done(form, **kwargs)

    def process_step_files(self, form):
        """No step asks for a file: any file sent is an altered form, ignored
        rather than stored (the wizard has no file storage)."""
        return {}

    def process_step(self, form):
        """Never keep the password itself in the session: only its hash, out
        of the step's data, so that checking the steps again before creating
        the account reads the hash chosen here and nothing posted."""
        if self.steps.current == "password":
            password_hash = form.cleaned_data["password_hash"]
            self.storage.extra_data = {**self.storage.extra_data, "password_hash": password_hash}
            prefix = self.get_form_prefix("password", form)
            return {f"{prefix}-password1": [""], f"{prefix}-password2": [""]}
        return super().process_step(form)

    def render_goto_step(self, goto_step, **kwargs):
        """Going back to an earlier tab keeps what this step holds, even
        unfinished, so that nothing typed is lost."""
        if self.steps.current not in ("password", "validation"):
            self.storage.set_step_data(self.steps.current, self.request.POST)
        return super().render_goto_step(goto_step, **kwargs)

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form=form, **kwargs)
        done = set(self.storage.data.get("step_data", {}))
        context["tabs"] = [
            {
                "name": name,
                "title": STEP_TITLES[name],
                "number": index,
                "current": name == self.steps.current,
                "reachable": name in done or name == self.steps.current,
            }
            for index, name in enumerate(self.steps.all, start=1)
        ]
        context["started"] = bool(done)
        if self.steps.current == "validation":
            contact = self.get_cleaned_data_for_step("contact") or {}
            preference = contact.get("contact_preference")
            context["recap"] = {
                "identity": self.get_cleaned_data_for_step("identity"),
                "contact": contact,
                "contact_preference": ContactPreference(preference).label if preference else "",
                "household": [
                    member
                    for member in (self.get_cleaned_data_for_step("household") or [])
                    if member
                ],
            }
        return context

    def done(self, form_list, form_dict, **kwargs):
        identity = form_dict["identity"].cleaned_data
        contact = form_dict["contact"].cleaned_data
        members = [MemberData(**member) for member in form_dict["household"].cleaned_data if member]
        site = self.request.commune
        try:
            user = account_register(
                site=site,
                password_hash=form_dict["password"].cleaned_data["password_hash"],
                members=members,
                **identity,
                **contact,
            )
        except AccountError as error:
            form = self.get_form(step="contact", data=self.storage.get_step_data("contact"))
            form.is_valid()
            form.add_error("email", str(error))
            self.storage.current_step = "contact"
            return self.render(form)
        self.request.session["registered_identifier"] = user.username
        return redirect("accounts:registered")


def registered_view(request):
    identifier = request.session.pop("registered_identifier", None)
    if identifier is None:
        return redirect("accounts:register")
    return render(request, "accounts/registered.html", {"identifier": identifier})


def _notifications_page(request, *, form=None, phone_form=None, code_form=None, status=200):
    from cms.sms.services import sms_offered

    user = User.objects.get(pk=request.user.pk)
    offered = sms_offered(request.commune)
    verified = bool(user.sms_phone and user.sms_phone_verified_at)
    if form is None:
        form = forms.NotificationPreferencesForm(
            sms_allowed=offered and verified,
            initial={
                "channel": user.contact_preference if offered and verified else "email",
                "notify_status": user.notify_status,
                "notify_messages": user.notify_messages,
                "notify_reminders": user.notify_reminders,
            },
        )
    pending = getattr(user, "phone_verification", None) if offered else None
    number = pending.phone if pending else user.sms_phone or user.phone
    return render(
        request,
        "accounts/notifications.html",
        {
            "tab": "profile",
            "form": form,
            "sms_offered": offered,
            "verified": verified,
            "phone_form": phone_form
            or forms.PhoneNumberForm(initial={"phone": format_phone(number) if number else ""}),
            "code_form": code_form or forms.PhoneCodeForm(),
            "pending": pending,
        },
        status=status,
    )


@citizen_required
def notifications_view(request):
    """How and of what the citizen is told, and their mobile number for text
    messages, verified by a code (``accounts.phone``)."""
    from cms.sms.services import sms_offered

    from .phone import notification_preferences_save

    if request.method != "POST":
        return _notifications_page(request)
    user = request.user
    verified = bool(user.sms_phone and user.sms_phone_verified_at)
    form = forms.NotificationPreferencesForm(
        request.POST, sms_allowed=sms_offered(request.commune) and verified
    )
    if not form.is_valid():
        return _notifications_page(request, form=form, status=400)
    notification_preferences_save(user=user, **form.cleaned_data)
    messages.success(request, _("Your notification preferences are saved."))
    return redirect("accounts:notifications")


@citizen_required
@require_POST
def phone_verify_view(request):
    """Send a code to a mobile number (``action=send``) or check the code
    (``action=confirm``); a refusal is shown above the forms."""
    from .phone import PhoneError, phone_verification_confirm, phone_verification_start

    confirm = request.POST.get("action") == "confirm"
    form = forms.PhoneCodeForm(request.POST) if confirm else forms.PhoneNumberForm(request.POST)
    if form.is_valid():
        try:
            if confirm:
                phone_verification_confirm(user=request.user, code=form.cleaned_data["code"])
            else:
                phone_verification_start(user=request.user, number=form.cleaned_data["phone"])
        except PhoneError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Your mobile number is verified: you may now choose text messages.")
                if confirm
                else _("A code has been sent by text message: enter it below."),
            )
            return redirect("accounts:notifications")
    return _notifications_page(
        request,
        phone_form=None if confirm else form,
        code_form=form if confirm else None,
        status=400,
    )
