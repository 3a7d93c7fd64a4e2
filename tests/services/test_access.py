"""A request, its PDFs and its documents open only for its owner, or for
whoever holds the private link of a request made without an account: anyone
else gets a 404, never a hint that the request exists."""

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from services.corrections import correction_form, submission_correct
from services.services import access_key, submission_change_status
from services.tracking import safe_filename
from tests.services.factories import PDF, PNG, service_page
from tests.services.tracking_factories import (
    CARVIN,
    SAINT_ANDRE,
    attachment_pk,
    birth_page,
    birth_request,
    content_of,
    detail_url,
    is_login_redirect,
    parent,
    school_request,
    tracking_url,
)

ACCOUNT_ROUTES = ["submission", "submission_receipt", "submission_cover_sheet"]
KEY_ROUTES = ["tracking", "tracking_receipt", "tracking_cover_sheet"]


@pytest.fixture
def owner(carvin):
    return parent(carvin)


@pytest.fixture
def request_sent(carvin, owner):
    return school_request(service_page(carvin), owner)


@pytest.fixture
def anonymous_request(carvin):
    return birth_request(birth_page(carvin))


@pytest.mark.parametrize("route", ACCOUNT_ROUTES)
def test_owner_opens_detail_receipt_and_cover_sheet(client, owner, request_sent, route):
    client.force_login(owner)

    response = client.get(detail_url(request_sent, route), **CARVIN)

    assert response.status_code == 200


def test_owner_downloads_a_document_as_an_attachment(client, owner, request_sent):
    client.force_login(owner)

    response = client.get(
        detail_url(request_sent, "submission_document", pk=attachment_pk(request_sent)), **CARVIN
    )

    assert response.status_code == 200
    assert content_of(response) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "facture" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("route", [*ACCOUNT_ROUTES, "submission_document"])
def test_another_citizen_of_the_same_commune_gets_404(client, carvin, request_sent, route):
    client.force_login(parent(carvin, "Bruno"))
    kwargs = {"pk": attachment_pk(request_sent)} if route == "submission_document" else {}

    response = client.get(detail_url(request_sent, route, **kwargs), **CARVIN)

    assert response.status_code == 404


def test_a_citizen_of_another_commune_never_sees_the_request(
    client, carvin, saint_andre, request_sent
):
    elsewhere = parent(saint_andre)
    client.force_login(elsewhere)

    on_own_portal = client.get(detail_url(request_sent), **SAINT_ANDRE)
    on_carvin = client.get(detail_url(request_sent), **CARVIN)

    assert on_own_portal.status_code == 404
    assert is_login_redirect(on_carvin)


@pytest.mark.parametrize("route", [*ACCOUNT_ROUTES, "submission_document"])
def test_anonymous_visitor_is_sent_to_login_on_account_urls(client, request_sent, route):
    kwargs = {"pk": attachment_pk(request_sent)} if route == "submission_document" else {}

    response = client.get(detail_url(request_sent, route, **kwargs), **CARVIN)

    assert is_login_redirect(response)


def test_anonymous_visitor_without_key_sees_nothing_of_the_list(client, request_sent):
    response = client.get(reverse("services:submissions"), **CARVIN)

    assert is_login_redirect(response)


def test_staff_of_the_commune_cannot_use_the_citizen_pages(
    client, carvin, staff_of, request_sent, anonymous_request
):
    client.force_login(staff_of(carvin, "Agents"))

    detail = client.get(detail_url(request_sent), **CARVIN)
    document = client.get(
        detail_url(request_sent, "submission_document", pk=attachment_pk(request_sent)), **CARVIN
    )
    without_key = client.get(reverse("services:tracking", kwargs={"key": "not-a-key"}), **CARVIN)

    assert is_login_redirect(detail)
    assert is_login_redirect(document)
    assert without_key.status_code == 404


@pytest.mark.parametrize("route", KEY_ROUTES[:2])
def test_private_link_opens_request_made_without_account(client, anonymous_request, route):
    response = client.get(tracking_url(anonymous_request, route), **CARVIN)

    assert response.status_code == 200


def test_no_cover_sheet_when_nothing_comes_by_post(client, anonymous_request):
    response = client.get(tracking_url(anonymous_request, "tracking_cover_sheet"), **CARVIN)

    assert response.status_code == 404


