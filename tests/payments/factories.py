from datetime import date, timedelta
from decimal import Decimal
from itertools import count

from django.utils import timezone

from payments.models import Invoice, InvoiceDomain, InvoiceStatus, Regie

_numbers = count(1)


def regie(site, name="Ville", backend="testbank", options=None, **extra):
    return Regie.objects.create(
        site=site, name=name, backend=backend, backend_options=options or {}, **extra
    )


def invoice(
    regie,
    account=None,
    *,
    number=None,
    amount="12.50",
    status=InvoiceStatus.TO_PAY,
    paid_at=None,
    key=None,
    domain=InvoiceDomain.SCHOOL,
    label="Restauration scolaire",
    issued_on=None,
):
    serial = next(_numbers)
    issued_on = issued_on or date.today() - timedelta(days=10)
    if status != InvoiceStatus.TO_PAY and paid_at is None:
        paid_at = timezone.now() - timedelta(days=5)
    return Invoice.objects.create(
        site_id=regie.site_id,
        regie=regie,
        account=account,
        number=number or f"FAC-{serial:05d}",
        label=label,
        domain=domain,
        amount=Decimal(amount),
        issued_on=issued_on,
        due_on=issued_on + timedelta(days=30),
        status=status,
        paid_at=paid_at,
        payment_key=key or f"KEY{serial:05d}",
        payer_name=account.get_full_name() if account else "Famille Durand",
    )
