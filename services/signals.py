"""Signals through which other apps follow requests without ``services``
importing them.

- ``status_changed``: sent once the change that put a request in a status
  is committed, with ``submission_id`` and ``status_change_id``. Receivers
  run in their own transactions; one that fails is logged (by Django's
  ``send_robust``) and does not stop the others.
"""

from django.dispatch import Signal

status_changed = Signal()


def status_changed_send(*, submission_id: int, status_change_id: int) -> None:
    from .models import Submission

    status_changed.send_robust(
        sender=Submission, submission_id=submission_id, status_change_id=status_change_id
    )
