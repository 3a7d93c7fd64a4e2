import pytest
from django.core.management import CommandError, call_command
from wagtail.models import Revision

from faq.importer import FAQImportError
from faq.services import faq_import
from tests.conftest import SEEDS

CARVIN_SEED = (SEEDS / "faq-carvin.md").read_text(encoding="utf-8")
SAINT_ANDRE_SEED = (SEEDS / "faq-saint-andre-des-eaux.txt").read_text(encoding="utf-8")


def questions_of(page):
    page.refresh_from_db()
    return [q for c in page.body for q in c.value["questions"]]


def test_both_seeds_import_as_five_categories_and_eighteen_questions_each_with_own_commune(
    client, carvin, saint_andre, faq_of
):
    faq_import(page=faq_of(carvin), text=CARVIN_SEED)
    faq_import(page=faq_of(saint_andre), text=SAINT_ANDRE_SEED)

    for site, own, other in (
        (carvin, "la mairie de Carvin", "Saint-André"),
        (saint_andre, "la mairie de Saint-André-des-Eaux", "Carvin"),
    ):
        page = faq_of(site)
        assert len(page.body) == 5
        assert len(questions_of(page)) == 18
        html = client.get("/faq/", HTTP_HOST=site.hostname).content.decode()
        assert html.count('class="faq-question"') == 18
        assert f"Avancement et communications avec {own}" in html
        assert other not in html.split("<main")[1].split("</main>")[0]


def test_commune_names_and_portal_address_become_placeholders(carvin, saint_andre, faq_of):
    faq_import(page=faq_of(saint_andre), text=SAINT_ANDRE_SEED)

    stored = str(faq_of(saint_andre).body.get_prep_value())
    assert "{mairie}" in stored
    assert "{portail}" in stored
    assert "Saint-Andre" not in stored
    assert "mairie24.fr" not in stored


def test_one_communes_faq_serves_another(client, carvin, saint_andre, faq_of):
    faq_import(page=faq_of(carvin), text=SAINT_ANDRE_SEED)

    html = client.get("/faq/", HTTP_HOST="carvin.localhost").content.decode()
    assert "la mairie de Carvin" in html
    assert "Saint-Andre" not in html
    assert "page d'accueil de carvin.localhost" in html


def test_reimporting_the_same_document_changes_nothing(carvin, faq_of):
    page = faq_of(carvin)
    first = faq_import(page=page, text=CARVIN_SEED)
    revisions = Revision.objects.count()

    second = faq_import(page=page, text=CARVIN_SEED)

    assert first.changed and not second.changed
    assert Revision.objects.count() == revisions
    assert len(questions_of(page)) == 18


def test_reimporting_an_edited_document_updates_and_keeps_anchors(carvin, faq_of):
    page = faq_of(carvin)
    faq_import(page=page, text=CARVIN_SEED)
    anchors = [q["anchor"] for q in questions_of(page)]

    edited = CARVIN_SEED.replace(
        "Non, les messages que vous recevez",
        "Non, les messages que vous recevez depuis le portail",
    )
    result = faq_import(page=page, text=edited)

    assert result.changed
    assert [q["anchor"] for q in questions_of(page)] == anchors
    assert "depuis le portail" in str(questions_of(page)[13]["answer"])
    assert len(questions_of(page)) == 18


def test_a_malformed_document_leaves_the_faq_untouched(carvin, faq_of):
    page = faq_of(carvin)
    faq_import(page=page, text=CARVIN_SEED)
    before = page.get_latest_revision().pk
    broken = CARVIN_SEED.replace("### Pourquoi créer un compte ?", "### Pourquoi ?")

    with pytest.raises(FAQImportError):
        faq_import(page=page, text=broken)

    assert page.get_latest_revision().pk == before
    assert len(questions_of(page)) == 18


def test_import_as_draft_does_not_change_the_public_page(client, carvin, faq_of):
    faq_import(page=faq_of(carvin), text=CARVIN_SEED, publish=False)

    page = faq_of(carvin)
    assert page.has_unpublished_changes
    assert len(page.body) == 0
    assert (
        "Gestion de mon compte"
        not in client.get("/faq/", HTTP_HOST="carvin.localhost").content.decode()
    )


def test_import_faq_command_imports_and_reruns_without_duplicates(carvin, faq_of, capsys):
    path = str(SEEDS / "faq-carvin.md")
    call_command("import_faq", path, "--site", "carvin.localhost")
    call_command("import_faq", path, "--site", "carvin.localhost")

    out = capsys.readouterr().out
    assert "5 categories, 18 questions" in out
    assert "already up to date" in out
    assert len(questions_of(faq_of(carvin))) == 18


def test_import_faq_command_names_the_line_of_an_error(carvin, tmp_path):
    broken = tmp_path / "faq.txt"
    body = SAINT_ANDRE_SEED.rindex("\nSécurité\n")
    broken.write_text(SAINT_ANDRE_SEED[:body] + SAINT_ANDRE_SEED[body + len("\nSécurité") :])

    with pytest.raises(CommandError, match=r"Ligne 25 : « Sécurité »"):
        call_command("import_faq", str(broken), "--site", "carvin.localhost")


def test_import_faq_command_refuses_an_unknown_site(db, tmp_path):
    with pytest.raises(CommandError, match=r"nowhere\.localhost"):
        call_command("import_faq", str(SEEDS / "faq-carvin.md"), "--site", "nowhere.localhost")
