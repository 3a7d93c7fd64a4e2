"""Démarche files from the admin: "Exporter la démarche" on a démarche,
"Importer une démarche" on the services index; and the file format's round
trip for any form the field types can build."""

import json
import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st
from wagtail.documents import get_document_model

from services.exchange import (
    FORMAT,
    VERSION,
    DemarcheFileError,
    demarche_dumps,
    demarche_export,
    demarche_import,
)
from services.fields import registry
from services.models import ServiceIndexPage, ServicePage
from tests.fuzzing import hypothesis_settings
from tests.services.factories import service_page
from tests.services.test_exchange import birth_file

pytestmark = pytest.mark.django_db


def index_of(site):
    return ServiceIndexPage.objects.descendant_of(site.root_page).get()


def upload(document, name="demarche.json"):
    text = document if isinstance(document, str) else demarche_dumps(document)
    return SimpleUploadedFile(name, text.encode(), content_type="application/json")


@pytest.fixture
def communication(client, carvin, staff_of):
    client.force_login(staff_of(carvin))
    return client


def test_staff_export_a_demarche_from_its_admin_menu(communication, carvin):
    page = service_page(carvin, "Inscription scolaire")
    host = {"HTTP_HOST": carvin.hostname}

    edit = communication.get(f"/admin/pages/{page.pk}/edit/", **host).content.decode()
    response = communication.get(f"/admin/demarches/{page.pk}/export/", **host)

    assert f'href="/admin/demarches/{page.pk}/export/"' in edit
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert "inscription-scolaire.json" in response["Content-Disposition"]
    assert json.loads(response.content) == demarche_export(page=page)


def test_staff_import_a_demarche_file_as_a_draft_and_land_in_its_editor(communication, carvin):
    index = index_of(carvin)
    host = {"HTTP_HOST": carvin.hostname}
    listing = communication.get(f"/admin/pages/{index.pk}/", **host).content.decode()

    response = communication.post(
        f"/admin/demarches/{index.pk}/import/", {"file": upload(birth_file())}, **host
    )

    assert f'href="/admin/demarches/{index.pk}/import/"' in listing
    page = ServicePage.objects.child_of(index).get(slug="acte-de-naissance")
    assert response.status_code == 302
    assert response["Location"] == f"/admin/pages/{page.pk}/edit/"
    assert not page.live


def test_a_refused_file_says_why_next_to_the_file_and_creates_nothing(communication, carvin):
    index = index_of(carvin)
    document = birth_file()
    document["version"] = 2
    host = {"HTTP_HOST": carvin.hostname}

    wrong_version = communication.post(
        f"/admin/demarches/{index.pk}/import/", {"file": upload(document)}, **host
    )
    broken = communication.post(
        f"/admin/demarches/{index.pk}/import/",
        {"file": upload('{\n  "format": "portail-demarche",\n  "version" 1\n}')},
        **host,
    )

    assert wrong_version.status_code == 200
    html = wrong_version.content.decode()
    assert "version 2 du format" in html
    assert 'id="id_file"' in html and "error-message" in html
    assert "ligne 3, colonne 13" in broken.content.decode()
    assert not ServicePage.objects.child_of(index).exists()


def test_another_communes_demarche_and_index_are_not_found(client, carvin, saint_andre, staff_of):
    theirs = service_page(saint_andre, "Inscription scolaire")
    client.force_login(staff_of(carvin))
    host = {"HTTP_HOST": carvin.hostname}

    export = client.get(f"/admin/demarches/{theirs.pk}/export/", **host)
    importing = client.post(
        f"/admin/demarches/{index_of(saint_andre).pk}/import/",
        {"file": upload(birth_file())},
        **host,
    )

    assert export.status_code == 404
    assert importing.status_code == 404
    assert not ServicePage.objects.filter(slug="acte-de-naissance").exists()


def test_a_refused_import_keeps_no_document_nor_its_file(
    carvin, django_capture_on_commit_callbacks
):
    document = birth_file()
    document["documents"] = [
        {"id": 1, "title": "Règlement", "file_name": "reglement.pdf", "content": "JVBERi0xLjQK"}
    ]
    document["page"]["intro"] = '<p><a linktype="document" id="1">Règlement</a></p>'
    fields = document["form"][0]["value"]["fields"]
    fields.append(dict(fields[1]))  # the same key twice: the page refuses it
    before = (
        set(default_storage.listdir("documents")[1])
        if default_storage.exists("documents")
        else set()
    )

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DemarcheFileError):
        demarche_import(index=index_of(carvin), document=document)

    after = (
        set(default_storage.listdir("documents")[1])
        if default_storage.exists("documents")
        else set()
    )
    assert not get_document_model().objects.filter(title="Règlement").exists()
    assert after == before


# --- Any form the field types build travels unchanged --------------------------------

WORDS = st.sampled_from(
    ["Nom", "Adresse", "Carvin", "la mairie de Carvin", "école", "{commune}", "Date", "Pièce"]
)
TEXT = st.lists(WORDS, min_size=1, max_size=4).map(" ".join)
TYPES = [field_type.name for field_type in registry]


def block_of(type_name: str, text: str, number: int) -> dict:
    """A block of the type as its editor would fill it: its preview value
    (which its checks accept), with a label of words and a key of its own."""
    field_type = registry[type_name]
    block = field_type.block_class()
    value = dict(block.meta.preview_value)
    if field_type.is_input:
        value.update(label=text, key=f"champ_{number}", help_text=f"Aide : {text}")
    else:
        value.update(heading=text)
    return {"type": type_name, "value": block.get_prep_value(block.to_python(value))}


STEPS = st.lists(
    st.tuples(TEXT, st.lists(st.tuples(st.sampled_from(TYPES), TEXT), min_size=1, max_size=5)),
    min_size=1,
    max_size=3,
)


@hypothesis_settings(max_examples=25)
@given(steps=STEPS, summary=TEXT)
def test_export_import_export_gives_the_same_file(carvin, saint_andre, steps, summary):
    number = iter(range(1000))
    form = [
        {
            "type": "step",
            "value": {
                "title": title,
                "fields": [block_of(kind, text, next(number)) for kind, text in fields],
            },
        }
        for title, fields in steps
    ]
    document = {
        "format": FORMAT,
        "version": VERSION,
        "page": {
            "title": "Démarche générée",
            "slug": "generee",
            "category": "Essais",
            "summary": summary,
        },
        "form": form,
        "documents": [],
    }
    with transaction.atomic():
        page = demarche_import(index=index_of(carvin), document=document)
        exported = demarche_export(page=ServicePage.objects.get(pk=page.pk))
        copied = demarche_import(index=index_of(saint_andre), document=exported)

        assert demarche_export(page=ServicePage.objects.get(pk=copied.pk)) == exported
        assert "Carvin" not in demarche_dumps(exported)
        transaction.set_rollback(True)


def test_the_import_command_names_the_line_of_a_broken_file(carvin, tmp_path):
    path = tmp_path / "acte.json"
    path.write_text('{\n  "format": "portail-demarche",\n  "version" 1\n}', encoding="utf-8")

    with pytest.raises(CommandError) as error:
        call_command("import_demarche", path, site="carvin.localhost")

    assert re.search(r"\b3\b.*\b13\b", str(error.value))
    assert not ServicePage.objects.exists()
