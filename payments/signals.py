"""What payments tell the apps above them, which ``payments`` never imports
(``docs/architecture.md``): they connect their receivers when Django loads
them, as ``accounts`` does with ``account_erasing``."""

import logging

import django.dispatch

logger = logging.getLogger(__name__)

#: Invoices were paid online: sent once per payment, after its database
#: transaction has committed, never again for a duplicate or late
#: notification of the same payment. Keyword arguments: ``invoice_ids``, the
#: primary keys of the invoices credited (an invoice that was no longer to
#: pay is not among them), and ``transaction_id``, the ``Transaction``'s.
#: The sender is ``payments.models.Invoice``.
invoice_paid = django.dispatch.Signal()


def invoice_paid_send(*, sender, invoice_ids: list[int], transaction_id: int) -> None:
    """Tell the receivers, each on its own: one that fails is logged and
    neither stops the others nor undoes the payment."""
    responses = invoice_paid.send_robust(
        sender=sender, invoice_ids=invoice_ids, transaction_id=transaction_id
    )
    for receiver, response in responses:
        if isinstance(response, Exception):
            logger.exception(
                "A receiver of invoice_paid failed (%r, transaction %s, invoices %s)",
                receiver,
                transaction_id,
                invoice_ids,
                exc_info=response,
            )
