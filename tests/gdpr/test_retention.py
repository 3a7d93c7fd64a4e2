"""Retention: closed requests anonymised after their démarche's period,
abandoned drafts deleted, unused citizen accounts warned then erased; one
entry per commune in the agents' log."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.utils import translation

from accounts.models import HouseholdMember, User
from accounts.retention import account_inactive_erase
from cms.audit import audit
from cms.dates import months_after
from cms.models import AuditLogEntry
from services.fields.documents import Upload
from services.models import (
    Attachment,
    InternalNote,
    MessageAttachment,
    RequestMessage,
    ServiceSettings,
    StatusChange,
    Submission,
    SubmissionStatus,
)
from services.retention import RETENTION_ACTION, retention_apply, submission_anonymise
from services.services import (
    note_add,
    submission_change_status,
    submission_save_step,
    submission_start,
)
from services.tasks import apply_retention
from tests.gdpr.conftest import START, at
from tests.services.factories import PDF, service_page
from tests.services.tracking_factories import birth_page, birth_request, parent, school_request


@pytest.fixture
def school(carvin):
    return service_page(carvin, retention_months=12)


@pytest.fixture
def amelie(carvin):
    return parent(carvin)


def decided(submission, status=SubmissionStatus.ACCEPTED, message="Votre demande est acceptée."):
    submission_change_status(submission=submission, status=status, author=None, message=message)
    submission.refresh_from_db()
    return submission


def stored(submission):
    private = storages["private"]
    return [a.file.name for a in submission.attachments.all() if private.exists(a.file.name)]


def counts_by_status(site):
    return dict(
        Submission.objects.filter(site=site)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )


def test_a_closed_request_is_anonymised_once_its_retention_has_passed(
    carvin, school, amelie, django_capture_on_commit_callbacks
):
    with at(START):
        request = school_request(school, amelie)
        note_add(submission=request, author=None, text="Appelé la mère au 06 12 34 56 78")
        question = RequestMessage.objects.create(
            site=carvin,
            submission=request,
            sender=RequestMessage.Sender.CITIZEN,
            author=amelie,
            text="Léa est allergique aux arachides.",
        )
        sent = MessageAttachment.objects.create(
            site=carvin,
            message=question,
            file=ContentFile(PDF, name="x.pdf"),
            name="certificat-allergie.pdf",
            size=len(PDF),
            content_type="application/pdf",
        )
        decided(request)
        attachment = request.attachments.first()
    with at(months_after(START, 6)):  # an agent downloads it, within the log's retention
        audit(
            request,
            "services.download",
            user=None,
            data={"attachment": attachment.pk, "name": attachment.name},
        )
    files = [*stored(request), sent.file.name]
    assert all(storages["private"].exists(name) for name in files)

    with at(months_after(START, 12) - timedelta(days=1)):
        early = retention_apply(site=carvin)
    request.refresh_from_db()
    assert early.anonymised == 0
    assert request.data and request.account == amelie
    assert all(storages["private"].exists(name) for name in files)
    assert "amelie" in request.search_text and "arachides" in request.search_text

    with (
        at(months_after(START, 12) + timedelta(days=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        report = retention_apply(site=carvin)
    request.refresh_from_db()
    assert report.anonymised == 1
    assert report.files_deleted == len(files)
    assert request.is_anonymised
    assert request.data == {} and request.progress == {}
    assert request.account is None and request.member is None and request.concerns == ""
    # The agents' search finds it by its number only.
    assert request.search_text == request.reference.lower()
    assert not Attachment.objects.filter(submission=request).exists()
    assert not any(storages["private"].exists(name) for name in files)
    assert StatusChange.objects.get(submission=request, status="accepted").message == ""
    assert "06 12" not in InternalNote.objects.get(submission=request).text
    message = RequestMessage.objects.get(submission=request)
    assert "arachides" not in message.text and message.created_at
    assert not MessageAttachment.objects.filter(message__submission=request).exists()
    download = AuditLogEntry.objects.get(action="services.download")
    assert download.data == {"attachment": attachment.pk}
    # What the statistics read stays.
    assert request.reference.startswith("CAR-")
    assert request.status == SubmissionStatus.ACCEPTED
    assert request.page == school and request.site == carvin
    assert request.submitted_at and request.status_changed_at


def test_open_requests_are_never_anonymised(carvin, school, amelie):
    with at(START):
        request = school_request(school, amelie)

    with at(months_after(START, 60)):
        report = retention_apply(site=carvin)

    request.refresh_from_db()
    assert report.anonymised == 0
    assert request.data and not request.is_anonymised


def test_the_commune_default_applies_to_demarches_without_their_own(carvin, amelie):
    ServiceSettings.objects.update_or_create(site=carvin, defaults={"retention_months": 6})
    page = service_page(carvin, "Inscription sans durée")
    with at(START):
        request = decided(school_request(page, amelie))

    with at(months_after(START, 6) - timedelta(hours=1)):
        assert retention_apply(site=carvin).anonymised == 0
    with at(months_after(START, 6) + timedelta(hours=1)):
        assert retention_apply(site=carvin).anonymised == 1
    request.refresh_from_db()
    assert request.is_anonymised


def test_a_request_without_an_account_loses_its_contact_details(carvin):
    page = birth_page(carvin)
    page.retention_months = 3
    page.save_revision().publish()
    with at(START):
        request = decided(birth_request(page), SubmissionStatus.REJECTED, "Acte introuvable.")

    with at(months_after(START, 4)):
        retention_apply(site=carvin)

    request.refresh_from_db()
    assert (request.contact_first_name, request.contact_last_name) == ("", "")
    assert (request.contact_email, request.contact_phone, request.access_nonce) == ("", "", "")
    assert not request.attachments.exists()


def test_statistics_are_the_same_after_anonymisation(carvin, school, amelie):
    with at(START):
        decided(school_request(school, amelie))
        decided(school_request(school, amelie), SubmissionStatus.CLOSED, "Doublon")
        school_request(school, amelie)
    before = counts_by_status(carvin)

    with at(months_after(START, 13)):
        report = retention_apply(site=carvin)

    assert report.anonymised == 2
    assert counts_by_status(carvin) == before


def test_anonymised_requests_show_so_and_have_no_archive_pdf(client, carvin, school, amelie):
    from django.urls import reverse

    from tests.services.test_back_office import staff

    with at(START):
        request = decided(school_request(school, amelie))
    with at(months_after(START, 13)):
        retention_apply(site=carvin)
    agent = staff(carvin, "Agents", "marie")
    client.force_login(agent)

    page = client.get(
        reverse("wagtailsnippets_services_submission:inspect", args=[request.pk]),
        HTTP_HOST="carvin.localhost",
    )
    pdf = client.get(reverse("services_request_pdf", args=[request.pk]))

    assert page.status_code == 200
    assert b"data-anonymised" in page.content
    assert b"Arachides" not in page.content
    assert reverse("services_request_pdf", args=[request.pk]).encode() not in page.content
    assert pdf.status_code == 404


def test_drafts_untouched_for_30_days_are_deleted_with_their_files(
    carvin, school, amelie, django_capture_on_commit_callbacks
):
    page = birth_page(carvin)
    other = service_page(carvin, "Cantine")
    with at(START):
        kept = submission_start(site=carvin, page=school, account=amelie)
        anonymous = submission_start(site=carvin, page=page)
        old = submission_save_step(
            submission=submission_start(site=carvin, page=other, account=amelie),
            raw={},
            uploads={
                "domicile": Upload(io.BytesIO(PDF), "facture.pdf", len(PDF), "application/pdf")
            },
            by_post=set(),
        )
    files = stored(old)
    with at(START + timedelta(days=20)):
        kept.save()  # the citizen typed something

    with at(START + timedelta(days=31)), django_capture_on_commit_callbacks(execute=True):
        report = retention_apply(site=carvin)

    assert report.drafts_deleted == 2
    assert Submission.objects.filter(pk=kept.pk).exists()
    assert not Submission.objects.filter(pk__in=[anonymous.pk, old.pk]).exists()
    assert files and not any(storages["private"].exists(name) for name in files)


def test_an_unused_account_is_warned_once_at_23_months_then_erased_at_24(
    carvin, school, amelie, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=amelie.pk).update(last_login=START)
    with at(START):
        request = decided(school_request(school, amelie))
    mail.outbox.clear()

    with at(months_after(START, 23) - timedelta(days=1)):
        assert retention_apply(site=carvin).accounts_warned == 0
    warning_time = months_after(START, 23) + timedelta(hours=1)
    with at(warning_time), django_capture_on_commit_callbacks(execute=True):
        first = retention_apply(site=carvin)
        second = retention_apply(site=carvin)

    assert (first.accounts_warned, second.accounts_warned) == (1, 0)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [amelie.email]
    assert amelie.username in mail.outbox[0].body

    with at(months_after(START, 24) + timedelta(hours=1)):
        report = retention_apply(site=carvin)

    assert report.accounts_erased == 1
    assert not User.objects.filter(pk=amelie.pk).exists()
    assert not HouseholdMember.objects.filter(account_id=amelie.pk).exists()
    request.refresh_from_db()
    assert request.is_anonymised and request.account is None


class Crash(Exception):
    """The server stopping where the test says."""


def unused_account_with_documents(carvin, school, amelie):
    """Amélie's decided request and abandoned draft, each with a document,
    and her account due for erasure (warned long ago)."""
    User.objects.filter(pk=amelie.pk).update(last_login=START, inactivity_warned_at=START)
    with at(START):
        request = decided(school_request(school, amelie))
        draft = submission_save_step(
            submission=submission_start(
                site=carvin, page=service_page(carvin, "Cantine"), account=amelie
            ),
            raw={},
            uploads={
                "domicile": Upload(io.BytesIO(PDF), "facture.pdf", len(PDF), "application/pdf")
            },
            by_post=set(),
        )
    files = stored(request) + stored(draft)
    assert len(files) >= 2
    return [request, draft], files


def test_a_crash_while_erasing_an_account_keeps_its_requests_and_their_documents(
    carvin, school, amelie, monkeypatch
):
    requests, files = unused_account_with_documents(carvin, school, amelie)

    def crash(*, user):
        raise Crash

    monkeypatch.setattr("accounts.retention.account_erase", crash)
    with at(months_after(START, 25)), pytest.raises(Crash):
        account_inactive_erase(user=amelie, now=months_after(START, 25))

    assert User.objects.filter(pk=amelie.pk).exists()
    for request in requests:
        request.refresh_from_db()
        assert request.account == amelie and not request.is_anonymised
    assert sorted(stored(requests[0]) + stored(requests[1])) == sorted(files)


def test_once_an_erasure_is_committed_the_documents_are_deleted(
    carvin, school, amelie, django_capture_on_commit_callbacks
):
    _requests, files = unused_account_with_documents(carvin, school, amelie)

    with at(months_after(START, 25)), django_capture_on_commit_callbacks(execute=True):
        assert account_inactive_erase(user=amelie, now=months_after(START, 25)) is not None

    assert not User.objects.filter(pk=amelie.pk).exists()
    assert not any(storages["private"].exists(name) for name in files)


def test_a_crash_before_an_anonymisation_commits_keeps_the_documents(carvin, school, amelie):
    with at(START):
        request = decided(school_request(school, amelie))
    files = stored(request)

    with pytest.raises(Crash), transaction.atomic():
        assert submission_anonymise(submission=request) == len(files)
        raise Crash

    request.refresh_from_db()
    assert not request.is_anonymised
    assert stored(request) == files


def test_the_account_is_erased_30_days_after_the_warning_at_the_earliest(carvin, amelie):
    User.objects.filter(pk=amelie.pk).update(last_login=START)
    with at(months_after(START, 30)):  # the task did not run for months
        assert retention_apply(site=carvin).accounts_warned == 1
    with at(months_after(START, 30) + timedelta(days=29)):
        assert retention_apply(site=carvin).accounts_erased == 0
    with at(months_after(START, 30) + timedelta(days=31)):
        assert retention_apply(site=carvin).accounts_erased == 1


def test_signing_in_after_the_warning_cancels_the_deletion(client, carvin, amelie):
    User.objects.filter(pk=amelie.pk).update(last_login=START)
    with at(months_after(START, 23) + timedelta(days=1)):
        retention_apply(site=carvin)
    amelie.refresh_from_db()
    assert amelie.inactivity_warned_at is not None
    with at(months_after(START, 23) + timedelta(days=10)):
        client.force_login(amelie)
    amelie.refresh_from_db()
    assert amelie.inactivity_warned_at is None

    with at(months_after(START, 24) + timedelta(days=5)):
        report = retention_apply(site=carvin)

    assert report.accounts_erased == 0
    assert User.objects.filter(pk=amelie.pk).exists()


def test_a_warning_followed_by_a_sign_in_is_cancelled_by_the_next_run(carvin, amelie):
    User.objects.filter(pk=amelie.pk).update(last_login=START)
    with at(months_after(START, 23) + timedelta(days=1)):
        retention_apply(site=carvin)
    # A sign-in recorded without the login signal (another front end, an import).
    User.objects.filter(pk=amelie.pk).update(last_login=months_after(START, 23) + timedelta(days=9))

    with at(months_after(START, 24) + timedelta(days=5)):
        report = retention_apply(site=carvin)

    amelie.refresh_from_db()
    assert (report.warnings_cancelled, report.accounts_erased) == (1, 0)
    assert amelie.inactivity_warned_at is None


def test_staff_accounts_are_never_warned_nor_deleted(carvin):
    from tests.services.test_back_office import staff

    agent = staff(carvin, "Agents", "marie")
    User.objects.filter(pk=agent.pk).update(last_login=START)

    with at(months_after(START, 36)):
        report = retention_apply(site=carvin)

    assert (report.accounts_warned, report.accounts_erased) == (0, 0)
    assert User.objects.filter(pk=agent.pk, inactivity_warned_at__isnull=True).exists()


def test_the_task_run_twice_does_nothing_more_and_logs_each_commune(
    carvin, saint_andre, school, amelie, caplog
):
    caplog.set_level("INFO", logger="services.retention")
    with at(START):
        decided(school_request(school, amelie))
        submission_start(site=carvin, page=school, account=amelie)

    with at(months_after(START, 13)):
        first = apply_retention.enqueue().return_value
        second = apply_retention.enqueue().return_value

    assert first["carvin.localhost"]["anonymised"] == 1
    assert first["carvin.localhost"]["drafts_deleted"] == 1
    assert not any(second["carvin.localhost"].values())
    entries = AuditLogEntry.objects.filter(action=RETENTION_ACTION)
    assert entries.count() == 4
    assert set(entries.values_list("site__hostname", flat=True)) == {
        "carvin.localhost",
        "saint-andre-des-eaux.localhost",
    }
    assert "Retention applied in carvin.localhost: anonymised=1" in caplog.text
    latest = entries.filter(site=carvin).order_by("timestamp", "pk").first()
    assert latest.data["anonymised"] == 1
    with translation.override("en"):
        assert "1 request(s) anonymised" in latest.message


def test_the_agents_actions_report_shows_the_runs_to_the_supervisor(
    client, carvin, saint_andre, supervisor_of
):
    with at(START):
        retention_apply(site=carvin)
        retention_apply(site=saint_andre)
    client.force_login(supervisor_of(carvin))

    response = client.get("/admin/reports/agents-actions/?action=services.retention")

    assert response.status_code == 200
    assert response.context["object_list"].count() == 1
    assert response.context["object_list"][0].site == carvin


def test_the_command_dry_run_changes_nothing(carvin, school, amelie, capsys):
    with at(START):
        request = decided(school_request(school, amelie))

    with at(months_after(START, 13)):
        call_command("apply_retention", dry_run=True)
    dry = capsys.readouterr().out
    request.refresh_from_db()
    assert "Would do in Carvin: 1 requests anonymised" in dry
    assert not request.is_anonymised
    assert not AuditLogEntry.objects.filter(action=RETENTION_ACTION).exists()

    with at(months_after(START, 13)):
        call_command("apply_retention", commune="carvin.localhost")
    request.refresh_from_db()
    assert "Done in Carvin: 1 requests anonymised" in capsys.readouterr().out
    assert request.is_anonymised


def test_agents_log_entries_older_than_a_year_are_deleted(carvin, school, amelie):
    with at(START):
        old = audit(amelie, "accounts.view", user=None, site=carvin)
    with at(months_after(START, 11)):
        recent = audit(amelie, "accounts.view", user=None, site=carvin)

    with at(months_after(START, 12) + timedelta(days=1)):
        report = retention_apply(site=carvin)

    assert report.log_entries_deleted == 1
    assert not AuditLogEntry.objects.filter(pk=old.pk).exists()
    assert AuditLogEntry.objects.filter(pk=recent.pk).exists()


def test_an_account_with_a_request_being_processed_is_kept(carvin, school, amelie):
    User.objects.filter(pk=amelie.pk).update(last_login=START)
    with at(START):
        school_request(school, amelie)  # still "in progress" two years later

    with at(months_after(START, 25)):
        report = retention_apply(site=carvin)

    assert (report.accounts_warned, report.accounts_erased) == (0, 0)
    assert User.objects.filter(pk=amelie.pk).exists()


def test_the_requests_export_carries_no_personal_data_of_anonymised_requests(
    client, carvin, school, amelie, supervisor_of
):
    from django.urls import reverse

    from tests.services.tracking_factories import content_of

    with at(START):
        old = decided(school_request(school, amelie, allergies="Arachides"))
    with at(months_after(START, 13)):
        retention_apply(site=carvin)
        recent = school_request(school, amelie, allergies="Gluten")
    client.force_login(supervisor_of(carvin))

    response = client.get(reverse("services_export_procedure", args=[school.pk]) + "?export=csv")

    exported = content_of(response).decode()
    assert old.reference in exported and recent.reference in exported
    assert "Gluten" in exported and "Arachides" not in exported
    assert exported.count("Amélie") == 1
