import re
from html import unescape

import pytest
from django.core import mail

from services.models import Submission, SubmissionStatus
from tests.accounts.factories import citizen, member
from tests.services.factories import BIRTH_FORM, PDF, field, pdf_file, service_page, step

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(carvin):
    return citizen(
        carvin, validated=True, members=[member("Léa"), member("Hugo", relationship="child")]
    )


@pytest.fixture
def school(carvin):
    return service_page(carvin)


def host(site):
    return {"HTTP_HOST": site.hostname}


def step_url(page, number):
    return f"{page.url}etape/{number}/"


def test_school_enrolment_from_first_step_to_receipt(
    client, carvin, family, school, django_capture_on_commit_callbacks
):
    client.force_login(family)
    lea = family.household_members.get(first_name="Léa")

    response = client.get(step_url(school, 1), **host(carvin))
    assert response.status_code == 200
    assert (
        "Étape 1 sur 2" in response.content.decode() or "Step 1 of 2" in response.content.decode()
    )

    response = client.post(
        step_url(school, 1),
        {
            "enfant": str(lea.pk),
            "prenom": "Léa",
            "classe": "CP",
            "allergies": "no",
            "action": "next",
        },
        **host(carvin),
    )
    assert response.status_code == 302
    assert response["Location"].endswith("etape/2/")

    response = client.post(
        step_url(school, 2),
        {"domicile": pdf_file(), "livret__by_post": "on", "certifie": "on", "action": "next"},
        **host(carvin),
    )
    assert response.status_code == 302
    assert response["Location"].endswith("verification/")

    response = client.get(response["Location"], **host(carvin))
    page = response.content.decode()
    assert "Léa Lire" in page and "justificatif.pdf" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{school.url}verification/", {}, **host(carvin))
    assert response.status_code == 302
    submission = Submission.objects.get(account=family)
    assert submission.status == SubmissionStatus.SUBMITTED
    assert re.fullmatch(r"CAR-\d{4}-000001", submission.reference)
    assert submission.member == lea
    assert submission.data["livret"] == {"by_post": True}
    assert submission.data["domicile"]["name"] == "justificatif.pdf"
    assert "allergies_detail" not in submission.data
    assert submission.page_revision == school.live_revision
    assert submission.attachments.count() == 1

    response = client.get(response["Location"], **host(carvin))
    assert submission.reference in response.content.decode()
    assert len(mail.outbox) == 1
    assert submission.reference in mail.outbox[0].subject
    names = [name for name, _content, _type in mail.outbox[0].attachments]
    assert names == [
        f"recepisse-{submission.reference}.pdf",
        f"bordereau-{submission.reference}.pdf",
    ]


def test_hidden_field_is_ignored_whatever_the_browser_sends(client, carvin, family, school):
    client.force_login(family)
    lea = family.household_members.get(first_name="Léa")
    client.post(
        step_url(school, 1),
        {
            "enfant": str(lea.pk),
            "prenom": "Léa",
            "classe": "CP",
            "allergies": "no",
            "allergies_detail": "forged",
        },
        **host(carvin),
    )
    draft = Submission.objects.get(account=family)
    assert draft.progress["reached"] == 2


def test_condition_makes_field_required_when_it_holds(client, carvin, family, school):
    client.force_login(family)
    lea = family.household_members.get(first_name="Léa")
    response = client.post(
        step_url(school, 1),
        {"enfant": str(lea.pk), "prenom": "Léa", "classe": "CP", "allergies": "yes"},
        **host(carvin),
    )
    assert response.status_code == 200
    assert "allergies_detail" in response.context["form"].errors


