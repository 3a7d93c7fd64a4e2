"""A commune asked with its postcode: typed as people type it, checked
against the official list, and offered by the postcode's lookup."""

import gzip
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from services.fields import registry
from services.fields.answers import clean_answers
from tests.services.test_field_types import KEY, bound_form, sample_block

TYPE = registry["postcode_commune"]
POSTCODE = f"{KEY}__postcode"


def fill(postcode, commune, **options):
    block = sample_block(TYPE, **options)
    with translation.override("fr"):
        form = bound_form(TYPE, [block], {POSTCODE: [postcode], KEY: [commune]})
        valid = form.is_valid()
        errors = {name: list(messages) for name, messages in form.errors.items()}
    return (clean_answers(form).get(KEY) if valid else None), errors


def test_a_commune_typed_loosely_is_stored_with_its_official_name_and_insee_code():
    stored, errors = fill("44117", "st andre des eaux")

    assert errors == {}
    assert stored == {"postcode": "44117", "commune": "Saint-André-des-Eaux", "insee": "44151"}
    assert TYPE.text(sample_block(TYPE), stored) == "44117 Saint-André-des-Eaux"


def test_a_postcode_serving_one_commune_is_enough():
    stored, errors = fill("62220", "")

    assert errors == {}
    assert stored["commune"] == "Carvin" and stored["insee"] == "62215"


def test_a_postcode_serving_several_communes_asks_which_one():
    _stored, errors = fill("51300", "")

    assert errors == {KEY: ["Indiquez la commune, ou choisissez-la parmi celles du code postal."]}


def test_a_commune_the_postcode_does_not_serve_is_refused_naming_those_it_serves():
    _stored, errors = fill("62220", "Libercourt")

    assert errors == {
        KEY: ["Libercourt n'est pas desservie par le code postal 62220, qui dessert : Carvin."]
    }


def test_an_unknown_postcode_is_refused():
    _stored, errors = fill("99999", "Nulle-Part")

    assert errors == {
        POSTCODE: [
            "Aucune commune n'a ce code postal : vérifiez-le sur un courrier que vous avez reçu."
        ]
    }


def test_a_commune_without_its_postcode_is_not_silently_dropped():
    _stored, errors = fill("", "Carvin", required=False)
    nothing, none = fill("", "", required=False)

    assert errors == {POSTCODE: ["Indiquez aussi le code postal de la commune."]}
    assert nothing is None and none == {}


def test_rules_on_a_stored_commune_expect_its_name_postcode_or_insee_code():
    block = sample_block(TYPE)
    stored = {"postcode": "44117", "commune": "Saint-André-des-Eaux", "insee": "44151"}

    assert TYPE.stored_matches(block, stored, "Saint-André-des-Eaux")
    assert TYPE.stored_matches(block, stored, "St Andre des Eaux")
    assert TYPE.stored_matches(block, stored, "44117")
    assert TYPE.stored_matches(block, stored, "44151")
    assert not TYPE.stored_matches(block, stored, "Carvin")


def test_the_export_has_the_commune_its_postcode_and_its_insee_code():
    block = sample_block(TYPE, label="Commune de résidence")
    stored = {"postcode": "62220", "commune": "Carvin", "insee": "62215"}

    with translation.override("en"):
        headings = [heading for _name, heading in TYPE.export_columns(block)]
    cells = TYPE.export_cells(block, stored, submission=None)

    assert headings == [
        "Commune de résidence",
        "Commune de résidence (postcode)",
        "Commune de résidence (INSEE code)",
    ]
    assert list(cells.values()) == ["Carvin", "62220", "62215"]


@pytest.mark.django_db
def test_the_lookup_gives_the_communes_of_a_postcode_to_any_visitor(client, carvin):
    found = client.get("/codes-postaux/51300/", HTTP_HOST=carvin.hostname)
    unknown = client.get("/codes-postaux/99999/", HTTP_HOST=carvin.hostname)
    malformed = client.get("/codes-postaux/6222A/", HTTP_HOST=carvin.hostname)

    assert found.status_code == 200
    communes = found.json()["communes"]
    assert {"name": "Vitry-le-François", "insee": "51649"} in communes
    assert len(communes) > 30
    assert "public" in found["Cache-Control"]
    assert unknown.json() == {"postcode": "99999", "communes": []}
    assert malformed.status_code == 404


def test_the_table_is_rebuilt_from_the_national_data_set(tmp_path):
    source = tmp_path / "codes-postaux.json"
    source.write_text(
        json.dumps(
            [
                {"codePostal": "62220", "codeCommune": "62215", "nomCommune": "Carvin"},
                {"codePostal": "62220", "codeCommune": "62215", "nomCommune": "Carvin"},
                {"codePostal": "44117", "codeCommune": "44151", "nomCommune": "Saint-André"},
            ]
        ),
        encoding="utf-8",
    )
    output = tmp_path / "table.csv.gz"
    broken = tmp_path / "broken.json"
    broken.write_text("[{}]", encoding="utf-8")

    call_command("import_postcodes", str(source), output=output, stdout=io.StringIO())

    with gzip.open(output, "rt", encoding="utf-8") as table:
        assert table.read().splitlines() == [
            "code_postal;code_insee;nom",
            "44117;44151;Saint-André",
            "62220;62215;Carvin",
        ]
    with pytest.raises(CommandError, match=r"is not a codes-postaux\.json file"):
        call_command("import_postcodes", str(broken), output=output)