def altered(key: str) -> str:
    last = "A" if key[-1] != "A" else "B"
    return key[:-1] + last


@pytest.mark.parametrize(
    "make_key",
    [
        lambda request: "nimportequoi",
        lambda request: altered(access_key(request)),
        lambda request: access_key(request)[:-4],
        lambda request: access_key(request) + "x",
    ],
    ids=["random", "altered", "truncated", "extended"],
)
def test_wrong_or_altered_key_is_404(client, anonymous_request, make_key):
    key = make_key(anonymous_request)

    for route in KEY_ROUTES:
        response = client.get(reverse(f"services:{route}", kwargs={"key": key}), **CARVIN)
        assert response.status_code == 404, route


def test_key_of_one_commune_is_404_on_another(client, saint_andre, anonymous_request):
    response = client.get(tracking_url(anonymous_request), **SAINT_ANDRE)

    assert response.status_code == 404


def test_a_request_made_with_an_account_never_opens_by_key(client, request_sent):
    response = client.get(tracking_url(request_sent), **CARVIN)

    assert response.status_code == 404


def test_key_no_longer_opens_the_request_once_its_nonce_changes(client, anonymous_request):
    url = tracking_url(anonymous_request)
    anonymous_request.access_nonce = "f" * 32
    anonymous_request.save(update_fields=["access_nonce"])

    assert client.get(url, **CARVIN).status_code == 404


def test_the_link_of_a_request_is_the_same_in_every_e_mail(client, anonymous_request):
    with time_machine.travel("2026-03-01 09:00:00"):
        first = tracking_url(anonymous_request)
    with time_machine.travel("2027-03-01 09:00:01"):
        later = tracking_url(anonymous_request)

    assert first == later
    assert client.get(first, **CARVIN).status_code == 200


def test_key_holder_downloads_a_document_of_the_request(client, anonymous_request):
    response = client.get(
        tracking_url(
            anonymous_request, "tracking_document", pk=attachment_pk(anonymous_request, "identite")
        ),
        **CARVIN,
    )

    assert response.status_code == 200
    assert content_of(response) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")


def test_key_holder_cannot_download_a_document_of_another_request(
    client, anonymous_request, request_sent
):
    response = client.get(
        tracking_url(anonymous_request, "tracking_document", pk=attachment_pk(request_sent)),
        **CARVIN,
    )

    assert response.status_code == 404


def test_owner_cannot_reach_a_document_of_another_request_through_own(
    client, carvin, owner, request_sent
):
    other = school_request(service_page(carvin, "Restauration scolaire"), parent(carvin, "Bruno"))
    client.force_login(owner)

    response = client.get(
        detail_url(request_sent, "submission_document", pk=attachment_pk(other)), **CARVIN
    )

    assert response.status_code == 404


def test_a_replaced_document_stays_downloadable_by_its_owner(client, owner, request_sent):
    old = attachment_pk(request_sent)
    submission_change_status(
        submission=request_sent, status="incomplete", author=None, message="Illisible."
    )
    request_sent.refresh_from_db()
    form = correction_form(
        request_sent, {}, {"domicile": SimpleUploadedFile("facture.png", PNG, "image/png")}
    )
    assert form.is_valid(), form.errors
    submission_correct(submission=request_sent, form=form)
    client.force_login(owner)

    response = client.get(detail_url(request_sent, "submission_document", pk=old), **CARVIN)
    detail = client.get(detail_url(request_sent), **CARVIN).content.decode()

    assert response.status_code == 200
    assert content_of(response) == PDF
    assert "<h3>Versions précédentes des fichiers, remplacées par de plus récentes</h3>" in detail


@pytest.mark.parametrize(
    ("name", "content_type", "expected"),
    [
        ("facture.pdf", "application/pdf", "facture.pdf"),
        ("../../etc/passwd", "application/pdf", "passwd.pdf"),
        ('a"b;c.pdf', "application/pdf", "abc.pdf"),
        ("photo.html", "image/png", "photo.html.png"),
        ("C:\\Users\\moi\\scan.JPG", "image/jpeg", "scan.JPG"),
        ("  ", "application/pdf", "document.pdf"),
        ("ligne\r\nSet-Cookie: x.pdf", "application/pdf", "ligneSet-Cookie x.pdf"),
    ],
)
def test_downloaded_file_names_are_safe(name, content_type, expected):
    assert safe_filename(name, content_type) == expected
