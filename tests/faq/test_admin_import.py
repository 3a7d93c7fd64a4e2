from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.conftest import SEEDS

CARVIN_SEED = (SEEDS / "faq-carvin.md").read_bytes()


def upload(name="faq.md", content=CARVIN_SEED):
    return SimpleUploadedFile(name, content, content_type="text/markdown")


def test_communication_staff_import_a_document_from_the_admin(client, carvin, faq_of, staff_of):
    client.force_login(staff_of(carvin))
    page = faq_of(carvin)

    form = client.get(reverse("faq_import", args=[page.pk]))
    response = client.post(
        reverse("faq_import", args=[page.pk]), {"document": upload(), "publish": "on"}
    )

    assert form.status_code == 200
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.live and len(page.body) == 5
    assert not page.has_unpublished_changes


def test_the_faq_edit_page_offers_the_import(client, carvin, faq_of, staff_of):
    client.force_login(staff_of(carvin))
    page = faq_of(carvin)

    html = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content.decode()

    assert reverse("faq_import", args=[page.pk]) in html


def test_an_error_in_the_document_is_shown_and_its_text_kept(client, carvin, faq_of, staff_of):
    client.force_login(staff_of(carvin))
    page = faq_of(carvin)
    broken = CARVIN_SEED.replace("### Pourquoi créer un compte ?".encode(), b"### Pourquoi ?")

    response = client.post(
        reverse("faq_import", args=[page.pk]), {"document": upload(content=broken)}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Pourquoi créer un compte ?" in html
    assert "Ligne 19" in html
    assert "Quel est mon identifiant" in response.context["form"]["text"].value()
    page.refresh_from_db()
    assert len(page.body) == 0


def test_the_corrected_text_can_be_imported_without_the_file(client, carvin, faq_of, staff_of):
    client.force_login(staff_of(carvin))
    page = faq_of(carvin)

    response = client.post(
        reverse("faq_import", args=[page.pk]),
        {"text": CARVIN_SEED.decode(), "publish": "on"},
    )

    assert response.status_code == 302
    page.refresh_from_db()
    assert len(page.body) == 5


def test_agents_can_only_import_as_a_draft(client, carvin, faq_of, staff_of):
    client.force_login(staff_of(carvin, "Agents"))
    page = faq_of(carvin)

    client.post(reverse("faq_import", args=[page.pk]), {"document": upload(), "publish": "on"})

    page.refresh_from_db()
    assert len(page.body) == 0
    assert page.has_unpublished_changes


def test_staff_of_another_commune_get_a_404(client, carvin, saint_andre, faq_of, staff_of):
    client.force_login(staff_of(carvin))

    response = client.get(reverse("faq_import", args=[faq_of(saint_andre).pk]))

    assert response.status_code == 404
