"""Supervisors export the requests of a démarche; agents print a request for
the paper archive."""

import csv
import io
import shutil
from datetime import UTC, datetime

import pytest
from django.core.files.base import ContentFile
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from wagtail.models import Locale
from wagtail.users.models import UserProfile

from cms.models import AuditLogEntry
from services.admin.exports import archive_pdf_url, export_links
from services.exports import answer_cells
from services.fields.schema import Block
from services.models import (
    InternalNote,
    MessageAttachment,
    RequestMessage,
    StatusChange,
    Submission,
    SubmissionStatus,
)
from services.services import submission_change_status, submission_start
from tests.accounts.factories import citizen
from tests.services.factories import PDF, field, service_page, step, submission
from tests.services.tracking_factories import content_of, pdf_text

EXPORT = "services_export_procedure"

FIRST_FORM = [
    step(
        "La réservation",
        field("short_text", "Nom de l'association", "association"),
        field("choice", "Salle", "salle", choices="Grande salle\nPetite salle"),
        field("short_text", "Nombre de tables", "tables"),
        field("date", "Date de l'événement", "date_evenement"),
    ),
    step(
        "Justificatifs",
        field(
            "document",
            "Attestation d'assurance",
            "assurance",
            types=["pdf"],
            max_size=1,
            by_post=True,
        ),
    ),
]

# The second version renames “Salle”, adds a question and drops the tables.
SECOND_FORM = [
    step(
        "La réservation",
        field("short_text", "Nom de l'association", "association"),
        field("choice", "Salle souhaitée", "salle", choices="Grande salle\nPetite salle"),
        field("yes_no", "Besoin d'une sonorisation ?", "sono"),
        field("date", "Date de l'événement", "date_evenement"),
    ),
    FIRST_FORM[1],
]

HEADER = [
    "Number",
    "Status",
    "Sent on",
    "Status changed on",
    "Requester",
    "E-mail address",
    "Person concerned",
    "Service",
    "Assigned to",
    "Messages",
    "Nom de l'association",
    "Salle souhaitée",
    "Besoin d'une sonorisation ?",
    "Date de l'événement",
    "Attestation d'assurance",
    "Nombre de tables",
]


def in_english(user):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


def sent_on(request, *when):
    Submission.objects.filter(pk=request.pk).update(submitted_at=datetime(*when, tzinfo=UTC))
    request.refresh_from_db()
    return request


@pytest.fixture
def supervisor(carvin, staff_of):
    return in_english(staff_of(carvin, "Supervisors"))


@pytest.fixture
def agent(carvin, staff_of):
    return in_english(staff_of(carvin, "Agents"))


@pytest.fixture
def room(carvin):
    return service_page(carvin, "Réservation de salle", FIRST_FORM)


@pytest.fixture
def old_request(room, supervisor):
    """Made with the first version of the form, then accepted."""
    request = submission(
        room,
        citizen(room.get_site(), "Amélie", "Lire", validated=True),
        data={
            "association": '=HYPERLINK("http://example.com/x","Cliquez")',
            "salle": "Grande salle",
            "tables": "12",
            "date_evenement": "2026-12-05",
        },
        files={"assurance": ("assurance.pdf", PDF, "application/pdf")},
    )
    submission_change_status(
        submission=request, status=SubmissionStatus.ACCEPTED, author=supervisor
    )
    return sent_on(request, 2026, 3, 2, 9, 30)


@pytest.fixture
def new_request(room, old_request, agent):
    """Made with the second version of the form, the insurance promised by
    post and received, assigned to an agent."""
    assignee = agent
    room.form = SECOND_FORM
    room.save_revision().publish()
    room.refresh_from_db()
    request = submission(
        room,
        citizen(room.get_site(), "Bruno", "Caron", validated=True),
        data={
            "association": "Les Amis du Bois",
            "salle": "Petite salle",
            "sono": True,
            "date_evenement": "2027-01-16",
            "assurance": {"by_post": True},
        },
    )
    Submission.objects.filter(pk=request.pk).update(
        received_by_post={"assurance": {"on": "2026-11-20", "by": "Régie"}},
        assigned_to=assignee,
    )
    return sent_on(request, 2026, 11, 10, 14, 0)


@pytest.fixture
def draft(room, new_request):
    account = citizen(room.get_site(), "Chloé", "Dubois", validated=True)
    return submission_start(site=room.get_site(), page=room, account=account)


def export(client, page, **params):
    return client.get(reverse(EXPORT, args=[page.pk]), params)


