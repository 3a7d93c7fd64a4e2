"""The catalogue of démarche models: installed by a commune's staff as
drafts, kept up to date with the models' new versions, offered to a new
commune."""

import json
import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from wagtail.models import Page

from cms.placeholders import PLACEHOLDER_RE
from cms.services import commune_create
from services.exchange import demarche_check
from services.library import (
    ALREADY_INSTALLED,
    MODELS,
    demarche_model,
    demarche_model_install,
    model_document,
)
from services.library.changes import ADDED, CHANGED, demarche_changes
from services.models import DemarcheCopy, ServicePage
from tests.services.test_admin import english, working_in_english

pytestmark = pytest.mark.django_db

CARVIN = {"HTTP_HOST": "carvin.localhost"}
INDEX = "services_demarche_models"
TOKEN_RE = re.compile(r"\{[a-zA-Z_]+\}")


def install_url(slug, site):
    return reverse("services_demarche_model_install", args=[slug, site.pk])


def refused(response) -> bool:
    """Refused as Wagtail refuses: a 403, or back to the admin's home."""
    return response.status_code == 403 or (
        response.status_code == 302 and response.url == reverse("wagtailadmin_home")
    )


def demarches_of(site):
    return ServicePage.objects.descendant_of(site.root_page)


@pytest.fixture
def communication(carvin, staff_of):
    return working_in_english(staff_of(carvin, "Communication"))


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.slug)
def test_each_model_is_a_demarche_file_for_every_commune(model):
    document = model_document(model.slug)

    demarche_check(document)
    text = json.dumps(document, ensure_ascii=False)
    assert all(PLACEHOLDER_RE.fullmatch(token) for token in TOKEN_RE.findall(text))
    assert document["documents"] == [], "a model carries no file"
    assert model.title and model.category and model.description


def test_staff_install_a_model_in_one_click_as_a_draft(client, carvin, communication):
    client.force_login(communication)
    listing = client.get(reverse(INDEX), **CARVIN)
    assert "Demande d&#x27;attestation d&#x27;accueil" in listing.content.decode()

    response = client.post(install_url("attestation-d-accueil", carvin), follow=True, **CARVIN)

    page = demarches_of(carvin).get(slug="attestation-d-accueil")
    assert response.redirect_chain[-1][0] == reverse("wagtailadmin_pages:edit", args=[page.pk])
    assert not page.live
    assert page.get_latest_revision().user == communication
    copy = page.catalogue_copy
    assert (copy.model, copy.version) == ("attestation-d-accueil", 1)
    assert escape("“Demande d'attestation d'accueil” is installed as a draft") in (
        response.content.decode()
    )
    listing = client.get(reverse(INDEX), **CARVIN).content.decode()
    assert "Already installed" in listing
    assert reverse("wagtailadmin_pages:edit", args=[page.pk]) in listing


def test_a_second_copy_of_a_model_is_refused_with_a_link_to_the_first(
    client, carvin, communication
):
    client.force_login(communication)
    client.post(install_url("pret-de-materiel", carvin), **CARVIN)

    response = client.post(install_url("pret-de-materiel", carvin), follow=True, **CARVIN)

    assert demarches_of(carvin).filter(title="Prêt de matériel municipal").count() == 1
    assert english(ALREADY_INSTALLED, title="Prêt de matériel municipal") in (
        response.content.decode()
    )
    assert "Edit “Prêt de matériel municipal”" in response.content.decode()


def test_a_model_installs_beside_a_page_at_its_address(carvin):
    demarche_model_install(site=carvin, slug="pret-de-materiel")
    DemarcheCopy.objects.all().delete()  # a page of the same address, not a copy

    page = demarche_model_install(site=carvin, slug="pret-de-materiel")

    assert page.slug == "pret-de-materiel-2"


def test_agents_and_another_communes_staff_cannot_install(client, carvin, saint_andre, staff_of):
    client.force_login(staff_of(carvin, "Agents"))
    assert refused(client.get(reverse(INDEX), **CARVIN))
    assert refused(client.post(install_url("pret-de-materiel", carvin), **CARVIN))

    client.force_login(staff_of(saint_andre, "Communication"))
    assert client.post(install_url("pret-de-materiel", carvin), **CARVIN).status_code == 404

    assert not demarches_of(carvin).exists()


def test_supervisors_install_models_too(client, carvin, staff_of):
    client.force_login(staff_of(carvin, "Supervisors"))

    response = client.post(install_url("recensement-citoyen", carvin), **CARVIN)

    assert response.status_code == 302
    assert demarches_of(carvin).filter(slug="recensement-citoyen").exists()


