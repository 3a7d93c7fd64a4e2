"""What can go wrong with a payment, as a small hierarchy that views turn into
a message for the citizen in one place (``payments.views.payment_errors``)."""


class PaymentError(Exception):
    """A payment step refused for a reason the citizen or the agent can read."""


class CartError(PaymentError):
    """The cart refuses a change."""


class UnableToTakePayment(PaymentError):
    """The payment cannot start: nothing left to pay, amount out of the
    backend's limits, a payment of the same invoices already under way."""


class PaymentUnderWay(UnableToTakePayment):
    """Another payment of the same invoices is waiting for the bank's answer
    (``transaction``), and cannot be resumed."""

    def __init__(self, message, *, transaction):
        super().__init__(message)
        self.transaction = transaction


class GatewayError(PaymentError):
    """The payment backend could not be reached or answered nonsense; trying
    again later may work."""


class InvalidNotification(PaymentError):
    """A message claiming to come from the bank that cannot be verified."""


class InvoiceImportError(PaymentError):
    """An invoice file or push refused as a whole; ``errors`` lists each
    rejected row as ``(line, reason)``."""

    def __init__(self, errors: list[tuple[int, str]]):
        self.errors = errors
        super().__init__("; ".join(f"{line}: {reason}" for line, reason in errors))


class InvoiceChangeRefused(PaymentError):
    """An invoice cannot change as asked: cancelled while a payment of it is
    under way at the bank, a refund recorded that is not due..."""