def csv_rows(response) -> list[list[str]]:
    content = content_of(response)
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def xlsx_rows(response) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(content_of(response))).active
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)
    return [tuple("" if v is None else v for v in row) for row in sheet.iter_rows(values_only=True)]


def by_reference(rows):
    return {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}


def test_supervisor_exports_a_procedure_as_csv_with_a_column_per_field_in_form_order(
    client, supervisor, old_request, new_request, draft
):
    client.force_login(supervisor)

    response = export(client, old_request.page, export="csv")

    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="demandes-reservation-de-salle-' in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0] == HEADER
    assert len(rows) == 3
    cells = by_reference(rows)
    old = cells[old_request.reference]
    assert old["Status"] == "Validé"
    assert old["Sent on"] == "2026-03-02 10:30"
    assert old["Requester"] == "Amélie Lire"
    assert old["E-mail address"] == "amélie.lire@example.org"
    assert old["Salle souhaitée"] == "Grande salle"
    assert old["Date de l'événement"] == "5 December 2026"
    assert old["Attestation d'assurance"] == "assurance.pdf"
    assert old["Nombre de tables"] == "12"
    assert old["Besoin d'une sonorisation ?"] == ""
    new = cells[new_request.reference]
    assert new["Status"] == "En cours"
    assert new["Nom de l'association"] == "Les Amis du Bois"
    assert new["Besoin d'une sonorisation ?"] == "Yes"
    assert new["Attestation d'assurance"] == "Will be sent by post (received by post)"
    assert new["Nombre de tables"] == ""
    assert new["Assigned to"] == "agents.carvin.localhost"
    assert old["Messages"] == "0"


def test_formula_looking_answers_are_neutralised_in_the_csv(client, supervisor, old_request):
    client.force_login(supervisor)

    cells = by_reference(csv_rows(export(client, old_request.page)))

    assert cells[old_request.reference]["Nom de l'association"] == (
        '\'=HYPERLINK("http://example.com/x","Cliquez")'
    )


def test_supervisor_exports_a_procedure_as_xlsx(client, supervisor, old_request, new_request):
    client.force_login(supervisor)

    response = export(client, old_request.page, export="xlsx")

    assert response.status_code == 200
    assert '.xlsx"' in response["Content-Disposition"]
    rows = xlsx_rows(response)
    assert list(rows[0]) == HEADER
    cells = by_reference(rows)
    old = cells[old_request.reference]
    assert old["Sent on"] == datetime(2026, 3, 2, 10, 30)
    assert old["Nom de l'association"] == '=HYPERLINK("http://example.com/x","Cliquez")'
    assert old["Nombre de tables"] == "12"
    assert cells[new_request.reference]["Salle souhaitée"] == "Petite salle"


def test_the_export_keeps_the_filters_of_the_requests_screen(
    client, supervisor, old_request, new_request
):
    client.force_login(supervisor)

    accepted = by_reference(csv_rows(export(client, old_request.page, status="accepted")))
    recent = by_reference(
        csv_rows(export(client, old_request.page, submitted_at_after="2026-06-01"))
    )
    early = by_reference(
        csv_rows(export(client, old_request.page, submitted_at_before="2026-06-01"))
    )

    assert list(accepted) == [old_request.reference]
    assert list(recent) == [new_request.reference]
    assert list(early) == [old_request.reference]


def test_an_unknown_filter_value_exports_nothing_rather_than_everything(
    client, supervisor, old_request
):
    client.force_login(supervisor)

    response = export(client, old_request.page, status="everything")

    assert response.status_code == 400
    assert not AuditLogEntry.objects.filter(action="services.export").exists()


@pytest.mark.parametrize("assigned", ["0001-01-01", "99999999999999999999999", "٣"])
def test_an_assignment_that_names_no_agent_exports_no_request(
    client, supervisor, old_request, assigned
):
    client.force_login(supervisor)

    response = export(client, old_request.page, assigned=assigned)

    assert response.status_code == 200
    assert old_request.reference not in b"".join(response.streaming_content).decode("utf-8-sig")


def test_the_export_includes_requests_made_on_a_translation_of_the_page(
    client, supervisor, old_request
):
    english = Locale.objects.get_or_create(language_code="en")[0]
    translation = old_request.page.copy_for_translation(english, copy_parents=True)
    Submission.objects.filter(pk=old_request.pk).update(page=translation)
    client.force_login(supervisor)

    cells = by_reference(csv_rows(export(client, old_request.page)))

    assert list(cells) == [old_request.reference]


