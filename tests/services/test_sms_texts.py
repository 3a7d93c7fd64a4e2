"""Every text message the portal sends fits one SMS in the GSM alphabet, with
the longest values it may carry: a long host name and request number."""

import pytest
from django.test import override_settings
from django.utils import timezone

from accounts.phone import code_text
from accounts.retention import account_inactivity_warn
from accounts.services import account_validate
from cms.sms.text import is_gsm7, segment_count, to_gsm7
from payments.receipts import RECEIPT_SHORT
from services.messaging import message_send
from services.models import RequestMessage
from services.services import submission_change_status
from services.tasks import reminder_send, send_submission_receipt, status_email_send
from tests.cms.sms.helpers import sms_user
from tests.services.factories import service_page
from tests.services.tracking_factories import school_request

from .test_back_office import staff

LONG_HOST = "demarches-en-ligne.saint-andre-des-eaux.fr"
LONG_REFERENCE = "SAE-2026-1234567"


class RecordingChannel:
    sent = []

    def deliver(self, notification):
        RecordingChannel.sent.append(notification)


def fits_one_sms(text: str) -> bool:
    return is_gsm7(to_gsm7(text)) and segment_count(to_gsm7(text)) == 1


@pytest.fixture
def long_names(carvin):
    carvin.hostname = LONG_HOST
    carvin.port = 443
    carvin.save()
    return carvin


@override_settings(
    NOTIFICATION_CHANNELS={
        "email": "cms.notifications.EmailChannel",
        "phone": "tests.services.test_sms_texts.RecordingChannel",
    }
)
def test_every_text_message_fits_one_segment(long_names, django_capture_on_commit_callbacks):
    RecordingChannel.sent = []
    owner = sms_user(long_names)
    owner.status = "pending"
    owner.save()
    agent = staff(long_names, "Agents", "marie", first_name="Marie", last_name="Agent")
    submission = school_request(service_page(long_names), owner)
    type(submission).objects.filter(pk=submission.pk).update(reference=LONG_REFERENCE)
    submission.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        account_validate(account=owner, by=agent)
        owner.refresh_from_db()
        account_inactivity_warn(user=owner, now=timezone.now())
        change = submission_change_status(submission=submission, status="accepted", author=agent)
        status_email_send(change)
        reminder_send(submission, to=submission.requester_email, text="N'oubliez pas.")
        send_submission_receipt.call(submission_id=submission.pk)
        message_send(
            submission=submission,
            sender=RequestMessage.Sender.TOWN_HALL,
            author=agent,
            text="La salle des fêtes est fermée le 14.",
        )

    kinds = {n.kind for n in RecordingChannel.sent}
    assert {"account", "status", "reminder", "receipt", "message"} <= kinds
    texts = [n.short for n in RecordingChannel.sent]
    texts += [str(RECEIPT_SHORT) % {"order": "P260301ABCDEFGH"}, code_text("123456")]
    for text in texts:
        assert text
        assert fits_one_sms(text), (text, segment_count(to_gsm7(text)))
    assert any(LONG_REFERENCE in text and LONG_HOST in text for text in texts)
