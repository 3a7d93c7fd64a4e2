"""One démarche text for every commune: its placeholders are filled with the
names of the commune that shows it, wherever citizens and agents read it."""

import shutil
from html import unescape

import pytest
from django.core import mail
from django.utils.html import strip_tags

from cms.models import CommuneSettings
from cms.placeholders import PLACEHOLDER_RE
from services.exchange import demarche_export, demarche_import
from services.models import ServiceIndexPage, ServicePage
from services.pdf import archive_pdf, receipt_pdf
from tests.services.factories import field, service_page, step, submission
from tests.services.tracking_factories import parent, pdf_text

pytestmark = pytest.mark.django_db

FORM = [
    step(
        "Votre lien avec {commune}",
        field(
            "help",
            "",
            "",
            heading="Avant de commencer",
            text="<p>{Mairie} est ouverte {horaires_mairie}.</p>",
        ),
        field(
            "choice",
            "Où est né l'enfant ?",
            "lieu",
            help_text="Les actes sont tenus par {mairie}.",
            choices="À {commune}\nAilleurs",
        ),
        field(
            "short_text",
            "Adresse à {commune}",
            "adresse",
            condition={"field": "lieu", "value": "À {commune}"},
        ),
    )
]


def text_of(response) -> str:
    return " ".join(unescape(strip_tags(response.content.decode())).split())


@pytest.fixture
def commune(carvin):
    settings = CommuneSettings.for_site(carvin)
    settings.address_lines = "Hôtel de ville\nPlace du Général de Gaulle"
    settings.postcode = "62220"
    settings.city = "Carvin"
    settings.opening_hours = [
        ("day", {"weekday": str(day), "opens": "08:30", "closes": "12:00"}) for day in range(5)
    ]
    settings.save()
    return settings


@pytest.fixture
def birth(carvin, commune):
    return service_page(
        carvin,
        "Acte de naissance",
        form=FORM,
        summary="Un acte d'une naissance à {commune}.",
        intro="<p>{Mairie} délivre les actes des personnes nées à {commune}.</p>"
        "<p>Accueil : {adresse_mairie}.</p>",
        documents="<ul><li>Le livret de famille remis par {mairie}</li></ul>",
        confirmation="<p>{Mairie} vous répond sous cinq jours.</p>",
    )


def test_the_page_its_steps_and_the_index_read_the_communes_names(client, carvin, birth):
    host = {"HTTP_HOST": carvin.hostname}
    client.force_login(parent(carvin))

    intro = text_of(client.get(birth.url, **host))
    filled = text_of(client.get(f"{birth.url}etape/1/", **host))
    index = text_of(client.get("/services/", **host))
    found = text_of(client.get("/services/?q=naissance+carvin", **host))

    assert "La mairie de Carvin délivre les actes des personnes nées à Carvin." in intro
    assert "Accueil : Hôtel de ville, Place du Général de Gaulle, 62220 Carvin." in intro
    assert "Le livret de famille remis par la mairie de Carvin" in intro
    assert "Votre lien avec Carvin" in filled
    assert "La mairie de Carvin est ouverte du lundi au vendredi de 08:30 à 12:00." in filled
    assert "Les actes sont tenus par la mairie de Carvin." in filled
    assert "À Carvin" in filled and "Adresse à Carvin" in filled
    # The answer stored is the choice as written, for every commune.
    assert 'value="À {commune}"' in client.get(f"{birth.url}etape/1/", **host).content.decode()
    assert "Un acte d'une naissance à Carvin." in index
    assert "Acte de naissance" in found
    for text in (intro, filled, index):
        assert not PLACEHOLDER_RE.search(text)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is needed")
def test_the_request_its_recap_receipt_and_archive_read_the_communes_names(
    client, carvin, birth, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = submission(
            birth, parent(carvin), data={"lieu": "À {commune}", "adresse": "1 rue"}
        )
    client.force_login(request.account)

    recap = text_of(client.get(f"/compte/demandes/{request.reference}/", HTTP_HOST=carvin.hostname))
    receipt = " ".join(pdf_text(receipt_pdf(request)).split())
    archive = " ".join(pdf_text(archive_pdf(request)).split())
    bodies = [m.body for m in mail.outbox if m.to == [request.account.email]]

    assert "Adresse à Carvin" in recap and "À Carvin" in recap
    for text in (receipt, archive):
        assert "Où est né l'enfant ? À Carvin" in text
        assert not PLACEHOLDER_RE.search(text)
    assert any("La mairie de Carvin vous répond sous cinq jours." in body for body in bodies)
    assert request.data["lieu"] == "À {commune}"


def test_carvins_birth_certificate_reads_right_in_saint_andre(client, carvin, saint_andre):
    page = service_page(
        carvin,
        "Demande d'acte de naissance",
        form=FORM,
        intro="<p>La mairie de Carvin délivre les actes des personnes nées à Carvin.</p>",
    )
    index = ServiceIndexPage.objects.descendant_of(saint_andre.root_page).get()

    copied = demarche_import(index=index, document=demarche_export(page=page))

    assert copied.intro == "<p>{Mairie} délivre les actes des personnes nées à {commune}.</p>"
    shown = text_of(client.get(copied.url, HTTP_HOST=saint_andre.hostname))
    assert (
        "La mairie de Saint-André-des-Eaux délivre les actes des personnes nées à "
        "Saint-André-des-Eaux." in shown
    )
    assert "Carvin" not in shown


def test_new_demarche_addresses_are_plain_ascii(carvin, staff_of):
    index = ServiceIndexPage.objects.descendant_of(carvin.root_page).get()
    title = "Demande de badge d'accès à la déchèterie"
    made = ServicePage(title=title, category="Environnement", summary="Un badge.")
    index.add_child(instance=made)
    document = demarche_export(page=made)
    document["page"]["slug"] = "badge-déchèterie"
    imported = demarche_import(index=index, document=document)
    form = ServicePage.get_edit_handler().get_form_class()(
        instance=made, parent_page=index, for_user=staff_of(carvin)
    )
    form.cleaned_data = {"slug": "badge-déchèterie"}

    assert made.url_path.endswith("/services/demande-de-badge-dacces-a-la-decheterie/")
    assert imported.slug == "badge-decheterie"
    assert form.clean_slug() == "badge-decheterie"
    # The slug field's script transliterates: it allows no Unicode.
    assert "allow-unicode" not in str(form["slug"])
