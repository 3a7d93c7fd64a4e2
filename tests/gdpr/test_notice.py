"""What citizens are told about their data, and the demo's GDPR settings."""

from django.utils import translation
from django.utils.html import escape

from cms.models import CommuneSettings, LegalBasis
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

    response = client.get(page.url, **CARVIN)

    content = response.content.decode()
    assert response.status_code == 200
    notice = " ".join(
        content[content.index('class="privacy-notice"') :].split("</section>")[0].split()
    )
    assert 'id="privacy-title"' in notice
    assert "Inscrire un enfant à l&#x27;école publique." in notice
    with translation.override(translation.get_language_from_request(response.wsgi_request)):
        assert escape(str(LegalBasis.PUBLIC_TASK.label)) in notice
    assert "18 " in notice and "30 " in notice  # months kept, days for a draft
    assert "mailto:dpo@carvin.test" in notice


def test_the_demo_demarches_and_communes_say_how_they_process_data(demo):
    pages = ServicePage.objects.all()
    assert pages
    assert all(page.processing_purpose and page.retention_months for page in pages)
    assert {page.legal_basis for page in pages} >= {"public_task", "legal_obligation"}
    for commune in CommuneSettings.objects.exclude(site__hostname="localhost"):
        assert commune.dpo_email and commune.dpo_name
