"""Signals other apps connect to, so that accounts never imports them."""

from django.dispatch import Signal

#: Sent before a citizen account is erased, with ``account``: apps that keep
#: records the commune must retain anonymise them here.
account_erasing = Signal()


def cancel_inactivity_warning(sender, user, **kwargs):
    """Signing in keeps an account that was warned it would be deleted for
    inactivity (``accounts.retention``)."""
    if getattr(user, "inactivity_warned_at", None):
        type(user).objects.filter(pk=user.pk).update(inactivity_warned_at=None)
        user.inactivity_warned_at = None
