"""Démarche files: a démarche exported from one commune and imported into another."""

import base64
import copy
import io
import json

import pytest
from django import forms
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from wagtail.documents import get_document_model
from wagtail.models import Collection

from demo.services import DEMARCHES, DEMARCHES_DIR
from services.exchange import (
    FORMAT,
    INVALID_FORM,
    NOT_JSON,
    NOT_JSON_AT,
    SLUG_TAKEN,
    UNKNOWN_DOCUMENT,
    UNKNOWN_PART,
    UNKNOWN_VERSION,
    WRONG_FORMAT,
    DemarcheFileError,
    demarche_dumps,
    demarche_export,
    demarche_import,
    demarche_loads,
)
from services.models import ServiceIndexPage, ServicePage
from tests.fuzzing import KEY_NAME, SCALAR_JUNK, hypothesis_settings
from tests.services.factories import service_page

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% reglement\n"


def index_of(site):
    return ServiceIndexPage.objects.descendant_of(site.root_page).get()


def reread(page):
    return ServicePage.objects.get(pk=page.pk)


def birth_file():
    return json.loads((DEMARCHES_DIR / "acte-de-naissance.json").read_text(encoding="utf-8"))


def refusal(document) -> str:
    with pytest.raises(DemarcheFileError) as error:
        demarche_loads(json.dumps(document))
    return str(error.value)


@pytest.mark.parametrize("slug", DEMARCHES)
def test_each_demo_demarche_file_reads_back_as_written(carvin, slug):
    text = (DEMARCHES_DIR / f"{slug}.json").read_text(encoding="utf-8")

    page = demarche_import(index=index_of(carvin), document=demarche_loads(text))

    assert demarche_dumps(demarche_export(page=reread(page))) == text


def test_an_exported_demarche_imported_in_another_commune_is_the_same(carvin, saint_andre):
    page = service_page(carvin, "Inscription scolaire", documents="<p>Le livret de famille</p>")
    document = demarche_export(page=page)

    copied = demarche_import(index=index_of(saint_andre), document=document)

    assert copied.get_site() == saint_andre
    assert copied.live
    assert demarche_export(page=reread(copied)) == document


def test_a_demarche_requiring_franceconnect_keeps_it_in_another_commune(carvin, saint_andre):
    page = service_page(carvin, "Attestation d'accueil", requires_franceconnect=True)
    document = demarche_export(page=page)
    assert document["page"]["requires_franceconnect"] is True

    copied = demarche_import(index=index_of(saint_andre), document=document)

    assert reread(copied).requires_franceconnect


def test_a_file_without_franceconnect_reads_as_not_requiring_it_and_is_written_so(carvin):
    document = birth_file()
    assert "requires_franceconnect" not in document["page"], "written before it existed"

    page = demarche_import(index=index_of(carvin), document=document)

    assert not reread(page).requires_franceconnect
    assert "requires_franceconnect" not in demarche_export(page=reread(page))["page"]


def test_the_time_and_what_to_have_at_hand_travel_with_the_demarche(carvin, saint_andre):
    page = service_page(
        carvin,
        "Inscription scolaire",
        duration_minutes=15,
        documents="<ul><li>Un justificatif de domicile</li></ul>",
    )
    document = demarche_export(page=page)
    assert document["page"]["duration_minutes"] == 15

    copied = reread(demarche_import(index=index_of(saint_andre), document=document))

    assert copied.duration_minutes == 15
    assert copied.documents == "<ul><li>Un justificatif de domicile</li></ul>"


def test_a_file_without_a_duration_reads_as_none_given_and_is_written_so(carvin):
    document = birth_file()
    del document["page"]["duration_minutes"]  # as written before it existed

    page = reread(
        demarche_import(index=index_of(carvin), document=demarche_loads(json.dumps(document)))
    )

    assert page.duration_minutes is None
    assert "duration_minutes" not in demarche_export(page=page)["page"]


@pytest.mark.parametrize("minutes", ["dix", "10", 0, 601, True, 5.5, [5]])
def test_a_duration_that_is_not_a_number_of_minutes_is_refused(minutes):
    document = birth_file()
    document["page"]["duration_minutes"] = minutes

    assert "duration_minutes" in refusal(document)


def test_a_franceconnect_requirement_that_is_not_a_yes_or_no_is_refused():
    document = birth_file()
    document["page"]["requires_franceconnect"] = "peut-être"

    assert "requires_franceconnect" in refusal(document)


def test_a_file_of_an_unknown_version_is_refused_with_the_version_it_reads():
    document = birth_file()
    document["version"] = 2

    assert refusal(document) == UNKNOWN_VERSION % {"version": 2, "known": 1}