def test_drafts_are_never_exported(client, supervisor, new_request, draft):
    client.force_login(supervisor)

    rows = csv_rows(export(client, new_request.page))

    assert Submission.objects.filter(page=new_request.page).count() == 3
    assert len(rows) == 3
    assert all(row[0] for row in rows)


def test_each_export_is_written_to_the_communes_log_with_its_row_count(
    client, carvin, supervisor, old_request, new_request
):
    client.force_login(supervisor)

    content_of(export(client, old_request.page, export="xlsx", status="accepted"))

    entry = AuditLogEntry.objects.get(action="services.export")
    assert entry.user == supervisor
    assert entry.site == carvin
    assert entry.object_id == str(old_request.page.pk)
    assert entry.data == {"format": "xlsx", "rows": 1, "filters": {"status": "accepted"}}


def test_an_agent_without_the_export_permission_gets_no_file(client, agent, old_request):
    client.force_login(agent)

    response = export(client, old_request.page)

    assert response.status_code == 404
    assert not AuditLogEntry.objects.filter(action="services.export").exists()
    assert export_links(agent, old_request.page) == []


def test_a_supervisor_of_another_commune_cannot_export_the_procedure(
    client, saint_andre, staff_of, old_request
):
    other = in_english(staff_of(saint_andre, "Supervisors"))
    client.force_login(other)

    response = export(client, old_request.page)

    assert response.status_code == 404
    assert export_links(other, old_request.page) == []


def test_export_links_offer_csv_and_xlsx_to_a_supervisor(client, supervisor, old_request):
    client.force_login(supervisor)

    with translation.override("en"):
        links = export_links(supervisor, old_request.page, {"status": "accepted"})

    assert [label for label, _url in links] == ["Download CSV", "Download XLSX"]
    response = client.get(links[1][1])
    assert '.xlsx"' in response["Content-Disposition"]
    assert len(xlsx_rows(response)) == 2


needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is needed"
)


@pytest.fixture
def followed(new_request, supervisor):
    """A request sent back to the citizen, corrected, with an internal note."""
    StatusChange.objects.create(
        submission=new_request,
        status=SubmissionStatus.INCOMPLETE,
        previous_status=SubmissionStatus.SUBMITTED,
        author=supervisor,
        message="Merci de préciser la salle.",
        requested=[{"key": "salle", "label": "Salle souhaitée"}],
    )
    StatusChange.objects.create(
        submission=new_request,
        status=SubmissionStatus.SUBMITTED,
        previous_status=SubmissionStatus.INCOMPLETE,
        changes=[
            {
                "key": "salle",
                "label": "Salle souhaitée",
                "before": "Grande salle",
                "after": "Petite salle",
            }
        ],
    )
    InternalNote.objects.create(
        submission=new_request, author=supervisor, text="Le président a appelé le 4 mars."
    )
    question = RequestMessage.objects.create(
        site=new_request.site,
        submission=new_request,
        sender=RequestMessage.Sender.CITIZEN,
        author=new_request.account,
        text="La petite salle a-t-elle une cuisine ?",
    )
    MessageAttachment.objects.create(
        site=new_request.site,
        message=question,
        file=ContentFile(PDF, name="plan.pdf"),
        name="plan-de-table.pdf",
        size=len(PDF),
        content_type="application/pdf",
    )
    RequestMessage.objects.create(
        site=new_request.site,
        submission=new_request,
        sender=RequestMessage.Sender.TOWN_HALL,
        author=supervisor,
        signature="Service vie associative",
        text="Oui, équipée d'un réfrigérateur.",
    )
    return new_request


def test_the_export_counts_the_messages_exchanged_on_each_request(
    client, supervisor, old_request, followed
):
    client.force_login(supervisor)

    cells = by_reference(csv_rows(export(client, followed.page)))
    sheet = by_reference(xlsx_rows(export(client, followed.page, export="xlsx")))

    assert cells[followed.reference]["Messages"] == "2"
    assert cells[old_request.reference]["Messages"] == "0"
    assert sheet[followed.reference]["Messages"] == 2


def flat(text: str) -> str:
    return " ".join(text.split())


