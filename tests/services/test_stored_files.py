"""A request's documents are never lost by a crash: a file replaced or
discarded is deleted only once the change that drops it has committed, and
never before its replacement is stored. A crash is simulated by an error
raised after the old file would have been deleted, before the commit."""

import io

import pytest
from django.core.files.storage import storages
from django.db import transaction

from services.fields.documents import Upload
from services.models import Attachment, Submission
from services.services import submission_discard, submission_save_step, submission_start
from tests.services.factories import PDF, PNG, service_page
from tests.services.tracking_factories import parent

pytestmark = pytest.mark.django_db


class Crash(Exception):
    """The server stopping where the test says."""


@pytest.fixture
def draft(carvin):
    page = service_page(carvin)
    draft = submission_start(site=carvin, page=page, account=parent(carvin))
    return save(draft, "domicile", "facture.pdf", PDF)


def save(draft, key, name, content, content_type="application/pdf"):
    upload = Upload(io.BytesIO(content), name, len(content), content_type)
    return submission_save_step(submission=draft, raw={}, uploads={key: upload}, by_post=set())


def stored(attachment) -> bool:
    return storages["private"].exists(attachment.file.name)


def current(draft) -> Attachment:
    return Attachment.objects.get(submission=draft, key="domicile", current=True)


def test_a_crash_before_the_replacement_commits_keeps_the_old_document(draft):
    old = current(draft)

    with pytest.raises(Crash), transaction.atomic():
        save(draft, "domicile", "photo.png", PNG, "image/png")
        raise Crash

    assert current(draft) == old
    assert stored(old)
    with storages["private"].open(old.file.name) as kept:
        assert kept.read() == PDF


def test_a_crash_while_storing_the_replacement_keeps_the_old_document(draft, monkeypatch):
    old = current(draft)

    def crash(*args, **kwargs):
        raise Crash

    monkeypatch.setattr(Attachment, "save", crash)
    with pytest.raises(Crash):
        save(draft, "domicile", "photo.png", PNG, "image/png")

    assert current(draft) == old
    assert stored(old)


def test_once_committed_the_replaced_document_is_deleted(draft, django_capture_on_commit_callbacks):
    old = current(draft)

    with django_capture_on_commit_callbacks(execute=True):
        save(draft, "domicile", "photo.png", PNG, "image/png")

    new = current(draft)
    assert new != old and stored(new)
    assert not stored(old)
    assert not Attachment.objects.filter(pk=old.pk).exists()


def test_a_crash_before_the_discarding_commits_keeps_the_draft_and_its_documents(draft):
    old = current(draft)

    with pytest.raises(Crash), transaction.atomic():
        submission_discard(submission=draft)
        raise Crash

    assert Submission.objects.filter(pk=draft.pk).exists()
    assert current(draft) == old and stored(old)


def test_once_committed_a_discarded_drafts_documents_are_deleted(
    draft, django_capture_on_commit_callbacks
):
    old = current(draft)

    with django_capture_on_commit_callbacks(execute=True):
        submission_discard(submission=draft)

    assert not Submission.objects.filter(pk=draft.pk).exists()
    assert not stored(old)
