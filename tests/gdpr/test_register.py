"""Reports › Register of processing activities, for the commune's DPO."""

import csv
import io

import openpyxl
import pytest
from django.utils import translation

from cms.models import CommuneSettings
from tests.services.factories import BIRTH_FORM, service_page
from tests.services.tracking_factories import content_of, pdf_text

URL = "/admin/reports/processing-register/"


@pytest.fixture
def communes(carvin, saint_andre):
    CommuneSettings.objects.filter(site=carvin).update(
        dpo_name="Claire Protège", dpo_email="dpo@carvin.test"
    )
    school = service_page(
        carvin,
        "Inscription scolaire",
        processing_purpose="Inscrire un enfant à l'école publique.",
        legal_basis="public_task",
        retention_months=36,
    )
    birth = service_page(
        carvin,
        "Acte de naissance",
        BIRTH_FORM,
        requires_account=False,
        legal_basis="legal_obligation",
    )
    bins = service_page(saint_andre, "Bacs à ordures", processing_purpose="Livrer un bac.")
    return {"school": school, "birth": birth, "bins": bins}


def names(response):
    return [processing.name for processing in response.context["object_list"]]


def english(client, user):
    from tests.services.test_back_office import in_english

    in_english(user)
    client.force_login(user)


def test_the_register_lists_each_demarche_with_what_its_form_collects(
    client, carvin, communes, supervisor_of
):
    english(client, supervisor_of(carvin))

    response = client.get(URL)

    assert response.status_code == 200
    rows = {p.name: p for p in response.context["object_list"]}
    assert {"Inscription scolaire", "Acte de naissance"} <= set(rows)
    school = rows["Inscription scolaire"]
    assert school.purpose == "Inscrire un enfant à l'école publique."
    assert "6(1)(e)" in school.legal_basis
    assert "Classe (single choice)" in school.data_categories
    assert "Votre enfant a-t-il des allergies ? (yes or no)" in school.data_categories
    assert "Justificatif de domicile, Livret de famille" in school.data_categories
    assert school.retention.startswith("36 months")
    birth = rows["Acte de naissance"]
    assert "6(1)(c)" in birth.legal_basis
    assert "Nom de naissance" in birth.data_categories
    assert birth.retention.startswith("36 months")  # the commune's default
    portal = {"Citizen accounts and households", "Invoices and online payments"}
    assert portal <= set(rows)
    assert "Log of the agents' actions" in rows
    assert all(p.transfers == "No transfer" for p in rows.values())
    content = response.content.decode()
    assert "Claire Protège" in content and "dpo@carvin.test" in content


def test_a_supervisor_never_sees_another_communes_register(
    client, carvin, saint_andre, communes, supervisor_of
):
    client.force_login(supervisor_of(carvin))

    own = client.get(URL)
    other = client.get(f"{URL}?commune={saint_andre.pk}")
    export = client.get(f"{URL}?commune={saint_andre.pk}&export=csv")

    assert "Bacs à ordures" not in names(own)
    assert b"Bacs" not in own.content
    assert other.status_code == 404 and export.status_code == 404


def test_agents_do_not_reach_the_register(client, carvin, communes):
    from tests.services.test_back_office import staff

    client.force_login(staff(carvin, "Agents", "marie"))

    response = client.get(URL)

    assert response.status_code in (302, 403)


def test_platform_admins_choose_the_commune(client, admin_user, carvin, saint_andre, communes):
    client.force_login(admin_user)

    response = client.get(f"{URL}?commune={saint_andre.pk}")

    assert "Bacs à ordures" in names(response)
    assert "Inscription scolaire" not in names(response)
    assert b'name="commune"' in response.content


def test_csv_and_xlsx_exports_hold_the_register(client, carvin, communes, supervisor_of):
    english(client, supervisor_of(carvin))

    csv_response = client.get(f"{URL}?export=csv")
    xlsx_response = client.get(f"{URL}?export=xlsx")

    assert "registre-traitements-carvin" in csv_response["Content-Disposition"]
    rows = list(
        csv.reader(io.StringIO(content_of(csv_response).decode("utf-8-sig")), delimiter=";")
    )
    assert rows[0][:3] == ["Processing", "Purpose", "Legal basis"]
    school = next(row for row in rows if row[0] == "Inscription scolaire")
    assert school[1] == "Inscrire un enfant à l'école publique."
    assert "Classe (single choice)" in school[4]
    sheet = openpyxl.load_workbook(io.BytesIO(content_of(xlsx_response))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][-1] == "Security measures"
    assert any(row[0] == "Acte de naissance" for row in values)


def test_the_pdf_is_a_register_a_dpo_can_file(client, carvin, communes, supervisor_of):
    english(client, supervisor_of(carvin))

    response = client.get(f"{URL}?export=pdf")

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    with translation.override("en"):
        text = " ".join(pdf_text(content_of(response)).split())
    assert "Register of processing activities" in text
    assert "Claire Protège" in text and "dpo@carvin.test" in text
    assert "Inscription scolaire" in text and "Acte de naissance" in text
    assert "Inscrire un enfant à l'école publique." in text
    assert "Citizen accounts and households" in text
    assert "Bacs" not in text