def test_a_file_of_another_format_is_refused():
    document = birth_file()
    document["format"] = "portail-faq"

    assert refusal(document) == WRONG_FORMAT % {"format": "portail-faq", "expected": FORMAT}


def test_a_file_that_is_not_json_is_refused_with_the_line_at_fault():
    with pytest.raises(DemarcheFileError) as error:
        demarche_loads('{\n  "format": "portail-demarche",\n  \'version\': 1\n}')
    with pytest.raises(DemarcheFileError) as not_text:
        demarche_loads(b"\xff\xfe{")

    assert str(error.value) == NOT_JSON_AT % {
        "line": 3,
        "column": 3,
        "error": "Expecting property name enclosed in double quotes",
    }
    assert str(not_text.value).startswith(str(NOT_JSON).split("(")[0])


def test_a_field_type_the_portal_does_not_know_is_refused():
    document = birth_file()
    document["form"][0]["value"]["fields"].append(
        {"type": "appointment", "value": {"label": "Créneau", "key": "creneau"}}
    )

    assert refusal(document) == UNKNOWN_PART % {"path": "form[0].fields[3] (appointment)"}


def test_a_field_setting_the_portal_does_not_know_is_refused():
    document = birth_file()
    document["form"][0]["value"]["fields"][1]["value"]["colour"] = "red"

    assert refusal(document) == UNKNOWN_PART % {"path": "form[0].fields[1].colour"}


def test_a_field_its_block_refuses_is_refused_with_where_and_why():
    document = birth_file()
    document["form"][0]["value"]["fields"][2]["value"]["min_value"] = "one"

    assert refusal(document) == INVALID_FORM % {
        "path": "form[0].fields[2].min_value",
        "error": forms.IntegerField.default_error_messages["invalid"],
    }


def test_an_invalid_page_setting_is_refused():
    document = birth_file()
    document["page"]["legal_basis"] = "because"

    assert "legal_basis" in refusal(document)


def test_a_form_whose_keys_repeat_is_refused_as_the_page_editor_would(carvin):
    document = birth_file()
    fields = document["form"][0]["value"]["fields"]
    fields.append(copy.deepcopy(fields[1]))

    with pytest.raises(DemarcheFileError) as error:
        demarche_import(index=index_of(carvin), document=document)

    assert "type_acte" in str(error.value)
    assert not ServicePage.objects.exists()


def test_a_demarche_is_not_imported_twice_at_the_same_address(carvin):
    demarche_import(index=index_of(carvin), document=birth_file())

    with pytest.raises(DemarcheFileError) as error:
        demarche_import(index=index_of(carvin), document=birth_file())

    assert str(error.value) == SLUG_TAKEN % {"slug": "acte-de-naissance"}


def test_the_documents_its_texts_link_to_travel_with_the_demarche(carvin, saint_andre):
    rules = get_document_model().objects.create(
        title="Règlement de la salle",
        file=ContentFile(PDF, name="reglement.pdf"),
        collection=Collection.objects.get(name="Carvin"),
    )
    link = f'<p>Lisez le <a linktype="document" id="{rules.pk}">règlement</a>.</p>'
    page = service_page(carvin, "Réservation de salle", intro=link)

    document = demarche_export(page=page)
    copied = demarche_import(index=index_of(saint_andre), document=document)

    [entry] = document["documents"]
    assert (entry["id"], entry["title"]) == (1, "Règlement de la salle")
    assert base64.b64decode(entry["content"]) == PDF
    assert '<a linktype="document" id="1">' in document["page"]["intro"]
    copy_of_rules = get_document_model().objects.exclude(pk=rules.pk).get()
    assert copy_of_rules.collection.name == "Saint-André-des-Eaux"
    with copy_of_rules.open_file() as file:
        assert file.read() == PDF
    assert f'<a linktype="document" id="{copy_of_rules.pk}">' in copied.intro


def test_a_link_to_a_page_of_the_commune_is_exported_as_its_address(carvin, faq_of):
    faq = faq_of(carvin)
    page = service_page(
        carvin, "Inscription scolaire", intro=f'<p><a linktype="page" id="{faq.pk}">FAQ</a></p>'
    )

    intro = demarche_export(page=page)["page"]["intro"]

    assert intro == f'<p><a href="{faq.full_url}">FAQ</a></p>'


def test_a_link_to_a_document_the_file_does_not_hold_is_refused():
    document = birth_file()
    document["page"]["intro"] = '<p><a linktype="document" id="4">formulaire</a></p>'

    assert refusal(document) == UNKNOWN_DOCUMENT % {"id": 4}


