import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

HEX_COLOUR = RegexValidator(
    re.compile(r"^#[0-9a-fA-F]{6}$"),
    _("Enter a colour as #RRGGBB, for example #1d4f91."),
)
COLOUR_CONTRAST_TOO_LOW = _(
    "White text on this colour is not readable enough (contrast %(ratio).1f:1, "
    "at least 4.5:1 is needed). Choose a darker colour."
)
MIN_CONTRAST = 4.5


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2.1 relative luminance of a #RRGGBB colour."""
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_with_white(hex_colour: str) -> float:
    return 1.05 / (relative_luminance(hex_colour) + 0.05)


@register_setting(icon="home")
class CommuneSettings(BaseSiteSetting):
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
    ]

    select_related = ["logo"]

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