@needs_pdftotext
def test_agent_prints_a_whole_request_for_the_archive(client, agent, followed):
    client.force_login(agent)

    response = client.get(archive_pdf_url(followed))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"demande-{followed.reference}.pdf" in response["Content-Disposition"]
    text = flat(pdf_text(content_of(response)))
    assert followed.reference in text
    assert "Réservation de salle" in text
    assert "Bruno Caron" in text
    assert "Nom de l'association Les Amis du Bois" in text
    assert "Salle souhaitée Petite salle" in text
    assert "Besoin d'une sonorisation ? Yes" in text
    assert "Attestation d'assurance Received by post on 20 November 2026" in text
    assert "Merci de préciser la salle." in text
    assert "ITEMS TO CORRECT • Salle souhaitée" in text
    assert "Salle souhaitée: Grande salle → Petite salle" in text
    assert "Internal notes" in text
    assert "Le président a appelé le 4 mars." in text
    assert "Messages" in text
    assert "Requester · " in text
    assert "La petite salle a-t-elle une cuisine ?" in text
    assert "plan-de-table.pdf" in text
    assert "Service vie associative" in text
    assert "Oui, équipée d'un réfrigérateur." in text
    assert text.index("History") < text.index("Messages") < text.index("Internal notes")
    assert "Page 1 / " in text


@needs_pdftotext
def test_printing_a_request_is_written_to_the_communes_log(client, carvin, agent, followed):
    client.force_login(agent)

    content_of(client.get(archive_pdf_url(followed)))

    entry = AuditLogEntry.objects.get(action="services.archive_pdf")
    assert (entry.user, entry.site, entry.object_id) == (agent, carvin, str(followed.pk))


def test_an_agent_of_another_commune_cannot_print_the_request(
    client, saint_andre, staff_of, followed
):
    client.force_login(in_english(staff_of(saint_andre, "Agents")))

    response = client.get(archive_pdf_url(followed))

    assert response.status_code == 404
    assert not AuditLogEntry.objects.filter(action="services.archive_pdf").exists()


def test_a_draft_cannot_be_printed(client, agent, draft):
    client.force_login(agent)

    assert client.get(archive_pdf_url(draft)).status_code == 404


def test_an_answer_given_when_the_field_had_another_type_is_exported_as_it_was():
    request = Submission(data={"quand": "le week-end prochain"})

    cells = answer_cells(request, Block(type="date", value={"key": "quand", "label": "Date"}))

    assert cells == {"answer:quand": "le week-end prochain"}


# Exports that a spreadsheet opened with a double click reads in French.


def test_the_csv_starts_with_a_byte_order_mark_and_separates_columns_with_semicolons(
    client, supervisor, old_request
):
    client.force_login(supervisor)

    content = content_of(export(client, old_request.page))

    first_line = content.split(b"\r\n", 1)[0].decode("utf-8")
    assert first_line.startswith("\ufeffNumber;")
    assert "," not in first_line.split(";", 1)[0]


def test_the_queue_csv_opens_in_a_french_spreadsheet(client, supervisor, old_request):
    client.force_login(supervisor)

    content = content_of(
        client.get(reverse("wagtailsnippets_services_submission:list"), {"export": "csv"})
    )

    assert content.startswith("\ufeff".encode())
    assert content.decode("utf-8-sig").split("\r\n")[0].startswith("Number;Online procedure;")


def test_the_xlsx_sheet_is_named_after_the_procedure_with_columns_sized(
    client, supervisor, old_request
):
    client.force_login(supervisor)

    sheet = load_workbook(io.BytesIO(content_of(export(client, old_request.page, export="xlsx"))))
    queue = load_workbook(
        io.BytesIO(
            content_of(
                client.get(
                    reverse("wagtailsnippets_services_submission:list"),
                    {"export": "xlsx", "status": "all"},
                )
            )
        )
    )

    assert sheet.sheetnames == ["Réservation de salle"]
    assert queue.sheetnames == ["Requests"]
    widths = {
        letter: dimension.width
        for letter, dimension in sheet.active.column_dimensions.items()
        if dimension.width
    }
    assert widths["A"] >= len(old_request.reference)
    assert max(widths.values()) > min(widths.values())


def test_the_queue_export_of_a_procedure_follows_the_queues_filters(
    client, supervisor, agent, old_request, new_request
):
    client.force_login(supervisor)
    queue = reverse("wagtailsnippets_services_submission:list")

    response = client.get(
        queue, {"page": old_request.page.pk, "status": "all", "assigned": agent.pk}
    )
    ((_label, csv_url), _xlsx) = response.context["export_links"]
    default = client.get(queue, {"page": old_request.page.pk}).context["export_links"]
    searched = client.get(
        queue, {"page": old_request.page.pk, "status": "all", "q": "Caron"}
    ).context["export_links"]

    assert list(by_reference(csv_rows(client.get(csv_url)))) == [new_request.reference]
    assert "status=to_process" in default[0][1]
    assert list(by_reference(csv_rows(client.get(searched[0][1])))) == [new_request.reference]