def test_export_then_import_commands_copy_a_demarche_between_communes(
    carvin, saint_andre, tmp_path
):
    service_page(carvin, "Inscription scolaire")
    path = tmp_path / "inscription.json"

    call_command("export_demarche", "inscription-scolaire", site="carvin.localhost", output=path)
    call_command(
        "import_demarche", path, site="saint-andre-des-eaux.localhost", stdout=io.StringIO()
    )

    copied = ServicePage.objects.descendant_of(saint_andre.root_page).get()
    assert demarche_export(page=copied) == json.loads(path.read_text(encoding="utf-8"))


def test_a_demarche_imported_as_a_draft_is_not_shown_until_published(client, carvin):
    call_command(
        "import_demarche",
        DEMARCHES_DIR / "signalement-voirie.json",
        site="carvin.localhost",
        draft=True,
        stdout=io.StringIO(),
    )
    address = "/services/signalement-voirie/"

    assert client.get(address, HTTP_HOST="carvin.localhost").status_code == 404
    ServicePage.objects.get(slug="signalement-voirie").get_latest_revision().publish()
    assert client.get(address, HTTP_HOST="carvin.localhost").status_code == 200


def test_the_import_command_needs_the_commune_named():
    with pytest.raises(CommandError, match="--site"):
        call_command("import_demarche", "inscription.json")


def test_the_import_command_says_why_a_file_is_refused(carvin, tmp_path):
    document = birth_file()
    document["version"] = 9
    path = tmp_path / "acte.json"
    path.write_text(json.dumps(document), encoding="utf-8")

    with pytest.raises(CommandError) as error:
        call_command("import_demarche", path, site="carvin.localhost")

    assert str(error.value) == f"{path}: " + UNKNOWN_VERSION % {"version": 9, "known": 1}
    assert not ServicePage.objects.exists()


def test_the_service_and_routing_travel_by_the_services_names(carvin, saint_andre):
    from services.models import MunicipalService, RoutingRule

    civil = MunicipalService.objects.create(site=carvin, name="État civil")
    roads = MunicipalService.objects.create(site=carvin, name="Services techniques")
    theirs = MunicipalService.objects.create(site=saint_andre, name="État civil")
    page = service_page(carvin, "Inscription scolaire")
    page.municipal_service = civil
    page.routing_rules = [RoutingRule(field="classe", value="CP", service=roads)]
    page.save_revision().publish()
    document = demarche_export(page=reread(page))
    assert document["processing"] == {
        "service": "État civil",
        "routing": [{"field": "classe", "value": "CP", "service": "Services techniques"}],
    }

    copied = reread(demarche_import(index=index_of(saint_andre), document=document))

    # The commune's own "État civil"; the service it lacked is created, to staff.
    assert copied.municipal_service == theirs
    (rule,) = copied.routing_rules.all()
    assert (rule.field, rule.value, rule.service.site, rule.service.name) == (
        "classe",
        "CP",
        saint_andre,
        "Services techniques",
    )
    assert not rule.service.agents.exists()
    assert demarche_export(page=copied) == document


def test_a_routing_rule_naming_an_answer_the_form_lacks_is_refused(carvin):
    document = birth_file()
    document["processing"] = {
        "service": "",
        "routing": [{"field": "nowhere", "value": "x", "service": "État civil"}],
    }
    with pytest.raises(DemarcheFileError) as error, translation.override("en"):
        demarche_import(index=index_of(carvin), document=document)
    assert "Routing rule 1" in str(error.value)
    assert "no field “nowhere”" in str(error.value)
    assert not ServicePage.objects.filter(slug=document["page"]["slug"]).exists()

    with translation.override("en"):
        document["processing"] = {"routing": [{"field": "x", "value": 3, "service": "A"}]}
        assert "Routing rule 1" in refusal(document)
        document["processing"] = {"owner": "me"}
        assert "processing.owner" in refusal(document)


JSON_JUNK = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), SCALAR_JUNK),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(KEY_NAME, children, max_size=3)
    ),
    max_leaves=8,
)
ROUTE = st.fixed_dictionaries(
    {},
    optional={"field": JSON_JUNK, "value": JSON_JUNK, "service": JSON_JUNK, "extra": JSON_JUNK},
)


@hypothesis_settings(max_examples=120)
@given(
    processing=st.one_of(
        JSON_JUNK,
        st.fixed_dictionaries(
            {}, optional={"service": JSON_JUNK, "routing": st.lists(ROUTE, max_size=3)}
        ),
    )
)
def test_any_processing_part_is_read_or_refused_with_a_reason(carvin, processing):
    document = birth_file()
    document["page"]["slug"] = "fuzz"
    document["processing"] = processing
    try:
        with transaction.atomic():
            page = demarche_import(index=index_of(carvin), document=document)
            transaction.set_rollback(True)
    except DemarcheFileError as error:
        assert str(error)
    else:
        assert page.pk