def test_errors_keep_everything_typed_and_files_that_passed(client, carvin, family, school):
    client.force_login(family)
    lea = family.household_members.get(first_name="Léa")
    client.post(
        step_url(school, 1),
        {"enfant": str(lea.pk), "prenom": "Léa", "classe": "CP", "allergies": "no"},
        **host(carvin),
    )
    fake = pdf_file("livret.pdf", b"MZ\x90\x00 this is an executable, not a PDF")
    response = client.post(
        step_url(school, 2),
        {"domicile": pdf_file(), "livret": fake},
        **host(carvin),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "livret" in form.errors
    assert "livret.pdf" in str(form.errors["livret"])
    assert "certifie" in form.errors
    # The good file is kept: it need not be chosen again.
    draft = Submission.objects.get(account=family)
    assert list(draft.attachments.values_list("name", flat=True)) == ["justificatif.pdf"]
    assert "justificatif.pdf" in response.content.decode()


def test_file_too_big_is_refused_with_the_limit(client, carvin, family, school):
    client.force_login(family)
    lea = family.household_members.get(first_name="Léa")
    client.post(
        step_url(school, 1),
        {"enfant": str(lea.pk), "prenom": "Léa", "classe": "CP", "allergies": "no"},
        **host(carvin),
    )
    big = pdf_file("gros.pdf", PDF + b"0" * (1024 * 1024 + 10))
    response = client.post(step_url(school, 2), {"domicile": big, "certifie": "on"}, **host(carvin))
    assert "1 MB" in str(response.context["form"].errors["domicile"]) or "1 Mo" in str(
        response.context["form"].errors["domicile"]
    )


def test_previous_keeps_what_was_typed(client, carvin, family, school):
    client.force_login(family)
    lea = family.household_members.get(first_name="Léa")
    client.post(
        step_url(school, 1),
        {"enfant": str(lea.pk), "prenom": "Léa", "classe": "CP", "allergies": "no"},
        **host(carvin),
    )
    client.post(step_url(school, 2), {"domicile": pdf_file(), "action": "previous"}, **host(carvin))
    response = client.get(step_url(school, 1), **host(carvin))
    assert response.context["form"]["classe"].value() == "CP"
    response = client.get(step_url(school, 2), **host(carvin))
    assert "justificatif.pdf" in response.content.decode()


def test_draft_resumes_on_another_device(client, django_user_model, carvin, family, school):
    from django.test import Client

    client.force_login(family)
    lea = family.household_members.get(first_name="Léa")
    client.post(
        step_url(school, 1),
        {
            "enfant": str(lea.pk),
            "prenom": "Léa",
            "classe": "CP",
            "allergies": "no",
            "action": "save",
        },
        **host(carvin),
    )
    other = Client()
    other.force_login(family)
    response = other.get(school.url, **host(carvin))
    assert response.context["draft"] is not None
    response = other.get(step_url(school, 1), **host(carvin))
    assert response.context["form"]["classe"].value() == "CP"


def test_prefill_from_the_chosen_member(client, carvin, family, school):
    client.force_login(family)
    response = client.get(step_url(school, 1), **host(carvin))
    assert response.context["form"]["prenom"].value() in (None, "")


def test_cannot_skip_ahead(client, carvin, family, school):
    client.force_login(family)
    response = client.get(step_url(school, 2), **host(carvin))
    assert response.status_code == 302
    assert response["Location"].endswith("etape/1/")


def test_account_required_sends_anonymous_to_login(client, carvin, school):
    response = client.get(step_url(school, 1), **host(carvin))
    assert response.status_code == 302
    assert "/compte/connexion/" in response["Location"]


def test_anonymous_birth_certificate_request(client, carvin, settings):
    page = service_page(carvin, "Acte de naissance", BIRTH_FORM, requires_account=False)
    response = client.post(
        step_url(page, 1),
        {
            "_contact_first_name": "Marie",
            "_contact_last_name": "Curie",
            "_contact_email": "marie@example.org",
            "_contact_phone": "06 12 34 56 78",
        },
        **host(carvin),
    )
    assert response.status_code == 302, response.context["form"].errors
    response = client.post(
        step_url(page, 2),
        {
            "type_acte": "Copie intégrale",
            "nom": "Curie",
            "date_naissance": "1967-11-07",
            "exemplaires": "2",
            "adresse__street": "1 rue Pierre",
            "adresse__postcode": "75005",
            "adresse__city": "Paris",
        },
        **host(carvin),
    )
    assert response.status_code == 302, response.context["form"].errors
    response = client.get(f"{page.url}verification/", **host(carvin))
    assert "captcha" in response.context["captcha_form"].fields
    captcha = response.context["captcha_form"].fields["captcha"]
    from accounts.captcha import AltchaField

    assert isinstance(captcha, AltchaField)


def test_reading_a_demarche_keeps_nothing_until_the_visitor_sends_something(client, carvin):
    from django.contrib.sessions.models import Session
    from django.test import Client

    page = service_page(carvin, "Acte de naissance", BIRTH_FORM, requires_account=False)
    for _ in range(50):
        assert Client().get(step_url(page, 1), **host(carvin)).status_code == 200
    assert Client().get(step_url(page, 2), **host(carvin)).status_code == 302
    assert Client().get(f"{page.url}verification/", **host(carvin)).status_code == 302
    assert (Submission.objects.count(), Session.objects.count()) == (0, 0)

    client.get(step_url(page, 1), **host(carvin))
    client.post(
        step_url(page, 1),
        {"_contact_first_name": "Marie", "_contact_last_name": "", "action": "next"},
        **host(carvin),
    )

    draft = Submission.objects.get()
    assert draft.status == SubmissionStatus.DRAFT and draft.account is None
    assert Session.objects.count() == 1
    response = client.get(step_url(page, 1), **host(carvin))
    assert response.context["form"]["_contact_first_name"].value() == "Marie"
    assert Submission.objects.count() == 1


def test_opening_a_demarche_makes_no_draft_on_the_citizens_account(client, carvin, family, school):
    client.force_login(family)

    client.get(step_url(school, 1), **host(carvin))
    response = client.get(school.url, **host(carvin))

    assert response.context["draft"] is None
    assert not Submission.objects.exists()


def test_admin_preview_shows_the_whole_form(carvin, school):
    response = school.make_preview_request(preview_mode="form")
    response.render()
    html = response.content.decode()
    assert "Justificatif de domicile" in html and "Pour quel enfant ?" not in html
    assert "Classe" in html and 'type="file"' in html


def test_services_index_lists_pages_by_category(client, carvin, school):
    service_page(
        carvin, "Acte de naissance", BIRTH_FORM, requires_account=False, category="État civil"
    )
    response = client.get("/services/", **host(carvin))
    categories = [category.name for category, _pages in response.context["catalogue"].groups]
    assert categories == ["Enfance", "État civil"]


def documents_form(count):
    """A démarche of one step asking for ``count`` documents, each of which
    may be promised by post, and a name."""
    return [
        step(
            "Justificatifs",
            field("short_text", "Nom", "nom"),
            *(
                field(
                    "document",
                    f"Pièce {n}",
                    f"piece{n}",
                    types=["pdf"],
                    max_size=1,
                    by_post=True,
                    required=False,
                )
                for n in range(1, count + 1)
            ),
        )
    ]


def test_a_step_that_fails_to_be_saved_leaves_no_draft_behind(client, carvin, family, monkeypatch):
    page = service_page(carvin, "Permis de construire", documents_form(1))
    client.force_login(family)

    def storage_down(**kwargs):
        raise OSError("storage unavailable")

    monkeypatch.setattr("services.services._attach", storage_down)
    with pytest.raises(OSError):
        client.post(step_url(page, 1), {"nom": "Lire", "piece1": pdf_file()}, **host(carvin))

    assert not Submission.objects.exists()
    response = client.get(page.url, **host(carvin))
    assert response.context["draft"] is None


def test_errors_on_the_first_step_keep_what_was_typed_and_the_files_that_passed(
    client, carvin, family
):
    page = service_page(carvin, "Permis de construire", documents_form(2))
    client.force_login(family)

    response = client.post(step_url(page, 1), {"piece1": pdf_file()}, **host(carvin))

    assert response.status_code == 200
    assert "nom" in response.context["form"].errors
    assert "justificatif.pdf" in response.content.decode()
    draft = Submission.objects.get(account=family)
    assert list(draft.attachments.values_list("key", flat=True)) == ["piece1"]
    response = client.post(step_url(page, 1), {"nom": "Lire"}, **host(carvin))
    assert response.status_code == 302
    assert list(draft.attachments.values_list("key", flat=True)) == ["piece1"]


def test_a_step_asks_no_more_queries_for_more_document_fields(client, carvin, family):
    """The documents of a step are read in one query, however many it asks for."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(family)

    def queries_of_a_step(count, files):
        title = f"{count} pièces, {'envoyées' if files else 'par courrier'}"
        page = service_page(carvin, title, documents_form(count))
        client.post(step_url(page, 1), {"nom": "Lire"}, **host(carvin))
        data = {"nom": "Lire"}
        for n in range(1, count + 1):
            data.update({f"piece{n}": pdf_file()} if files else {f"piece{n}__by_post": "on"})
        with CaptureQueriesContext(connection) as queries:
            response = client.post(step_url(page, 1), data, **host(carvin))
        assert response.status_code == 302
        sql = [q["sql"] for q in queries if "django_session" not in q["sql"]]
        reading_documents = [
            s for s in sql if s.startswith("SELECT") and "services_attachment" in s
        ]
        return len(sql), len(reading_documents)

    assert queries_of_a_step(1, files=False) == queries_of_a_step(3, files=False)
    assert queries_of_a_step(1, files=True)[1] == queries_of_a_step(3, files=True)[1] <= 2


def test_a_file_also_promised_by_post_is_kept_and_the_citizen_asked_which_one(
    client, carvin, family, school
):
    client.force_login(family)
    lea = family.household_members.get(first_name="Léa")
    client.post(
        step_url(school, 1),
        {"enfant": str(lea.pk), "prenom": "Léa", "classe": "CP", "allergies": "no"},
        **host(carvin),
    )

    both = client.post(
        step_url(school, 2),
        {
            "domicile": pdf_file(),
            "livret": pdf_file("livret.pdf"),
            "livret__by_post": "on",
            "certifie": "on",
            "action": "next",
        },
        **host(carvin),
    )

    html = unescape(both.content.decode())
    assert both.status_code == 200
    assert "choisissez l'un ou l'autre" in html
    assert "Fichier joint : livret.pdf" in html
    assert "Retirer ce fichier" in html
    draft = Submission.objects.get(account=family)
    assert sorted(draft.attachments.values_list("name", flat=True)) == [
        "justificatif.pdf",
        "livret.pdf",
    ]

    by_post = client.post(
        step_url(school, 2),
        {"livret__by_post": "on", "livret__remove": "on", "certifie": "on", "action": "next"},
        **host(carvin),
    )

    assert by_post.status_code == 302
    assert list(draft.attachments.filter(current=True).values_list("name", flat=True)) == [
        "justificatif.pdf"
    ]
    review = client.get(by_post["Location"], **host(carvin)).content.decode()
    assert "livret.pdf" not in review
    assert "Envoi par courrier prévu" in review
