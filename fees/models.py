from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.fields import StreamField

from .blocks import PriceLineBlock


class PaymentTime(models.TextChoices):
    SUBMISSION = "submission", _("When the request is sent: it reaches the town hall once paid")
    REQUEST = "request", _("When the workflow asks for it (action “Ask for a payment”)")


class DemarcheFee(models.Model):
    """What a démarche costs: its price lines, the régie that collects the
    money, and when the citizen pays."""

    site = models.ForeignKey(
        "wagtailcore.Site", verbose_name=_("commune"), on_delete=models.CASCADE, related_name="+"
    )
    page = models.OneToOneField(
        "services.ServicePage",
        verbose_name=_("online procedure"),
        on_delete=models.CASCADE,
        related_name="fee",
    )
    regie = models.ForeignKey(
        "payments.Regie",
        verbose_name=_("régie"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The régie that collects the money, with its payment service."),
    )
    label = models.CharField(
        _("invoice label"),
        max_length=150,
        help_text=_("Shown on the invoice and in “My accounts”, e.g. “Salle des fêtes booking”."),
    )
    when = models.CharField(
        _("the citizen pays"),
        max_length=12,
        choices=PaymentTime.choices,
        default=PaymentTime.SUBMISSION,
    )
    pay_within_days = models.PositiveSmallIntegerField(
        _("days to pay"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_(
            "A request to pay at sending and still unpaid after these days is abandoned; "
            "its answers are kept."
        ),
    )
    lines = StreamField(
        [("line", PriceLineBlock())],
        verbose_name=_("price lines"),
        help_text=_("The price is the total of the lines that apply to the answers."),
    )

    class Meta:
        verbose_name = _("price of a démarche")
        verbose_name_plural = _("prices of démarches")
        ordering = ["page__title"]

    def __str__(self):
        return self.label

    @property
    def raw_lines(self) -> list[dict]:
        """The price lines as plain dicts (``fees.pricing`` reads them), each
        choice's price unwrapped from its list item."""
        return [raw_line(raw.get("value") or {}) for raw in self.lines.raw_data]


def raw_line(value: dict) -> dict:
    line = dict(value)
    line["choice_prices"] = [
        dict(item.get("value") or {}) if "value" in item and "type" in item else dict(item)
        for item in line.get("choice_prices") or []
    ]
    return line


class RequestPaymentKind(models.TextChoices):
    SUBMISSION = "submission", _("At sending")
    REQUEST = "request", _("Asked by the town hall")


class RequestPayment(models.Model):
    """An amount a request asks its citizen to pay: its invoice, what it
    pays for, and where the request goes once paid."""

    submission = models.ForeignKey(
        "services.Submission",
        verbose_name=_("request"),
        on_delete=models.CASCADE,
        related_name="payments",
    )
    invoice = models.OneToOneField(
        "payments.Invoice",
        verbose_name=_("invoice"),
        on_delete=models.PROTECT,
        related_name="request_payment",
    )
    kind = models.CharField(_("asked"), max_length=12, choices=RequestPaymentKind.choices)
    lines = models.JSONField(
        _("price lines"),
        default=list,
        blank=True,
        help_text=_("Label, quantity, unit price and amount of each line, as computed."),
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    status_change = models.ForeignKey(
        "services.StatusChange",
        verbose_name=_("asked by the status change"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    paid_to = models.CharField(
        _("once paid, goes to the status"),
        max_length=40,
        blank=True,
        help_text=_("Empty: a request paid at sending enters its workflow's first status."),
    )
    settled_at = models.DateTimeField(
        _("taken into account on"),
        null=True,
        blank=True,
        help_text=_("When its payment moved the request on, once."),
    )
    created_at = models.DateTimeField(_("asked on"), auto_now_add=True)

    class Meta:
        verbose_name = _("request payment")
        verbose_name_plural = _("request payments")
        ordering = ["created_at", "pk"]
        constraints = [
            # One amount per status change that asks for it, whatever the retries.
            models.UniqueConstraint(
                "status_change",
                condition=Q(status_change__isnull=False),
                name="fees_one_payment_per_status_change",
            ),
            models.UniqueConstraint(
                "submission",
                condition=Q(kind="submission"),
                name="fees_one_payment_at_sending",
            ),
        ]

    def __str__(self):
        return str(self.invoice)
