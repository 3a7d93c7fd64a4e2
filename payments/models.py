import uuid
from decimal import Decimal

from django.conf import settings
from django.core.files.storage import storages
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 10, "decimal_places": 2}


def private_storage():
    """Invoice PDFs are personal: they are kept out of the public media
    folder, with the citizens' documents (the "private" storage: local files,
    or the private bucket in production), and served only through a view
    that checks who asks."""
    return storages["private"]


def invoice_pdf_path(instance, filename):
    return f"invoices/{instance.site_id}/{uuid.uuid4().hex}.pdf"


class Regie(models.Model):
    """A commune's collection office ("Ville", "CCAS"...), which collects the
    payments of its own invoices through its own payment backend.

    ``backend`` names a plugin of ``payments.backends.registry`` and
    ``backend_options`` holds that plugin's settings (customer number, keys...).
    """

    site = models.ForeignKey(
        "wagtailcore.Site", verbose_name=_("commune"), on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(
        _("name"), max_length=80, help_text=_("As citizens know it: “Ville”, “CCAS”…")
    )
    public_id = models.UUIDField(_("public identifier"), default=uuid.uuid4, unique=True)
    backend = models.CharField(_("payment backend"), max_length=40)
    backend_options = models.JSONField(_("payment backend settings"), default=dict, blank=True)
    is_active = models.BooleanField(
        _("online payment open"),
        default=True,
        help_text=_("When closed, citizens see this régie's invoices but cannot pay them online."),
    )
    api_token_hash = models.CharField(max_length=64, blank=True, editable=False)
    api_token_created_at = models.DateTimeField(
        _("invoice push token created on"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("régie")
        verbose_name_plural = _("régies")
        ordering = ["site__site_name", "name"]
        constraints = [
            models.UniqueConstraint("site", "name", name="payments_regie_unique_name_per_commune")
        ]

    def __str__(self):
        return self.name

    @property
    def plugin(self):
        from .backends import registry

        return registry[self.backend]


class InvoiceDomain(models.TextChoices):
    SCHOOL = "school", _("School")
    AFTER_SCHOOL = "after_school", _("After-school")
    EARLY_CHILDHOOD = "early_childhood", _("Early childhood")
    CCAS = "ccas", _("Social services (CCAS)")
    DEMARCHE = "demarche", _("Online procedures")


class InvoiceStatus(models.TextChoices):
    TO_PAY = "to_pay", _("To pay")
    PAID_ONLINE = "paid_online", _("Paid online")
    PAID_ELSEWHERE = "paid_elsewhere", _("Paid by other means")
    CANCELLED = "cancelled", _("Cancelled")


PAID_STATUSES = (InvoiceStatus.PAID_ONLINE, InvoiceStatus.PAID_ELSEWHERE)


class Invoice(models.Model):
    """An invoice from the commune's billing software, addressed to a
    household (the citizen account that holds it) or to nobody with an
    account, who pays it with its number and the key printed on it."""

    site = models.ForeignKey(
        "wagtailcore.Site", verbose_name=_("commune"), on_delete=models.CASCADE, related_name="+"
    )
    regie = models.ForeignKey(
        Regie, verbose_name=_("régie"), on_delete=models.PROTECT, related_name="invoices"
    )
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invoices",
        help_text=_("The citizen account of the household billed; empty if it has none."),
    )
    payer_name = models.CharField(_("billed to"), max_length=150, blank=True)
    domain = models.CharField(_("domain"), max_length=20, choices=InvoiceDomain.choices)
    number = models.CharField(_("invoice number"), max_length=40)
    label = models.CharField(_("label"), max_length=200)
    amount = models.DecimalField(
        _("amount"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    issued_on = models.DateField(_("issue date"))
    due_on = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=InvoiceStatus.choices,
        default=InvoiceStatus.TO_PAY,
        db_index=True,
    )
    paid_at = models.DateTimeField(_("paid on"), null=True, blank=True)
    payment_key = models.CharField(
        _("payment key"),
        max_length=32,
        help_text=_("Printed on the paper invoice: with the number, it lets anyone pay it."),
    )
    pdf = models.FileField(
        _("PDF"), storage=private_storage, upload_to=invoice_pdf_path, blank=True
    )
    cancel_reason = models.TextField(
        _("reason for cancelling"), blank=True, help_text=_("Why it was cancelled.")
    )
    refund_reason = models.TextField(
        _("reason for refunding"), blank=True, help_text=_("Why the amount paid is given back.")
    )
    refund_due_since = models.DateTimeField(
        _("to refund since"),
        null=True,
        blank=True,
        help_text=_(
            "A paid invoice whose money must be given back, such as a paid request the town "
            "hall refused."
        ),
    )
    refunded_at = models.DateTimeField(_("refunded on"), null=True, blank=True)
    refunded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("refund recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("imported on"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated on"), auto_now=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                "regie", "number", name="payments_invoice_unique_number_per_regie"
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="payments_invoice_amount_positive"
            ),
        ]
        indexes = [models.Index(fields=["site", "account", "status"])]

    def __str__(self):
        return f"{self.number} – {self.label}"

    @property
    def is_payable(self) -> bool:
        return self.status == InvoiceStatus.TO_PAY

    @property
    def refund_pending(self) -> bool:
        """Its money is to be given back, and nobody has recorded doing it yet."""
        return self.refund_due_since is not None and self.refunded_at is None


class Cart(models.Model):
    """A household's cart: invoices of one régie, kept in the database so
    that it survives logging out."""

    site = models.ForeignKey(
        "wagtailcore.Site", verbose_name=_("commune"), on_delete=models.CASCADE, related_name="+"
    )
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("household"),
        on_delete=models.CASCADE,
        related_name="payment_cart",
    )
    regie = models.ForeignKey(
        Regie, verbose_name=_("régie"), null=True, blank=True, on_delete=models.SET_NULL
    )
    updated_at = models.DateTimeField(_("updated on"), auto_now=True)

    class Meta:
        verbose_name = _("cart")
        verbose_name_plural = _("carts")

    def __str__(self):
        return str(self.account)


