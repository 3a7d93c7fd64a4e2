"""Signals other apps connect to, so that accounts never imports them."""

from django.dispatch import Signal

#: Sent before a citizen account is erased, with ``account``: apps that keep
#: records the commune must retain anonymise them here.
account_erasing = Signal()
