from datetime import date

from django import forms
from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from cms.cache import CachedSiteSetting
from cms.tenancy import current_request

RECAPTCHA_KEYS_MISSING = _(
    "Google reCAPTCHA needs both keys that Google gave for this portal: "
    "the site key and the secret key."
)
FRANCECONNECT_INCOMPLETE = _(
    "To offer FranceConnect, give the client identifier and secret that FranceConnect "
    "gave this portal."
)
FRANCECONNECT_ISSUER_MISSING = _(
    "Give the address of the provider to use instead of FranceConnect."
)
RECAPTCHA_SECRET_KEY_SAVED = _(
    "A secret key is saved; it is never shown. Type a new key to replace it, "
    "or leave the field empty to keep it."
)


class AccountStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting validation")
    VALIDATED = "validated", _("Validated")
    REJECTED = "rejected", _("Rejected")


class ContactPreference(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")


class User(AbstractUser):
    """A person who logs in: a citizen of one commune, or a member of staff.

    Citizens belong to the commune (``site``) where they registered, and their
    identifier is unique within that commune only, so the same person may hold
    an account in two communes. Staff users have no commune: the groups they
    belong to decide what they see in the admin.
    """

    username = models.CharField(
        _("identifier"),
        max_length=150,
        validators=[AbstractUser.username_validator],
        help_text=_("Letters, digits and @ . + - _ only; accents count."),
    )
    site = models.ForeignKey(
        "wagtailcore.Site",
        verbose_name=_("commune"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="citizens",
        help_text=_("Empty for staff, who belong to no commune."),
    )
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address_line = models.CharField(_("number and street"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    city = models.CharField(_("town"), max_length=120, blank=True)
    contact_preference = models.CharField(
        _("how to reach me"),
        max_length=10,
        choices=ContactPreference.choices,
        default=ContactPreference.EMAIL,
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AccountStatus.choices,
        default=AccountStatus.PENDING,
        db_index=True,
    )
    status_changed_at = models.DateTimeField(_("status changed on"), null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("status changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    inactivity_warned_at = models.DateTimeField(
        _("warned of deletion for inactivity on"),
        null=True,
        blank=True,
        help_text=_(
            "When the citizen was told by e-mail that their unused account would be "
            "deleted; cleared when they sign in."
        ),
    )
    email_changed_at = models.DateTimeField(
        _("e-mail address changed on"),
        null=True,
        blank=True,
        help_text=_(
            "When the citizen last confirmed a new e-mail address; links to confirm "
            "an address sent before then no longer work."
        ),
    )

    sms_phone = models.CharField(
        _("mobile number for text messages"),
        max_length=20,
        blank=True,
        help_text=_("Verified by a code sent to it; empty until then. Never shown to agents."),
    )
    sms_phone_verified_at = models.DateTimeField(
        _("mobile number verified on"), null=True, blank=True
    )
    notify_status = models.BooleanField(_("changes of status of my requests"), default=True)
    notify_messages = models.BooleanField(_("messages from the town hall"), default=True)
    notify_reminders = models.BooleanField(_("reminders of deadlines"), default=True)

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                "site",
                Lower("username"),
                name="accounts_user_unique_identifier_per_commune",
            ),
            models.UniqueConstraint(
                Lower("username"),
                condition=models.Q(site__isnull=True),
                name="accounts_user_unique_staff_identifier",
            ),
            models.UniqueConstraint(
                "site",
                Lower("email"),
                condition=models.Q(site__isnull=False) & ~models.Q(email=""),
                name="accounts_user_unique_email_per_commune",
            ),
        ]

    @property
    def is_citizen(self) -> bool:
        return self.site_id is not None

    @property
    def is_validated(self) -> bool:
        return self.status == AccountStatus.VALIDATED

    @cached_property
    def certified_identity(self) -> "IdentityLink | None":
        """The identity FranceConnect certified for this account, if linked."""
        if self.pk is None:
            return None
        return self.identity_links.filter(provider="franceconnect").first()

    @property
    def can_modify_account(self) -> bool:
        """Citizens may change their account only once the town hall has
        validated it (seed FAQ: "Puis-je effectuer des démarches si mon compte
        n'est pas encore validé ?")."""
        return self.is_validated

    def check_password(self, raw_password, *, count_failure=True):
        """A wrong password typed while serving a request (the current
        password asked by a form, on the portal or in the admin) counts as a
        failed login, so that every form taking a password goes through the
        limits on guessing (``accounts.lockout``). The authentication
        backends pass ``count_failure=False``: ``authenticate()`` counts
        their failures itself."""
        valid = super().check_password(raw_password)
        if not valid and count_failure:
            from .lockout import password_failed

            if (request := current_request.get()) is not None:
                password_failed(request, username=self.get_username())
        return valid

    def save(self, *args, **kwargs):
        """A new password ends the user's other sessions (``accounts.sessions``)."""
        password_changed = self._password is not None and self.pk is not None
        super().save(*args, **kwargs)
        if password_changed:
            from .sessions import sessions_end_others

            sessions_end_others(self)


class UserSession(models.Model):
    """A session in which a user is logged in, so that a new password can end
    them all, whatever the session engine (database rows, or cache entries
    that cannot be searched by user)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self):
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"


class Relationship(models.TextChoices):
    SPOUSE = "spouse", _("Spouse or partner")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    OTHER = "other", _("Other")


ADULT_AGE = 18


class HouseholdMember(models.Model):
    """A person of the account holder's household, for whom démarches are made."""

    site = models.ForeignKey(
        "wagtailcore.Site", verbose_name=_("commune"), on_delete=models.CASCADE, related_name="+"
    )
    account = models.ForeignKey(
        User,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="household_members",
    )
    first_name = models.CharField(_("first name"), max_length=150)
    last_name = models.CharField(_("last name"), max_length=150)
    birth_date = models.DateField(_("date of birth"))
    relationship = models.CharField(
        _("relationship to the account holder"), max_length=10, choices=Relationship.choices
    )
    created_at = models.DateTimeField(_("added on"), auto_now_add=True)

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        ordering = ["birth_date", "pk"]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def is_child(self) -> bool:
        today = date.today()
        age = today.year - self.birth_date.year
        if (today.month, today.day) < (self.birth_date.month, self.birth_date.day):
            age -= 1
        return age < ADULT_AGE


class CitizenAccount(User):
    """Citizen accounts as the town hall's agents see them in the admin."""

    class Meta:
        proxy = True
        verbose_name = _("citizen account")
        verbose_name_plural = _("citizen accounts")


class Captcha(models.TextChoices):
    """The anti-robot check of the commune's citizen forms (see accounts.captcha)."""

    ALTCHA = "altcha", _("Self-hosted (ALTCHA)")
    RECAPTCHA_V2 = "recaptcha_v2", _("Google reCAPTCHA v2")
    RECAPTCHA_V3 = "recaptcha_v3", _("Google reCAPTCHA v3")


class FranceConnectEnvironment(models.TextChoices):
    INTEGRATION = "integration", _("Integration (FranceConnect's test platform)")
    PRODUCTION = "production", _("Production")
    CUSTOM = "custom", _("Another provider (a local test provider)")


class AccountSettingsForm(WagtailAdminModelForm):
    """The admin form of the accounts' settings.

    The secrets (the reCAPTCHA secret key, FranceConnect's client secret) are
    never sent back to the browser (their widgets do not render the stored
    value), so an empty field means "keep the saved one".
    """

    SECRETS = ("recaptcha_private_key", "franceconnect_client_secret")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.SECRETS:
            field = self.fields.get(name)
            if field is not None and getattr(self.instance, name):
                field.help_text = RECAPTCHA_SECRET_KEY_SAVED

    def save(self, commit=True):
        """Saving this form, whose first field is the anti-robot check, is the
        commune's choice of its check, the default one included (the setup
        checklist, ``cms.checklist``)."""
        if self.instance.captcha_confirmed_at is None or "captcha" in self.changed_data:
            self.instance.captcha_confirmed_at = timezone.now()
        return super().save(commit=commit)

    def clean_recaptcha_private_key(self):
        return self.cleaned_data["recaptcha_private_key"] or self.instance.recaptcha_private_key

    def clean_franceconnect_client_secret(self):
        return (
            self.cleaned_data["franceconnect_client_secret"]
            or self.instance.franceconnect_client_secret
        )


@register_setting(icon="user")
class AccountSettings(CachedSiteSetting, BaseSiteSetting):
    """How the commune's citizen forms tell people from robots: one row per
    Wagtail Site."""

    captcha = models.CharField(
        _("anti-robot check"),
        max_length=20,
        choices=Captcha.choices,
        default=Captcha.ALTCHA,
        help_text=_(
            "Check of the registration form against robots. The self-hosted check "
            "sends nothing to anyone; Google reCAPTCHA sends data about each visitor "
            "to Google."
        ),
    )
    captcha_confirmed_at = models.DateTimeField(
        _("anti-robot check chosen on"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When someone of the commune last saved its choice of anti-robot check."),
    )
    recaptcha_public_key = models.CharField(
        _("reCAPTCHA site key"),
        max_length=100,
        blank=True,
        help_text=_("Public key that Google gives for this portal's domain."),
    )
    recaptcha_private_key = models.CharField(
        _("reCAPTCHA secret key"),
        max_length=100,
        blank=True,
        help_text=_("Secret key that Google gives with the site key."),
    )
    recaptcha_score_threshold = models.FloatField(
        _("reCAPTCHA v3 minimum score"),
        default=0.5,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=_(
            "reCAPTCHA v3 only: from 0 (surely a robot) to 1 (surely a person). "
            "Visitors with a lower score are refused; Google advises 0.5."
        ),
    )

    franceconnect_enabled = models.BooleanField(
        _("offer FranceConnect"),
        default=False,
        help_text=_(
            "Citizens may then log in and create their account with FranceConnect, "
            "which certifies their identity."
        ),
    )
    franceconnect_environment = models.CharField(
        _("FranceConnect environment"),
        max_length=20,
        choices=FranceConnectEnvironment.choices,
        default=FranceConnectEnvironment.INTEGRATION,
        help_text=_("FranceConnect v2: its test platform, or the real one."),
    )
    franceconnect_issuer = models.URLField(
        _("address of another provider"),
        blank=True,
        help_text=_(
            "Only with “Another provider”: the address of an OpenID Connect provider "
            "to use instead of FranceConnect, such as the demo's local provider."
        ),
    )
    franceconnect_client_id = models.CharField(
        _("FranceConnect client identifier"), max_length=200, blank=True
    )
    franceconnect_client_secret = models.CharField(
        _("FranceConnect client secret"),
        max_length=200,
        blank=True,
        help_text=_("Given by FranceConnect with the client identifier."),
    )
    franceconnect_validates_accounts = models.BooleanField(
        _("validate FranceConnect accounts at once"),
        default=False,
        help_text=_(
            "An account created with FranceConnect, or awaiting validation and then linked "
            "to FranceConnect, needs no validation by the town hall: its identity is "
            "certified."
        ),
    )

    base_form_class = AccountSettingsForm

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("captcha"),
                FieldPanel("recaptcha_public_key"),
                FieldPanel(
                    "recaptcha_private_key",
                    widget=forms.PasswordInput(
                        render_value=False, attrs={"autocomplete": "new-password"}
                    ),
                ),
                FieldPanel("recaptcha_score_threshold"),
            ],
            heading=_("Captcha"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("franceconnect_enabled"),
                FieldPanel("franceconnect_environment"),
                FieldPanel("franceconnect_issuer"),
                FieldPanel("franceconnect_client_id"),
                FieldPanel(
                    "franceconnect_client_secret",
                    widget=forms.PasswordInput(
                        render_value=False, attrs={"autocomplete": "new-password"}
                    ),
                ),
                FieldPanel("franceconnect_validates_accounts"),
            ],
            heading=_("FranceConnect"),
        ),
    ]

    class Meta:
        verbose_name = _("citizen accounts")
        verbose_name_plural = _("citizen accounts")

    def __str__(self):
        return str(self.site)

    def clean(self):
        errors = {}
        if self.captcha != Captcha.ALTCHA:
            errors.update(
                {
                    field: ValidationError(RECAPTCHA_KEYS_MISSING, code="recaptcha_keys_missing")
                    for field in ("recaptcha_public_key", "recaptcha_private_key")
                    if not getattr(self, field).strip()
                }
            )
        if self.franceconnect_enabled:
            errors.update(
                {
                    field: ValidationError(FRANCECONNECT_INCOMPLETE, code="franceconnect_client")
                    for field in ("franceconnect_client_id", "franceconnect_client_secret")
                    if not getattr(self, field).strip()
                }
            )
            if (
                self.franceconnect_environment == FranceConnectEnvironment.CUSTOM
                and not self.franceconnect_issuer
            ):
                errors["franceconnect_issuer"] = ValidationError(
                    FRANCECONNECT_ISSUER_MISSING, code="franceconnect_issuer"
                )
        if errors:
            raise ValidationError(errors)

    @property
    def offers_franceconnect(self) -> bool:
        return self.franceconnect_enabled and bool(self.franceconnect_client_id)


class IdentityLink(models.Model):
    """A citizen account's link to an identity certified by a provider
    (FranceConnect): the provider's subject, and the pivot identity it
    certified when the citizen last signed in with it. The account's names
    and date of birth are then those of this identity, and locked."""

    site = models.ForeignKey(
        "wagtailcore.Site", verbose_name=_("commune"), on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        User,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="identity_links",
    )
    provider = models.CharField(_("identity provider"), max_length=40)
    subject = models.CharField(
        _("subject"),
        max_length=255,
        help_text=_("The provider's identifier of the person, for this commune's client."),
    )
    given_name = models.CharField(_("first names"), max_length=255)
    family_name = models.CharField(_("birth name"), max_length=255)
    birthdate = models.DateField(_("date of birth"), null=True, blank=True)
    birthplace = models.CharField(_("place of birth (INSEE code)"), max_length=10, blank=True)
    birthcountry = models.CharField(_("country of birth (INSEE code)"), max_length=10, blank=True)
    gender = models.CharField(_("gender"), max_length=20, blank=True)
    acr = models.CharField(_("level of guarantee"), max_length=20, blank=True)
    linked_at = models.DateTimeField(_("linked on"), auto_now_add=True)
    signed_in_at = models.DateTimeField(_("last signed in with it on"), null=True, blank=True)

    class Meta:
        verbose_name = _("certified identity")
        verbose_name_plural = _("certified identities")
        constraints = [
            models.UniqueConstraint(
                "site", "provider", "subject", name="accounts_identitylink_unique_subject"
            ),
            models.UniqueConstraint(
                "user", "provider", name="accounts_identitylink_one_per_provider"
            ),
        ]

    def __str__(self):
        return f"{self.provider}: {self.given_name} {self.family_name}"


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    EXPIRED = "expired", _("Expired")
    ACCEPTED = "accepted", _("Accepted")
    REVOKED = "revoked", pgettext_lazy("invitation", "Revoked")


class StaffInvitation(models.Model):
    """An invitation e-mailed to a person to join groups of the staff.

    The link carries a random token of which only a hash is stored. It
    works for ``accounts.invitations.INVITATION_DAYS`` days, until the person
    has set up their second factor (the invitation is then accepted) or the
    invitation is revoked. ``user`` is the staff account the invitation
    opens: an existing one with the same e-mail address, or the one the
    person creates by choosing their password (``created_account``).
    """

    site = models.ForeignKey(
        "wagtailcore.Site",
        verbose_name=_("commune"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("The commune whose groups the person joins; empty for the platform's."),
    )
    first_name = models.CharField(_("first name"), max_length=150)
    last_name = models.CharField(_("last name"), max_length=150)
    email = models.EmailField(_("e-mail address"))
    username = models.CharField(_("identifier"), max_length=150)
    groups = models.ManyToManyField(
        "auth.Group", verbose_name=_("groups"), related_name="staff_invitations"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff_invitations",
    )
    created_account = models.BooleanField(default=False)
    created_at = models.DateTimeField(_("invited on"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent on"))
    expires_at = models.DateTimeField(_("expires on"))
    accepted_at = models.DateTimeField(_("accepted on"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked on"), null=True, blank=True)

    class Meta:
        verbose_name = _("staff invitation")
        verbose_name_plural = _("staff invitations")
        ordering = ["-sent_at"]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def status(self) -> str:
        from django.utils import timezone

        if self.accepted_at:
            return InvitationStatus.ACCEPTED
        if self.revoked_at:
            return InvitationStatus.REVOKED
        if self.expires_at <= timezone.now():
            return InvitationStatus.EXPIRED
        return InvitationStatus.PENDING

    def get_status_display(self) -> str:
        return InvitationStatus(self.status).label


class PhoneVerification(models.Model):
    """A code sent by text message to prove a mobile number is the citizen's:
    kept hashed, valid ten minutes, a few attempts (``accounts.phone``)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="phone_verification",
    )
    phone = models.CharField(_("number"), max_length=20)
    code_hash = models.CharField(_("code (hashed)"), max_length=128)
    sent_at = models.DateTimeField(_("sent on"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    #: Codes sent in the current hour, and when that hour started.
    sends = models.PositiveSmallIntegerField(_("codes sent"), default=0)
    sends_since = models.DateTimeField(_("codes counted since"))

    class Meta:
        verbose_name = _("phone verification")
        verbose_name_plural = _("phone verifications")

    def __str__(self):
        return f"{self.user_id} …{self.phone[-2:]}"