class CartItem(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="items")
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            # An invoice sits in one cart at most, once.
            models.UniqueConstraint("invoice", name="payments_cartitem_unique_invoice")
        ]

    def __str__(self):
        return str(self.invoice)


class TransactionStatus(models.TextChoices):
    CREATED = "created", _("Started")
    WAITING = "waiting", _("Being checked")
    PAID = "paid", _("Paid")
    REFUSED = "refused", _("Refused")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")
    ERROR = "error", _("Error")


#: A transaction in one of these may still become paid.
OPEN_STATUSES = (TransactionStatus.CREATED, TransactionStatus.WAITING)


class Transaction(models.Model):
    """One attempt to pay invoices of one régie at its payment backend.

    ``order_id`` is our reference, given to the backend and printed on the
    receipt; ``bank_order_id`` is how the backend names the operation (PayFiP's
    ``idOp``...). Every message about it is kept as a ``TransactionEvent``.
    """

    site = models.ForeignKey(
        "wagtailcore.Site", verbose_name=_("commune"), on_delete=models.CASCADE, related_name="+"
    )
    regie = models.ForeignKey(
        Regie, verbose_name=_("régie"), on_delete=models.PROTECT, related_name="transactions"
    )
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="payment_transactions",
        help_text=_("Empty when paid without an account."),
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    order_id = models.CharField(_("order number"), max_length=30, unique=True)
    email = models.EmailField(_("receipt e-mailed to"))
    payer_name = models.CharField(_("payer"), max_length=150, blank=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    backend = models.CharField(_("payment backend"), max_length=40)
    test_mode = models.BooleanField(_("test mode"), default=False)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=TransactionStatus.choices,
        default=TransactionStatus.CREATED,
        db_index=True,
    )
    bank_order_id = models.CharField(_("bank operation"), max_length=100, blank=True)
    bank_url = models.URLField(
        _("bank's payment page"),
        max_length=500,
        blank=True,
        help_text=_(
            "Where the citizen pays this operation at the bank, when its page may be opened "
            "again (a second “Pay” of the same invoices goes back to it)."
        ),
    )
    bank_transaction_id = models.CharField(_("bank reference"), max_length=200, blank=True)
    bank_status = models.CharField(_("bank's message"), max_length=255, blank=True)
    anomaly = models.TextField(
        _("anomaly"),
        blank=True,
        help_text=_("What an agent must look at, such as an invoice paid twice, to refund."),
    )
    created_at = models.DateTimeField(_("started on"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated on"), auto_now=True)
    paid_at = models.DateTimeField(_("paid on"), null=True, blank=True, db_index=True)
    receipt_sent_at = models.DateTimeField(_("receipt sent on"), null=True, blank=True)
    invoices = models.ManyToManyField(
        Invoice, through="TransactionLine", related_name="transactions", verbose_name=_("invoices")
    )

    class Meta:
        verbose_name = _("transaction")
        verbose_name_plural = _("transactions")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                "regie",
                "bank_order_id",
                condition=~Q(bank_order_id=""),
                name="payments_transaction_unique_bank_order_per_regie",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="payments_transaction_amount_positive"
            ),
        ]

    def __str__(self):
        return self.order_id

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_paid(self) -> bool:
        return self.status == TransactionStatus.PAID


