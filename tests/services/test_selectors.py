"""Reads of requests that serve the citizen's pages, scoped to one commune."""

from services.selectors import sent_submission_for
from services.services import submission_start
from tests.services.factories import service_page, submission


def test_the_sent_page_finds_the_request_just_sent(carvin):
    page = service_page(carvin, requires_account=False)
    sent = submission(page, contact=None)

    assert sent_submission_for(site=carvin, page=page, pk=sent.pk) == sent


def test_the_sent_page_never_shows_a_draft(carvin):
    page = service_page(carvin, requires_account=False)
    draft = submission_start(site=carvin, page=page)

    assert sent_submission_for(site=carvin, page=page, pk=draft.pk) is None


def test_the_sent_page_never_shows_a_request_of_another_demarche_or_commune(carvin, saint_andre):
    page = service_page(carvin, requires_account=False)
    other_page = service_page(carvin, "Acte de naissance", requires_account=False)
    sent = submission(page)

    assert sent_submission_for(site=carvin, page=other_page, pk=sent.pk) is None
    assert sent_submission_for(site=saint_andre, page=page, pk=sent.pk) is None
