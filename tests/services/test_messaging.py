"""The message thread of a request: the citizen writes from the request's
page, the agents answer from the admin, each side is told and sees what it
has not read yet, and agents find the citizens waiting for an answer."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from cms.audit import entries_about
from cms.models import CommuneSettings
from services.admin.filters import UNANSWERED
from services.fields.documents import DOCUMENT_WRONG_TYPE, document_type_names
from services.messaging import (
    MESSAGE_FILE_TYPES,
    MessageError,
    Sender,
    message_send,
)
from services.models import RequestMessage, ServiceSettings, SubmissionStatus
from services.selectors import unread_messages_of
from services.services import submission_change_status
from tests.services.factories import PDF, pdf_file, service_page
from tests.services.tracking_factories import (
    CARVIN,
    birth_page,
    birth_request,
    detail_url,
    parent,
    school_request,
    tracking_url,
)

QUESTION = "Bonjour, faut-il fournir le livret de famille original ?"
ANSWER = "Bonjour, une copie suffit."


@pytest.fixture
def owner(carvin):
    return parent(carvin)


@pytest.fixture
def request_sent(carvin, owner):
    return school_request(service_page(carvin), owner)


@pytest.fixture
def agent(carvin, staff_of):
    user = staff_of(carvin, "Agents")
    user.email = "agent@carvin.example"
    user.first_name, user.last_name = "Paul", "Privé"
    user.save()
    return user


def html(response) -> str:
    return response.content.decode()


def inspect_url(request) -> str:
    return reverse("wagtailsnippets_services_submission:inspect", args=[request.pk])


def write(client, request, text=QUESTION, files=(), route="submission", **kwargs):
    url = (tracking_url if route == "tracking" else detail_url)(request, f"{route}_message")
    data = {"text": text}
    if files:
        data["files"] = list(files)
    return client.post(url, data, **CARVIN, **kwargs)


def answer(request, agent, text=ANSWER, **kwargs):
    return message_send(
        submission=request, sender=Sender.TOWN_HALL, author=agent, text=text, **kwargs
    )


def test_citizen_asks_with_a_pdf_and_the_agents_are_told_without_the_text(
    client, owner, request_sent, agent, django_capture_on_commit_callbacks
):
    client.force_login(owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = write(client, request_sent, files=[pdf_file("livret.pdf")])

    assert response.status_code == 302
    message = RequestMessage.objects.get(submission=request_sent)
    assert (message.sender, message.text, message.author) == (Sender.CITIZEN, QUESTION, owner)
    assert [f.name for f in message.attachments.all()] == ["livret.pdf"]
    page = html(client.get(detail_url(request_sent), **CARVIN))
    assert escape(QUESTION) in page and "livret.pdf" in page
    assert [email.to for email in mail.outbox] == [[agent.email]]
    assert request_sent.reference in mail.outbox[0].body
    assert QUESTION not in mail.outbox[0].body
    assert entries_about(request_sent).filter(action="services.message").exists()


def test_a_refused_file_keeps_the_text_typed_and_sends_nothing(client, owner, request_sent):
    client.force_login(owner)

    response = write(client, request_sent, files=[SimpleUploadedFile("virus.pdf", b"MZ\x90\x00")])

    assert response.status_code == 200
    page = html(response)
    assert escape(QUESTION) in page
    assert (
        escape(
            str(DOCUMENT_WRONG_TYPE)
            % {"name": "virus.pdf", "types": document_type_names(MESSAGE_FILE_TYPES)}
        )
        in page
    )
    assert not RequestMessage.objects.exists()


def test_an_empty_message_is_refused_in_french(client, owner, request_sent):
    client.force_login(owner)

    response = write(client, request_sent, text="   ")

    assert response.status_code == 200
    assert "Écrivez votre message." in html(response)
    assert not RequestMessage.objects.exists()


def test_town_hall_message_is_signed_by_the_service_and_notified_with_the_link_only(
    owner, request_sent, agent, django_capture_on_commit_callbacks, monkeypatch
):
    shorts = []
    import cms.notifications

    original = cms.notifications.notify
    monkeypatch.setattr(
        cms.notifications, "notify", lambda n: (shorts.append(n.short), original(n))
    )
    with django_capture_on_commit_callbacks(execute=True):
        message = answer(request_sent, agent)

    commune = CommuneSettings.for_site(request_sent.site)
    assert message.signature == commune.phrase
    assert "Privé" not in message.signature
    assert mail.outbox[0].to == [owner.email]
    assert request_sent.reference in shorts[0]
    assert ANSWER not in shorts[0] and owner.last_name not in shorts[0]
    assert f"/compte/demandes/{request_sent.reference}/" in shorts[0]


def test_the_commune_may_sign_with_the_agents_name(request_sent, agent):
    settings = ServiceSettings.for_site(request_sent.site)
    settings.messages_signed_by_agent = True
    settings.save()

    assert "Paul Privé" in answer(request_sent, agent).signature


def test_unread_messages_are_counted_on_home_and_list_until_the_request_is_opened(
    client, owner, request_sent, agent
):
    answer(request_sent, agent)
    answer(request_sent, agent, text="Précision : apportez aussi le carnet de santé.")
    client.force_login(owner)

    home = html(client.get(reverse("accounts:home"), **CARVIN))
    listing = html(client.get(reverse("services:submissions"), **CARVIN))

    assert "Vous avez 2 messages non lus de la mairie." in home
    assert "2 nouveaux messages" in listing
    client.get(detail_url(request_sent), **CARVIN)
    assert unread_messages_of(account=owner) == 0
    assert "non lu" not in html(client.get(reverse("accounts:home"), **CARVIN))


def test_a_closed_request_refuses_the_citizens_message_and_names_the_contact(
    client, owner, request_sent
):
    submission_change_status(submission=request_sent, status=SubmissionStatus.CLOSED, author=None)
    commune = CommuneSettings.for_site(request_sent.site)
    commune.contact_email = "accueil@carvin.example"
    commune.save()
    client.force_login(owner)

    page = html(client.get(detail_url(request_sent), **CARVIN))
    response = write(client, request_sent)

    assert "accueil@carvin.example" in page
    assert 'name="text"' not in page
    assert escape("Cette demande est close : elle ne reçoit plus de messages.") in html(response)
    assert escape(QUESTION) in html(response)
    assert not RequestMessage.objects.exists()
    with pytest.raises(MessageError):
        message_send(submission=request_sent, sender=Sender.CITIZEN, author=owner, text="?")


def test_the_requester_without_account_writes_through_the_private_link(client, carvin):
    request = birth_request(birth_page(carvin))

    response = write(client, request, route="tracking", text="Puis-je venir la chercher ?")

    assert response.status_code == 302
    assert request.messages.get().sender == Sender.CITIZEN


def test_the_agent_answers_from_the_admin_with_a_file_and_reads_the_question(
    client, owner, request_sent, agent, django_capture_on_commit_callbacks
):
    message_send(submission=request_sent, sender=Sender.CITIZEN, author=owner, text=QUESTION)
    client.force_login(agent)

    page = html(client.get(inspect_url(request_sent)))
    assert escape(QUESTION) in page
    assert request_sent.messages.get().read_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("wagtailsnippets_services_submission:message", args=[request_sent.pk]),
            {"text": ANSWER, "files": [pdf_file("formulaire.pdf")]},
        )

    assert response.status_code == 302
    reply = request_sent.messages.get(sender=Sender.TOWN_HALL)
    file = reply.attachments.get()
    client.force_login(owner)
    download = client.get(detail_url(request_sent, "submission_message_file", pk=file.pk), **CARVIN)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF


def test_the_queue_filters_unanswered_citizen_messages_oldest_first(
    client, carvin, owner, request_sent, agent
):
    other = school_request(service_page(carvin, "Restauration scolaire"), parent(carvin, "Bruno"))
    answered = school_request(service_page(carvin, "Périscolaire"), parent(carvin, "Chloé"))
    message_send(submission=other, sender=Sender.CITIZEN, author=None, text="Premier")
    message_send(submission=request_sent, sender=Sender.CITIZEN, author=None, text="Second")
    message_send(submission=answered, sender=Sender.CITIZEN, author=None, text="Réglé")
    answer(answered, agent)
    client.force_login(agent)

    page = html(
        client.get(
            reverse("wagtailsnippets_services_submission:list"),
            {"messages": UNANSWERED, "status": "all"},
        )
    )

    assert other.reference in page and request_sent.reference in page
    assert answered.reference not in page
    assert page.index(other.reference) < page.index(request_sent.reference)


def test_bulk_message_adds_one_message_per_request_and_tells_each_citizen_once(
    client, carvin, request_sent, agent, django_capture_on_commit_callbacks
):
    other = school_request(service_page(carvin, "Restauration scolaire"), parent(carvin, "Bruno"))
    client.force_login(agent)
    url = (
        reverse("wagtail_bulk_action", args=["services", "submission", "message"])
        + f"?id={request_sent.pk}&id={other.pk}"
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"text": "La salle des fêtes est fermée le 14."})

    assert response.status_code == 302
    messages = RequestMessage.objects.order_by("submission_id")
    assert [m.submission_id for m in messages] == sorted([request_sent.pk, other.pk])
    assert len({m.batch for m in messages}) == 1 and messages[0].batch is not None
    assert sorted(email.to[0] for email in mail.outbox) == sorted(
        [request_sent.account.email, other.account.email]
    )