class TransactionLine(models.Model):
    """An invoice of a transaction. ``credited`` is set on the one line through
    which the invoice was paid: a unique constraint makes sure that no invoice
    is ever credited twice, whatever happens concurrently."""

    transaction = models.ForeignKey(Transaction, on_delete=models.CASCADE, related_name="lines")
    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    credited = models.BooleanField(_("credited"), default=False)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint("transaction", "invoice", name="payments_line_unique_invoice"),
            models.UniqueConstraint(
                "invoice",
                condition=Q(credited=True),
                name="payments_line_invoice_credited_once",
            ),
        ]

    def __str__(self):
        return f"{self.transaction} – {self.invoice}"


class EventSource(models.TextChoices):
    START = "start", _("Payment started")
    RETURN = "return", _("Citizen's return from the bank")
    NOTIFICATION = "notification", _("Notification from the bank")
    STATUS_CHECK = "status_check", _("Status asked to the bank")


class EventOutcome(models.TextChoices):
    APPLIED = "applied", _("Applied")
    UNCHANGED = "unchanged", _("No change")
    DUPLICATE = "duplicate", _("Already taken into account")
    UNVERIFIED = "unverified", _("Refused: not verified by the bank")
    UNKNOWN_ORDER = "unknown_order", _("Refused: unknown order")
    AMOUNT_MISMATCH = "amount_mismatch", _("Refused: amount differs")
    MODE_MISMATCH = "mode_mismatch", _("Refused: test or production mode differs")
    ERROR = "error", _("Error")


class TransactionEvent(models.Model):
    """A message received about a transaction, kept whatever its fate: the
    audit trail of every notification, return and status check, including
    forged ones (then ``transaction`` may be empty)."""

    regie = models.ForeignKey(
        Regie, verbose_name=_("régie"), null=True, on_delete=models.CASCADE, related_name="+"
    )
    transaction = models.ForeignKey(
        Transaction,
        verbose_name=_("transaction"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
    )
    received_at = models.DateTimeField(_("received on"), auto_now_add=True)
    source = models.CharField(_("source"), max_length=20, choices=EventSource.choices)
    remote_address = models.GenericIPAddressField(_("sent from"), null=True, blank=True)
    payload = models.TextField(_("message received"), blank=True)
    verified = models.BooleanField(_("verified"), default=False)
    reported_status = models.CharField(
        _("status reported"), max_length=20, choices=TransactionStatus.choices, blank=True
    )
    reported_amount = models.DecimalField(_("amount reported"), **MONEY, null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=EventOutcome.choices)
    detail = models.TextField(_("detail"), blank=True)

    class Meta:
        verbose_name = _("transaction event")
        verbose_name_plural = _("transaction events")
        ordering = ["received_at", "pk"]

    def __str__(self):
        return f"{self.get_source_display()} – {self.get_outcome_display()}"


class LocalBankOperation(models.Model):
    """An operation at the local test bank (``payments.backends.testbank``):
    what the bank knows, so that it can be asked for a payment's status."""

    regie = models.ForeignKey(Regie, on_delete=models.CASCADE, related_name="+")
    bank_order_id = models.CharField(max_length=40, unique=True)
    order_id = models.CharField(max_length=30)
    amount = models.DecimalField(**MONEY)
    subject = models.CharField(max_length=200, blank=True)
    return_url = models.URLField(max_length=500)
    notification_url = models.URLField(max_length=500)
    status = models.CharField(
        max_length=20, choices=TransactionStatus.choices, default=TransactionStatus.WAITING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("test bank operation")
        verbose_name_plural = _("test bank operations")

    def __str__(self):
        return self.bank_order_id
