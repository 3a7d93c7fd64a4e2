"""What the citizen sees once a request is sent: the "Requests" tab, the
account's home, the detail page, the missing documents asked for, the e-mails."""

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape
from django.utils.text import capfirst
from django.utils.translation import gettext

from services.corrections import NOTHING_CHANGED
from services.fields.documents import DOCUMENT_WRONG_TYPE, document_type_names
from services.models import StatusChange, SubmissionStatus
from services.services import submission_change_status, submission_start
from services.views import SESSION_SENT
from tests.services.factories import PNG, pdf_file, service_page
from tests.services.tracking_factories import (
    CARVIN,
    birth_page,
    birth_request,
    detail_url,
    parent,
    school_request,
    tracking_url,
)

PRIVATE_LINK_WARNING = (
    "This link is the only way to see your request, since it was made without an account: "
    "keep this e-mail, and do not share the link, since anyone who has it can see your request."
)


@pytest.fixture
def owner(carvin):
    return parent(carvin)


@pytest.fixture
def school(carvin):
    return service_page(carvin, confirmation="<p>La mairie vous répond <b>sous huit jours</b>.</p>")


@pytest.fixture
def request_sent(school, owner):
    return school_request(school, owner)


def html(response) -> str:
    return response.content.decode()


def status_label(status) -> str:
    return escape(capfirst(str(SubmissionStatus(status).label)))


def make_incomplete(request, message="Le justificatif de domicile est illisible."):
    submission_change_status(
        submission=request, status=SubmissionStatus.INCOMPLETE, author=None, message=message
    )
    request.refresh_from_db()
    return request


# The "Requests" tab and the account's home.


def test_requests_tab_lists_number_title_date_person_and_status(
    client, carvin, owner, request_sent
):
    other = school_request(service_page(carvin, "Restauration scolaire"), parent(carvin, "Bruno"))
    client.force_login(owner)

    page = html(client.get(reverse("services:submissions"), **CARVIN))

    assert request_sent.reference in page
    assert "Inscription scolaire" in page
    assert "Léa Lire" in page
    assert request_sent.submitted_at.strftime("%Y") in page
    assert 'class="status-badge status-badge--blue"' in page
    assert status_label("submitted") in page
    assert detail_url(request_sent) in page
    assert other.reference not in page


def test_requests_tab_is_a_tab_of_the_account(client, owner, request_sent):
    client.force_login(owner)

    page = html(client.get(reverse("accounts:home"), **CARVIN))

    assert f'href="{reverse("services:submissions")}"' in page


def test_each_status_has_its_own_badge_with_its_label(client, owner, request_sent):
    submission_change_status(
        submission=request_sent, status=SubmissionStatus.ACCEPTED, author=None, message="OK"
    )
    client.force_login(owner)

    page = html(client.get(reverse("services:submissions"), **CARVIN))

    assert f'status-badge--green">{status_label("accepted")}</span>' in page


def test_account_home_lists_requests_with_status_and_drafts_to_resume(
    client, carvin, owner, school, request_sent
):
    other_page = service_page(carvin, "Réservation de salle", form=school.form.raw_data)
    draft = submission_start(site=carvin, page=other_page, account=owner)
    draft.progress = {"raw": {}, "reached": 2}
    draft.save()
    client.force_login(owner)

    page = html(client.get(reverse("accounts:home"), **CARVIN))

    assert request_sent.reference in page
    assert 'class="status-badge status-badge--blue"' in page
    assert "Réservation de salle" in page
    url = other_page.relative_url(carvin)
    assert f'href="{url}{other_page.reverse_subpage("step", kwargs={"number": 2})}"' in page
    assert f'href="{url}{other_page.reverse_subpage("discard")}"' in page


