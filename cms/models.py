import re

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import JSONObject
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField
from wagtail.images import get_image_model
from wagtail.models.audit_log import BaseLogEntry, BaseLogEntryManager

from cms.blocks import ClosuresBlock, OpeningHoursBlock
from cms.cache import CachedSiteSetting
from cms.sms import registry
from cms.sms.forms import SmsSettingsForm, option_field_names

HEX_COLOUR = RegexValidator(
    re.compile(r"^#[0-9a-fA-F]{6}$"),
    _("Enter a colour as #RRGGBB, for example #1d4f91."),
)
COLOUR_CONTRAST_TOO_LOW = _(
    "White text on this colour is not readable enough (contrast %(ratio).1f:1, "
    "at least 4.5:1 is needed). Choose a darker colour."
)
MIN_CONTRAST = 4.5
LOGO_HEIGHT = 56
"""The logo's height in the layout, in CSS pixels (``.brand__logo``: 3.5rem)."""
LOGO_FILTERS = {density: f"height-{LOGO_HEIGHT * density}" for density in (1, 2, 3)}
"""The logo's renditions the layout offers, by pixel density: sharp on screens
of up to three device pixels per CSS pixel (``cms.templatetags.portal``)."""


class LegalBasis(models.TextChoices):
    """The lawful bases of GDPR article 6(1) a commune may rely on."""

    PUBLIC_TASK = "public_task", _("Task carried out in the public interest (art. 6(1)(e))")
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation (art. 6(1)(c))")
    CONTRACT = "contract", _("Performance of a contract (art. 6(1)(b))")
    CONSENT = "consent", _("Consent (art. 6(1)(a))")
    VITAL_INTERESTS = "vital_interests", _("Vital interests (art. 6(1)(d))")
    LEGITIMATE_INTERESTS = "legitimate_interests", _("Legitimate interests (art. 6(1)(f))")


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2.1 relative luminance of a #RRGGBB colour."""
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_with_white(hex_colour: str) -> float:
    return 1.05 / (relative_luminance(hex_colour) + 0.05)


