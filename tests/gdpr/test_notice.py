"""What citizens are told about their data, and the demo's GDPR settings."""

from django.utils import translation

from cms.models import CommuneSettings
from services.models import ServicePage
from tests.services.factories import service_page
from tests.services.tracking_factories import CARVIN


def test_the_demarche_page_tells_the_purpose_basis_and_retention(client, carvin):
    CommuneSettings.objects.filter(site=carvin).update(dpo_email="dpo@carvin.test")
    page = service_page(
        carvin,
        "Inscription scolaire",
        processing_purpose="Inscrire un enfant à l'école publique.",
        retention_months=18,
    )

    with translation.override("en"):
        response = client.get(page.url, HTTP_ACCEPT_LANGUAGE="en", **CARVIN)

    content = " ".join(response.content.decode().split())
    assert response.status_code == 200
    assert 'id="privacy-title"' in content
    assert "Inscrire un enfant à l&#x27;école publique." in content
    assert "18 months after your request is decided or closed" in content
    assert "after 30 days without change" in content
    assert "mailto:dpo@carvin.test" in content


def test_the_demo_demarches_and_communes_say_how_they_process_data(demo):
    pages = ServicePage.objects.all()
    assert pages
    assert all(page.processing_purpose and page.retention_months for page in pages)
    assert {page.legal_basis for page in pages} >= {"public_task", "legal_obligation"}
    for commune in CommuneSettings.objects.exclude(site__hostname="localhost"):
        assert commune.dpo_email and commune.dpo_name