def test_account_home_sends_a_draft_filled_to_the_end_to_its_recap(client, carvin, owner, school):
    draft = submission_start(site=carvin, page=school, account=owner)
    draft.progress = {"raw": {}, "reached": len(school.steps) + 1}
    draft.save()
    client.force_login(owner)

    page = html(client.get(reverse("accounts:home"), **CARVIN))

    assert f'href="{school.relative_url(carvin)}{school.reverse_subpage("review")}"' in page


def test_draft_deleted_from_the_account_home_is_gone_once_confirmed(client, carvin, owner, school):
    draft = submission_start(site=carvin, page=school, account=owner)
    client.force_login(owner)
    page = html(client.get(reverse("accounts:home"), **CARVIN))
    link = re.search(r'<a class="button button--secondary" href="([^"]+abandonner/)"', page)[1]

    confirmation = html(client.get(link, **CARVIN))

    assert "Supprimer votre brouillon ?" in confirmation
    assert type(draft).objects.filter(pk=draft.pk).exists()
    assert '<form method="post" class="actions">' in confirmation

    client.post(link, **CARVIN)

    assert not type(draft).objects.filter(pk=draft.pk).exists()


def test_back_to_the_recap_after_sending_shows_the_confirmation_again(
    client, carvin, owner, request_sent
):
    page = request_sent.page.specific
    client.force_login(owner)
    session = client.session
    session[SESSION_SENT] = request_sent.pk
    session.save()

    url = page.relative_url(carvin)
    back = client.get(f"{url}verification/", **CARVIN)

    assert back.status_code == 302
    assert back["Location"] == f"{url}envoyee/"
    assert not type(request_sent).objects.filter(page=page, submitted_at=None).exists()


def test_account_home_does_not_show_requests_of_other_citizens(client, carvin, request_sent):
    client.force_login(parent(carvin, "Bruno"))

    page = html(client.get(reverse("accounts:home"), **CARVIN))

    assert request_sent.reference not in page


# The detail page.


def test_detail_shows_answers_in_form_order_and_documents(client, owner, request_sent):
    client.force_login(owner)

    page = html(client.get(detail_url(request_sent), **CARVIN))

    labels = ["Pour quel enfant ?", "Classe", "Précisez les allergies", "Arachides"]
    positions = [page.index(escape(label)) for label in labels]
    assert positions == sorted(positions)
    assert request_sent.reference in page
    assert "Léa Lire" in page
    assert "facture électricité.pdf" in page
    assert (
        detail_url(
            request_sent, "submission_document", pk=request_sent.data["domicile"]["attachment"]
        )
        in page
    )
    assert "status-badge--by-post" in page
    assert detail_url(request_sent, "submission_receipt") in page
    assert detail_url(request_sent, "submission_cover_sheet") in page


def test_detail_has_no_cover_sheet_link_when_every_document_is_attached(client, owner, school):
    request = school_request(school, owner, livret_by_post=False)
    client.force_login(owner)

    page = html(client.get(detail_url(request), **CARVIN))

    assert detail_url(request, "submission_receipt") in page
    assert detail_url(request, "submission_cover_sheet") not in page


def test_detail_shows_the_history_with_the_town_hall_messages(
    client, carvin, staff_of, owner, request_sent
):
    agent = staff_of(carvin, "Agents")
    submission_change_status(
        submission=request_sent, status=SubmissionStatus.IN_REVIEW, author=agent
    )
    submission_change_status(
        submission=request_sent,
        status=SubmissionStatus.ACCEPTED,
        author=agent,
        message="Inscription validée à l'école Jules-Ferry.",
    )
    client.force_login(owner)

    page = html(client.get(detail_url(request_sent), **CARVIN))

    history = page[page.index('class="history"') :]
    assert history.index(status_label("in_review")) < history.index(status_label("accepted"))
    assert escape("Inscription validée à l'école Jules-Ferry.") in history
    assert agent.username not in page


def test_detail_escapes_what_the_citizen_typed(client, school, owner):
    request = school_request(school, owner, allergies="<script>alert(1)</script>")
    client.force_login(owner)

    page = html(client.get(detail_url(request), **CARVIN))

    assert "<script>alert(1)</script>" not in page
    assert escape("<script>alert(1)</script>") in page


