"""Text messages, sent by the task worker."""

from django_tasks import task


@task()
def send_sms(*, sms_id: int) -> None:
    """Send one recorded text message (``cms.sms.services.sms_deliver``)."""
    from .services import sms_deliver

    sms_deliver(sms_id=sms_id)


@task()
def sms_morning() -> int:
    """Send the text messages kept for the morning. Scheduled daily at the end
    of the night (``settings.SMS_QUIET_HOURS``) by ``cms.apps``."""
    from .services import sms_send_deferred

    return sms_send_deferred()