def test_the_catalogue_lists_a_category_and_previews_a_model(client, carvin, communication):
    client.force_login(communication)

    listing = client.get(reverse(INDEX), {"category": "Vie associative"}, **CARVIN)
    preview = client.get(
        reverse("services_demarche_model", args=["permis-de-detention-chien"]), **CARVIN
    )

    text = listing.content.decode()
    assert "Prêt de matériel municipal" in text
    assert "Inscription scolaire" not in text
    text = preview.content.decode()
    assert "Catégorie du chien" in text
    assert "1re catégorie (chien d&#x27;attaque)" in text
    assert "Certificat vétérinaire de stérilisation" in text


def test_the_changes_of_a_new_version_name_an_added_field_and_a_relabelled_one():
    with translation.override("en"):
        changes = demarche_changes(
            model_document("signalement-voirie", 1), model_document("signalement-voirie")
        )

    assert [(c.kind, c.what, c.before, c.after) for c in changes] == [
        (
            ADDED,
            "Field “Depuis quand avez-vous constaté le problème ?” added to the step “Le problème”",
            "",
            "Depuis quand avez-vous constaté le problème ?",
        ),
        (CHANGED, "Field “photo” relabelled", "Photo", "Photo du problème"),
    ]


def test_a_field_given_another_kind_of_answer_is_named_as_the_editor_names_kinds():
    with translation.override("en"):
        changes = demarche_changes(
            model_document("subvention-association", 1), model_document("subvention-association")
        )

    assert (
        CHANGED,
        "Field “Numéro SIRET”: kind of answer",
        "Short text",
        "SIRET or SIREN number",
    ) in [(c.kind, c.what, c.before, c.after) for c in changes]
    assert "IBAN du compte de l'association" in [c.after for c in changes if c.kind == ADDED]


def test_a_new_version_is_applied_as_a_draft_the_commune_publishes(client, carvin, communication):
    page = demarche_model_install(site=carvin, slug="signalement-voirie", version=1, publish=True)
    copy = page.catalogue_copy
    client.force_login(communication)
    assert "New version available" in client.get(reverse(INDEX), **CARVIN).content.decode()
    url = reverse("services_demarche_copy_update", args=[copy.pk])

    shown = client.get(url, **CARVIN).content.decode()
    response = client.post(url, **CARVIN)

    assert "Field “photo” relabelled" in shown
    assert "was edited since it was installed" not in shown
    assert response.url == reverse("wagtailadmin_pages:edit", args=[page.pk])
    page = ServicePage.objects.get(pk=page.pk)
    live_keys = {b.key for s in page.steps for b in s.blocks if b.is_input}
    draft = page.get_latest_revision_as_object()
    assert "depuis" not in live_keys, "nothing is published"
    assert "depuis" in {b.key for s in draft.steps for b in s.blocks if b.is_input}
    assert page.has_unpublished_changes
    copy.refresh_from_db()
    assert copy.version == demarche_model("signalement-voirie").version
    assert "New version available" not in client.get(reverse(INDEX), **CARVIN).content.decode()


def test_an_edited_copy_is_warned_that_the_new_version_replaces_its_changes(
    client, carvin, communication
):
    page = demarche_model_install(site=carvin, slug="signalement-voirie", version=1)
    page.title = "Signaler un souci de voirie"
    page.save_revision()
    client.force_login(communication)

    shown = client.get(
        reverse("services_demarche_copy_update", args=[page.catalogue_copy.pk]), **CARVIN
    )

    assert "was edited since it was installed" in shown.content.decode()


def test_a_new_commune_receives_the_models_chosen_as_drafts(migrated):
    creation = commune_create(
        name="Lens",
        hostname="lens.localhost",
        install={"demarches": ["acte-de-naissance", "pret-de-materiel"]},
    )

    pages = demarches_of(creation.site)
    assert sorted(pages.values_list("slug", flat=True)) == ["acte-de-naissance", "pret-de-materiel"]
    assert not pages.filter(live=True).exists()
    assert any("Demande d'acte de naissance" in line for line in creation.created)
    assert DemarcheCopy.objects.filter(site=creation.site).count() == 2


def test_a_new_commune_receives_every_model_as_a_draft_or_none(migrated):
    every = commune_create(name="Lens", hostname="lens.localhost", install={"demarches": "all"})
    none = commune_create(name="Liévin", hostname="lievin.localhost", install={"demarches": "none"})

    pages = {page.catalogue_copy.model: page for page in demarches_of(every.site)}
    assert list(pages) == [model.slug for model in MODELS]
    for model in MODELS:
        page, copy = pages[model.slug], pages[model.slug].catalogue_copy
        assert not page.live
        assert page.title == model.title
        assert page.steps, "its form has steps"
        assert (copy.version, copy.document) == (model.version, model_document(model.slug))
    assert not demarches_of(none.site).exists()
    assert Page.objects.descendant_of(none.site.root_page).filter(slug="services").exists()