def test_tracking_page_shows_the_request_made_without_account(client, carvin):
    request = birth_request(birth_page(carvin))

    response = client.get(tracking_url(request), **CARVIN)
    page = html(response)

    assert request.reference in page
    assert "Copie intégrale" in page
    assert "jean.dupont@example.org" in page
    assert tracking_url(request, "tracking_receipt") in page
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "same-origin"


# Missing documents.


def test_no_upload_form_unless_the_request_is_incomplete(client, owner, request_sent):
    client.force_login(owner)

    page = html(client.get(detail_url(request_sent), **CARVIN))
    sent = client.post(detail_url(request_sent), {"livret": pdf_file()}, **CARVIN)

    assert "Corriger votre demande" not in page
    assert 'name="livret"' not in page
    assert sent.status_code == 302
    request_sent.refresh_from_db()
    assert request_sent.status == SubmissionStatus.SUBMITTED
    assert request_sent.data["livret"] == {"by_post": True}


def test_incomplete_request_asks_for_documents_with_the_town_hall_message(
    client, owner, request_sent
):
    make_incomplete(request_sent)
    client.force_login(owner)

    page = html(client.get(detail_url(request_sent), **CARVIN))

    assert 'enctype="multipart/form-data"' in page
    assert 'name="domicile"' in page
    assert 'name="livret"' in page
    assert escape("Le justificatif de domicile est illisible.") in page


def test_documents_sent_put_an_incomplete_request_back_in_progress(client, owner, request_sent):
    make_incomplete(request_sent)
    client.force_login(owner)

    response = client.post(
        detail_url(request_sent), {"livret": pdf_file("livret-famille.pdf")}, **CARVIN
    )

    assert response.status_code == 302
    assert response["Location"] == detail_url(request_sent)
    request_sent.refresh_from_db()
    assert request_sent.status == SubmissionStatus.SUBMITTED
    assert request_sent.data["livret"]["name"] == "livret-famille.pdf"
    last = StatusChange.objects.filter(submission=request_sent).last()
    assert last.previous_status == SubmissionStatus.INCOMPLETE
    assert last.status == SubmissionStatus.SUBMITTED
    assert last.changes == [
        {
            "key": "livret",
            "label": "Livret de famille",
            "before": gettext("Will be sent by post"),
            "after": "livret-famille.pdf",
        }
    ]
    page = html(client.get(detail_url(request_sent), **CARVIN))
    assert "livret-famille.pdf" in page
    assert detail_url(request_sent, "submission_cover_sheet") not in page


def test_document_of_a_wrong_type_is_refused_with_the_reason(client, owner, request_sent):
    make_incomplete(request_sent)
    client.force_login(owner)
    disguised = SimpleUploadedFile("livret.pdf", PNG, content_type="application/pdf")

    response = client.post(detail_url(request_sent), {"livret": disguised}, **CARVIN)

    assert response.status_code == 200
    expected = DOCUMENT_WRONG_TYPE % {"name": "livret.pdf", "types": document_type_names(["pdf"])}
    assert escape(str(expected)) in html(response)
    assert "data-error-summary" in html(response)
    request_sent.refresh_from_db()
    assert request_sent.status == SubmissionStatus.INCOMPLETE


def test_sending_no_document_is_refused_with_the_reason(client, owner, request_sent):
    make_incomplete(request_sent)
    client.force_login(owner)

    response = client.post(detail_url(request_sent), {}, **CARVIN)

    assert response.status_code == 200
    assert escape(str(NOTHING_CHANGED)) in html(response)
    request_sent.refresh_from_db()
    assert request_sent.status == SubmissionStatus.INCOMPLETE


def test_key_holder_sends_missing_documents_too(client, carvin):
    request = make_incomplete(birth_request(birth_page(carvin)), "Pièce d'identité périmée.")

    response = client.post(
        tracking_url(request), {"identite": pdf_file("nouvelle-carte.pdf")}, **CARVIN
    )

    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == SubmissionStatus.SUBMITTED
    assert request.data["identite"]["name"] == "nouvelle-carte.pdf"