@register_setting(icon="home")
class CommuneSettings(CachedSiteSetting, BaseSiteSetting):
    """Who the commune is and how its portal looks: one row per Wagtail Site."""

    official_name = models.CharField(
        _("official name"),
        max_length=120,
        help_text=_("As it is written, with its accents and hyphens."),
    )
    phrase = models.CharField(
        _("name in a sentence"),
        max_length=160,
        help_text=_("Used in texts: “la mairie de Carvin”."),
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    primary_colour = models.CharField(
        _("main colour"),
        max_length=7,
        default="#1d4f91",
        validators=[HEX_COLOUR],
        help_text=_("Background of the header and buttons, under white text."),
    )
    accent_colour = models.CharField(
        _("accent colour"),
        max_length=7,
        default="#8a1538",
        validators=[HEX_COLOUR],
        help_text=_("Highlighted elements, under white text."),
    )
    address_lines = models.TextField(
        _("postal address"),
        blank=True,
        help_text=_("Recipient, number and street: one line per address line."),
    )
    postcode = models.CharField(_("postcode"), max_length=5, blank=True)
    city = models.CharField(_("town"), max_length=120, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    email_sender = models.EmailField(
        _("e-mail sender"),
        blank=True,
        help_text=_("Address the e-mails to citizens are sent from."),
    )

    dpo_name = models.CharField(
        _("data protection officer"),
        max_length=150,
        blank=True,
        help_text=_(
            "Name (or service) of the commune's data protection officer (DPO), "
            "shown in the register of processing activities and to citizens."
        ),
    )
    dpo_email = models.EmailField(
        _("data protection officer's e-mail"),
        blank=True,
        help_text=_("Where citizens write to exercise their rights over their personal data."),
    )
    is_open = models.BooleanField(
        _("open to the public"),
        default=True,
        help_text=_(
            "A commune being set up is “en préparation”: only its staff reach its portal "
            "until the platform operator opens it."
        ),
    )
    opening_hours = StreamField(
        OpeningHoursBlock(),
        verbose_name=_("opening hours"),
        blank=True,
        help_text=_(
            "The town hall's usual hours, one entry per day it opens; a day not given is closed."
        ),
    )
    closures = StreamField(
        ClosuresBlock(),
        verbose_name=_("exceptional closures"),
        blank=True,
        help_text=_(
            "Days the town hall is closed although it usually opens (bank holiday bridges, "
            "works): announced on the home page from two months before."
        ),
    )
    panels = [
        MultiFieldPanel(
            [FieldPanel("official_name"), FieldPanel("phrase")],
            heading=_("Identity"),
        ),
        MultiFieldPanel(
            [FieldPanel("logo"), FieldPanel("primary_colour"), FieldPanel("accent_colour")],
            heading=_("Appearance"),
        ),
        MultiFieldPanel(
            [FieldPanel("address_lines"), FieldPanel("postcode"), FieldPanel("city")],
            heading=_("Postal address"),
        ),
        MultiFieldPanel(
            [FieldPanel("contact_email"), FieldPanel("contact_phone"), FieldPanel("email_sender")],
            heading=_("Contact"),
        ),
        MultiFieldPanel(
            [FieldPanel("opening_hours"), FieldPanel("closures")],
            heading=_("Opening hours"),
        ),
        MultiFieldPanel(
            [FieldPanel("dpo_name"), FieldPanel("dpo_email")],
            heading=_("Personal data"),
        ),
    ]

    select_related = ["logo"]

    @classmethod
    def base_queryset(cls):
        """With the logo's renditions that the layout shows, one per pixel
        density (``logo_rendition_1x``, ``_2x``...: its file, width and
        height, or ``None`` until it is made), read in the same query. A height
        does not depend on the image's focal point, hence the empty
        ``focal_point_key``."""
        renditions = get_image_model().get_rendition_model().objects

        def rendition(spec: str) -> Subquery:
            made = renditions.filter(
                image=OuterRef("logo_id"), filter_spec=spec, focal_point_key=""
            )
            return Subquery(
                made.values(rendition=JSONObject(file="file", width="width", height="height"))[:1]
            )

        return (
            super()
            .base_queryset()
            .annotate(
                **{
                    f"logo_rendition_{density}x": rendition(spec)
                    for density, spec in LOGO_FILTERS.items()
                }
            )
        )

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")

    def __str__(self):
        return self.official_name or str(self.site)

    def clean(self):
        errors = {}
        for field in ("primary_colour", "accent_colour"):
            value = getattr(self, field)
            if value and HEX_COLOUR.regex.match(value):
                ratio = contrast_with_white(value)
                if ratio < MIN_CONTRAST:
                    errors[field] = ValidationError(
                        COLOUR_CONTRAST_TOO_LOW, params={"ratio": ratio}
                    )
        if errors:
            raise ValidationError(errors)

    @property
    def postal_address(self) -> str:
        lines = [line.strip() for line in self.address_lines.splitlines() if line.strip()]
        locality = " ".join(part for part in (self.postcode, self.city) if part)
        return "\n".join([*lines, locality] if locality else lines)


class AuditLogEntryManager(BaseLogEntryManager):
    """Entries are kept per commune: each one records the commune of the
    object acted upon, and a user reads those of the communes where they hold
    ``view_auditlogentry`` (the supervisors, see ``cms.services``)."""

    def log_action(self, instance, action, **kwargs):
        site = kwargs.pop("site", None) or getattr(instance, "site", None)
        kwargs.update(object_id=str(instance.pk), site=site)
        return super().log_action(instance, action, **kwargs)

    def viewable_by_user(self, user):
        if user.is_superuser:
            return self.all()
        from .audit import READ_LOG, audit_policy
        from .tenancy import communes_for

        return self.filter(site__in=communes_for(user, audit_policy, READ_LOG))

    def for_instance(self, instance):
        return self.filter(
            content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
            object_id=str(instance.pk),
        )


class AuditLogEntry(BaseLogEntry):
    """What an agent did to an object of a commune: viewed, changed,
    exported, downloaded, decided."""

    object_id = models.CharField(max_length=255, db_index=True)
    site = models.ForeignKey(
        "wagtailcore.Site",
        verbose_name=_("commune"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )

    objects = AuditLogEntryManager()

    class Meta(BaseLogEntry.Meta):
        ordering = ["-timestamp", "-id"]
        verbose_name = _("agent action")
        verbose_name_plural = _("agent actions")
        indexes = [models.Index(fields=["site", "-timestamp"])]

    def __str__(self):
        return f"{self.action} {self.label} ({self.timestamp:%Y-%m-%d %H:%M})"


class ScheduledRun(models.Model):
    """One daily run of a scheduled job: the unique (job, day) pair makes
    several task workers enqueue it once (see ``cms.scheduling``)."""

    job = models.CharField(_("job"), max_length=120)
    day = models.DateField(_("day"))
    enqueued_at = models.DateTimeField(_("enqueued on"), auto_now_add=True)
    task_result_id = models.CharField(_("task"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        ordering = ["-day", "job"]
        constraints = [models.UniqueConstraint("job", "day", name="cms_one_run_per_job_and_day")]

    def __str__(self):
        return f"{self.job} {self.day:%Y-%m-%d}"


SMS_SENDER = RegexValidator(
    re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9]{3,11}$"),
    _(
        "Enter 3 to 11 letters or digits, without spaces or accents, with at least one "
        "letter (for example MAIRIE or Carvin)."
    ),
)


@register_setting(icon="mail")
class SmsSettings(BaseSiteSetting):
    """How the commune sends text messages: its provider and the provider's
    settings (``cms.sms``), the sender name and a monthly cap. No provider:
    no text messages, everyone is told by e-mail. The form that edits it
    (``cms.sms.forms``) never shows a secret setting back."""

    provider = models.CharField(
        _("SMS provider"),
        max_length=40,
        blank=True,
        help_text=_("Empty: the commune sends no text messages; citizens are told by e-mail."),
    )
    options = models.JSONField(_("provider settings"), default=dict, blank=True)
    sender = models.CharField(
        _("sender name"),
        max_length=11,
        blank=True,
        validators=[SMS_SENDER],
        help_text=_("What the phone shows as the sender: 3 to 11 letters or digits."),
    )
    monthly_cap = models.PositiveIntegerField(
        _("monthly cap"),
        default=1000,
        help_text=_(
            "The most text messages (SMS segments) sent in a month; beyond it, citizens are "
            "told by e-mail. The supervisors are warned by e-mail at 80%."
        ),
    )
    cap_warned_month = models.CharField(
        _("cap warning sent for"), max_length=7, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("text messages (SMS)")
        verbose_name_plural = _("text messages (SMS)")

    def __str__(self):
        return str(self._meta.verbose_name)

    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [FieldPanel("provider"), *[FieldPanel(name) for name in option_field_names()]],
                heading=_("Provider"),
            ),
            MultiFieldPanel(
                [FieldPanel("sender"), FieldPanel("monthly_cap")], heading=_("Sending")
            ),
        ],
        base_form_class=SmsSettingsForm,
    )

    @property
    def offered(self) -> bool:
        """Whether citizens may choose text messages: a provider with what it needs."""
        if not self.provider or self.provider not in registry or not self.sender:
            return False
        return not registry[self.provider].missing_options(self.options)


class SmsStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be sent")
    DEFERRED = "deferred", _("Deferred to the morning")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed: sent by e-mail")
    CAPPED = "capped", _("Monthly cap reached: sent by e-mail")


class SentSms(models.Model):
    """One text message to a citizen: when, what kind, what became of it.
    The number is kept only while the message waits; afterwards only its
    last two digits remain (``phone_hint``). The text holds a request number
    and a link at most."""

    site = models.ForeignKey(
        "wagtailcore.Site",
        verbose_name=_("commune"),
        on_delete=models.CASCADE,
        related_name="sent_sms",
    )
    created_at = models.DateTimeField(_("created on"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("sent on"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=20)
    status = models.CharField(
        _("status"), max_length=10, choices=SmsStatus.choices, default=SmsStatus.QUEUED
    )
    segments = models.PositiveSmallIntegerField(_("segments"), default=1)
    provider = models.CharField(_("provider"), max_length=40, blank=True)
    provider_message_id = models.CharField(_("provider's identifier"), max_length=100, blank=True)
    error = models.CharField(_("error"), max_length=200, blank=True)
    phone = models.CharField(_("number"), max_length=20, blank=True)
    phone_hint = models.CharField(_("number (end)"), max_length=20, blank=True)
    text = models.CharField(_("text"), max_length=480, blank=True)
    #: The e-mail sent instead if the message cannot go (``cms.emails`` keyword
    #: arguments); cleared once the message is sent or the e-mail is.
    fallback = models.JSONField(_("fallback e-mail"), null=True, blank=True)

    class Meta:
        verbose_name = _("text message")
        verbose_name_plural = _("text messages")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["site", "status", "created_at"])]

    def __str__(self):
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M} {self.status}"
