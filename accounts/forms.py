from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.hashers import make_password
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm

from .models import ContactPreference, HouseholdMember, Relationship, User
from .validators import PhoneField, PostcodeField, birth_date_bounds, check_birth_date

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PHONE_REQUIRED = _("Give a phone number to be contacted by phone.")
PASSWORDS_DIFFER = _("The two passwords differ.")
LOGIN_INVALID = _(
    "Identifier or password incorrect. The identifier is the one received by e-mail "
    "(accents count), or your e-mail address."
)


def _apply_shared_rules(form):
    """The phone number, postcode and date of birth follow the rules every
    form of the portal follows (``accounts.validators``)."""
    fields = form.fields
    if "phone" in fields and not fields["phone"].disabled:
        old = fields["phone"]
        fields["phone"] = PhoneField(
            label=old.label, help_text=old.help_text, required=old.required
        )
    if "postcode" in fields:
        old = fields["postcode"]
        fields["postcode"] = PostcodeField(
            label=old.label, help_text=old.help_text, required=old.required
        )
        fields["postcode"].widget.attrs["class"] = "input--short"
    if "birth_date" in fields:
        fields["birth_date"].widget.attrs.update(birth_date_bounds())


class AdminLoginForm(WagtailLoginForm):
    """Wagtail's login form (``WAGTAILADMIN_USER_LOGIN_FORM``), its password
    field labelled in the admin's language: Wagtail leaves that label to
    Django, which makes it from the field's name, "Password", in every
    language."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = _("Password")
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"
        self.fields["username"].widget.attrs["autocomplete"] = "username"


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Identifier"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
        help_text=_(
            "The one received by e-mail, in the form firstname.lastname; or your e-mail address."
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": LOGIN_INVALID,
        "inactive": _("This account is closed."),
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not user.is_citizen:
            raise forms.ValidationError(LOGIN_INVALID, code="invalid_login")


IDENTITY_FIELDS = ["first_name", "last_name", "birth_date"]
CONTACT_FIELDS = ["email", "phone", "address_line", "postcode", "city", "contact_preference"]
ACCOUNT_WIDGETS = {
    "birth_date": DATE_INPUT,
    "email": forms.EmailInput(attrs={"autocomplete": "email"}),
    "phone": forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    "address_line": forms.TextInput(attrs={"autocomplete": "address-line1"}),
    "postcode": forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
    "contact_preference": forms.RadioSelect,
}
ACCOUNT_LABELS = {
    "email": _("E-mail address"),
    "contact_preference": _("How do you prefer to be contacted about your requests?"),
}
ACCOUNT_HELP_TEXTS = {
    "email": _("Your identifier and the news of your requests are sent there."),
}


class AccountFieldsForm(forms.ModelForm):
    """The holder's own details, as typed at registration and when edited:
    names and e-mail are required, the date of birth is in the past, and a
    phone number is needed to be contacted by phone."""

    REQUIRED = ("first_name", "last_name", "birth_date", "email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _apply_shared_rules(self)
        for name in self.REQUIRED:
            if name in self.fields:
                self.fields[name].required = True

    def clean_birth_date(self):
        return check_birth_date(self.cleaned_data["birth_date"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("contact_preference") == ContactPreference.PHONE and not cleaned.get(
            "phone"
        ):
            self.add_error("phone", PHONE_REQUIRED)
        return cleaned


class IdentityForm(AccountFieldsForm):
    class Meta:
        model = User
        fields = IDENTITY_FIELDS
        widgets = ACCOUNT_WIDGETS


class ContactForm(AccountFieldsForm):
    class Meta:
        model = User
        fields = CONTACT_FIELDS
        widgets = ACCOUNT_WIDGETS
        labels = ACCOUNT_LABELS
        help_texts = ACCOUNT_HELP_TEXTS


class MemberForm(forms.ModelForm):
    class Meta:
        model = HouseholdMember
        fields = ["first_name", "last_name", "birth_date", "relationship"]
        widgets = {"birth_date": DATE_INPUT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["relationship"].choices = [("", _("Choose…")), *Relationship.choices]
        _apply_shared_rules(self)

    def clean_birth_date(self):
        return check_birth_date(self.cleaned_data["birth_date"])


class OptionalMemberForm(MemberForm):
    """A household row of the registration: left empty, it is ignored."""

    use_required_attribute = False


HouseholdFormSet = forms.formset_factory(OptionalMemberForm, extra=4, max_num=12)


class PasswordForm(forms.Form):
    """Choose the password. Once chosen, the wizard keeps only its hash: the
    fields may then be left empty to keep it.

    Whatever is typed is a password, checked by the password validators and
    hashed by the server, never a stored value: a text shaped like a hash is
    a password like any other."""

    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "At least 12 characters. A sentence you remember is best: "
            "no rule on digits or symbols, but common passwords are refused."
        ),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user_attributes=None, chosen_hash=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user_attributes = user_attributes or {}
        self.chosen_hash = chosen_hash
        if not chosen_hash:
            self.fields["password1"].required = True
            self.fields["password2"].required = True

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if not first and not second:
            if self.chosen_hash and not self.errors:
                cleaned["password_hash"] = self.chosen_hash
            return cleaned
        if first != second:
            self.add_error("password2", PASSWORDS_DIFFER)
            return cleaned
        try:
            password_validation.validate_password(first, User(**self.user_attributes))
        except forms.ValidationError as error:
            self.add_error("password1", error)
        else:
            cleaned["password_hash"] = make_password(first)
        return cleaned


class ValidationForm(forms.Form):
    """Last step: the recap, the captcha (added by the view) and the consent."""

    consent = forms.BooleanField(
        label=_("I agree that the town hall processes this information to manage my account."),
    )


CERTIFIED_FIELD = _("Certified by FranceConnect: cannot be changed here.")


class AccountForm(AccountFieldsForm):
    """The holder's details; the names and date of birth that FranceConnect
    certifies are shown but locked (what is posted for them is ignored)."""

    class Meta:
        model = User
        fields = IDENTITY_FIELDS + CONTACT_FIELDS
        widgets = ACCOUNT_WIDGETS
        labels = ACCOUNT_LABELS
        help_texts = ACCOUNT_HELP_TEXTS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.certified_identity is not None:
            for name in IDENTITY_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = CERTIFIED_FIELD


class PasswordResetRequestForm(forms.Form):
    login = forms.CharField(
        label=_("Identifier or e-mail address"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )


class EraseAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password, to confirm"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    confirm = forms.BooleanField(
        label=_("I understand that my account and my household's data will be erased."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user.has_usable_password():
            del self.fields["confirm"]
        else:
            # An account opened with FranceConnect may have no password to type.
            del self.fields["password"]

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your password."))
        return password


class NotificationPreferencesForm(forms.Form):
    """How and of what the citizen wants to be told (``accounts.phone``)."""

    channel = forms.ChoiceField(
        label=_("Tell me by"),
        choices=[
            (ContactPreference.EMAIL, _("E-mail")),
            (ContactPreference.PHONE, _("Text message (SMS) to my verified mobile number")),
        ],
        widget=forms.RadioSelect,
    )
    notify_status = forms.BooleanField(label=_("Changes of status of my requests"), required=False)
    notify_messages = forms.BooleanField(label=_("Messages from the town hall"), required=False)
    notify_reminders = forms.BooleanField(label=_("Reminders of deadlines"), required=False)

    def __init__(self, *args, sms_allowed: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not sms_allowed:
            self.fields["channel"].choices = self.fields["channel"].choices[:1]


class PhoneNumberForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=30,
        help_text=_("A code will be sent to it by text message, for example 06 12 34 56 78."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )


class PhoneCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code received by text message"),
        max_length=12,
        help_text=_("Six digits, valid ten minutes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
