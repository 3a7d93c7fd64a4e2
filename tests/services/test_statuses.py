"""The statuses of the standard workflow, declared once in
``services/statuses.py``: every status is declared, its rules hold together,
and the citizen's badge and the agents' tag are drawn from its declaration."""

from pathlib import Path

from django.conf import settings
from django.template import Context, Template

from services.services import submission_change_status
from services.statuses import (
    OUTSIDE_WORKFLOWS,
    STANDARD,
    STATUSES,
    StatusColour,
    StatusGroup,
    SubmissionStatus,
    status_info,
)
from tests.services.factories import service_page
from tests.services.tracking_factories import parent, school_request

PORTAL_CSS = Path(settings.BASE_DIR) / "static" / "css" / "portal.css"


def render(source: str) -> str:
    return Template("{% load statuses %}" + source).render(Context())


def test_every_status_is_declared():
    assert list(STATUSES) == list(SubmissionStatus)
    assert all(status == info.value for status, info in STATUSES.items())


def test_every_colour_has_its_badge_in_the_stylesheet():
    css = PORTAL_CSS.read_text()
    badges = ["status-badge--draft", *(f"status-badge--{colour}" for colour in StatusColour)]
    assert [badge for badge in badges if f".{badge} " not in css] == []


def test_an_open_request_may_move_on_and_a_decided_one_may_not():
    for info in STATUSES.values():
        if info.group == StatusGroup.DRAFT:
            assert info.next == ()
        else:
            assert bool(info.next) == info.is_open, info.value


def test_a_request_waiting_for_its_payment_moves_on_by_its_payment_not_by_an_agent():
    waiting, unpaid = OUTSIDE_WORKFLOWS["awaiting_payment"], OUTSIDE_WORKFLOWS["unpaid"]

    assert (waiting.group, waiting.next, waiting.is_open) == (StatusGroup.WITH_CITIZEN, (), True)
    assert (unpaid.group, unpaid.next, unpaid.is_open) == (StatusGroup.FINAL, (), False)
    assert status_info("awaiting_payment") is waiting


def test_an_agent_never_moves_a_request_back_to_draft():
    assert not any(SubmissionStatus.DRAFT in info.next for info in STATUSES.values())


def in_groups(*groups):
    return tuple(info.value for info in STANDARD if info.group in groups)


def test_requests_waiting_for_the_citizen_are_open_but_not_to_process():
    assert in_groups(StatusGroup.TO_PROCESS, StatusGroup.WITH_CITIZEN) == (
        SubmissionStatus.SUBMITTED,
        SubmissionStatus.IN_REVIEW,
        SubmissionStatus.INCOMPLETE,
        SubmissionStatus.COMPLETE,
    )
    assert in_groups(StatusGroup.TO_PROCESS) == (
        SubmissionStatus.SUBMITTED,
        SubmissionStatus.IN_REVIEW,
        SubmissionStatus.COMPLETE,
    )
    assert in_groups(StatusGroup.FINAL) == (
        SubmissionStatus.ACCEPTED,
        SubmissionStatus.REJECTED,
        SubmissionStatus.CLOSED,
    )


def test_the_citizens_badge_shows_the_label_with_the_class_of_its_status():
    label = str(SubmissionStatus.IN_REVIEW.label)
    assert render("{% status_badge 'in_review' %}").strip() == (
        f'<span class="status-badge status-badge--purple">{label}</span>'
    )


def test_the_agents_tag_shows_the_icon_of_its_status():
    tag = render("{% status_tag 'rejected' %}")
    assert "#icon-circle-xmark" in tag
    assert "w-text-critical-200" in tag
    assert str(SubmissionStatus.REJECTED.label) in tag
    assert "w-status--primary" not in tag
    assert "w-status--primary" in render("{% status_tag 'incomplete' %}")


def test_the_items_to_correct_show_for_the_statuses_that_name_them(carvin):
    from services.admin.forms import StatusChangeForm

    submission = school_request(service_page(carvin), parent(carvin))
    assert StatusChangeForm(submission=submission).statuses_needing_items == "incomplete"


def test_sending_a_request_is_the_first_step_of_its_history(carvin):
    submission = school_request(service_page(carvin), parent(carvin))
    first = submission.history.get()
    assert (first.status, first.previous_status, first.author) == ("submitted", "", None)
    assert submission.status_changed_at == submission.submitted_at


def test_an_agents_decision_is_recorded_after_the_sending(carvin):
    submission = school_request(service_page(carvin), parent(carvin))
    submission_change_status(submission=submission, status=SubmissionStatus.ACCEPTED, author=None)
    submission.refresh_from_db()
    steps = [(c.status, c.previous_status) for c in submission.history.all()]
    assert steps == [("submitted", ""), ("accepted", "submitted")]
    assert submission.status_changed_at > submission.submitted_at