# E-mails.


def test_submission_is_emailed_with_receipt_and_cover_sheet(
    owner, school, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = school_request(school, owner)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [owner.email]
    assert request.reference in message.subject
    assert request.reference in message.body
    assert "sous huit jours" in message.body
    assert "<b>sous huit jours</b>" in message.alternatives[0][0]
    assert f"http://carvin.localhost{detail_url(request)}" in message.body
    names = [name for name, _content, _type in message.attachments]
    assert names == [f"recepisse-{request.reference}.pdf", f"bordereau-{request.reference}.pdf"]
    assert all(content.startswith(b"%PDF") for _name, content, _type in message.attachments)
    assert "Livret de famille" in message.body


def test_submission_without_documents_by_post_has_no_cover_sheet(
    owner, school, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        school_request(school, owner, livret_by_post=False)

    assert [name[:10] for name, _c, _t in mail.outbox[0].attachments] == ["recepisse-"]


def test_request_without_account_is_emailed_its_private_link(
    carvin, django_capture_on_commit_callbacks
):
    page = birth_page(carvin)
    with django_capture_on_commit_callbacks(execute=True):
        request = birth_request(page, email="jean@example.org")

    message = mail.outbox[0]
    assert message.to == ["jean@example.org"]
    link = re.search(r"http://carvin\.localhost/suivi/\S+/", message.body).group(0)
    assert link == f"http://carvin.localhost{tracking_url(request)}"
    assert gettext(PRIVATE_LINK_WARNING) in message.body
    assert "&#x27;" not in message.body


def test_status_change_is_emailed_with_the_message_and_the_link(
    carvin, staff_of, owner, request_sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submission_change_status(
            submission=request_sent,
            status=SubmissionStatus.INCOMPLETE,
            author=staff_of(carvin, "Agents"),
            message="Merci d'envoyer l'attestation d'assurance.",
        )

    message = mail.outbox[-1]
    assert message.to == [owner.email]
    assert request_sent.reference in message.subject
    assert str(SubmissionStatus.INCOMPLETE.label) in message.body
    assert "Merci d'envoyer l'attestation d'assurance." in message.body
    assert f"http://carvin.localhost{detail_url(request_sent)}" in message.body
    assert escape("Merci d'envoyer l'attestation d'assurance.") in message.alternatives[0][0]


def test_a_status_email_from_a_message_template_greets_and_signs_once(
    carvin, staff_of, owner, request_sent, django_capture_on_commit_callbacks
):
    from services.messages import fill_message, message_templates_install, message_values
    from services.models import MessageTemplate

    message_templates_install(carvin, True)
    template = MessageTemplate.objects.get(site=carvin, status=SubmissionStatus.INCOMPLETE)
    with django_capture_on_commit_callbacks(execute=True):
        submission_change_status(
            submission=request_sent,
            status=SubmissionStatus.INCOMPLETE,
            author=staff_of(carvin, "Agents"),
            message=fill_message(template.body, message_values(request_sent)),
        )

    body = mail.outbox[-1].body
    assert body.count("Bonjour") == 1
    assert body.count(owner.first_name) == 1
    assert f"Le justificatif joint à votre demande {request_sent.reference}" in body


def test_confirmation_without_an_account_links_the_request_and_its_receipt(client, carvin):
    page = birth_page(carvin)
    anonymous_request = birth_request(page)
    session = client.session
    session[SESSION_SENT] = anonymous_request.pk
    session.save()

    confirmation = html(client.get(f"{page.url}envoyee/", **CARVIN))

    assert anonymous_request.reference in confirmation
    assert f'href="{tracking_url(anonymous_request)}"' in confirmation
    assert f'href="{tracking_url(anonymous_request, "tracking_receipt")}"' in confirmation
