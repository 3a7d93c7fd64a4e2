"""Démarches translated with wagtail-localize: staff translate them like the
FAQ, English visitors fill them in in English, and the requests reach the
agents as if made in French."""

import json
import re
from html import unescape

import pytest
from django.urls import reverse
from wagtail.models import Locale
from wagtail_localize.models import StringSegment, Translation, TranslationSource

from services.models import MunicipalService, ServiceIndexPage, Submission, Workflow
from tests.accounts.factories import citizen, member
from tests.services.factories import pdf_file, service_page

pytestmark = pytest.mark.django_db

ENGLISH = {
    "Inscription scolaire": "School enrolment",
    "L'enfant": "The child",
    "Pour quel enfant ?": "Which child?",
    "Prénom de l'enfant": "Child's first name",
    "Classe": "Class",
    "Petite section": "Nursery, first year",
    "Moyenne section": "Nursery, second year",
    "CP": "First grade",
    "Votre enfant a-t-il des allergies ?": "Does your child have allergies?",
    "Précisez les allergies": "Which allergies?",
    "Justificatifs": "Supporting documents",
    "Justificatif de domicile": "Proof of address",
    "Livret de famille": "Family record book",
    "Je certifie l'exactitude des informations.": "I certify that the information is correct.",
    "Enfance": "Childhood",
    "Inscription scolaire en ligne.": "School enrolment online.",
    "Services": "Online services",
}

CARVIN = {"HTTP_HOST": "carvin.localhost"}


def english():
    return Locale.objects.get_or_create(language_code="en")[0]


def translate(page, strings=ENGLISH, *, publish=True):
    """Translate ``page`` into English with ``strings`` as staff would in the
    translation editor, and publish it."""
    source, _created = TranslationSource.update_or_create_from_instance(page)
    translation, _created = Translation.objects.get_or_create(
        source=source, target_locale=english()
    )
    po = translation.export_po()
    for entry in po:
        entry.msgstr = strings.get(entry.msgid, "")
    translation.import_po(po)
    translation.save_target(publish=False)
    translated = page.get_translation(english())
    if publish:
        translated.get_latest_revision().publish()
    return translated.specific_class.objects.get(pk=translated.pk)


@pytest.fixture
def school(carvin):
    return service_page(carvin)


@pytest.fixture
def english_school(carvin, school):
    translate(carvin.root_page.specific)
    translate(ServiceIndexPage.objects.descendant_of(carvin.root_page).get())
    return translate(school)


@pytest.fixture
def family(carvin):
    return citizen(
        carvin, validated=True, members=[member("Léa"), member("Hugo", relationship="child")]
    )


def path(page) -> str:
    return page.relative_url(page.get_site())


def segments_of(page) -> list[str]:
    source = TranslationSource.objects.get_for_instance(page)
    return [
        segment.string.data
        for segment in StringSegment.objects.filter(source=source).select_related("string")
    ]


# Staff translate a démarche.


def test_staff_translate_a_demarche_from_its_translate_action(client, carvin, school, staff_of):
    school.municipal_service = MunicipalService.objects.create(site=carvin, name="Éducation")
    school.workflow = Workflow.objects.create(site=carvin, name="Inscriptions")
    school.save_revision().publish()
    translate(carvin.root_page.specific)
    translate(ServiceIndexPage.objects.descendant_of(carvin.root_page).get())
    client.force_login(staff_of(carvin))
    url = reverse("wagtail_localize:submit_page_translation", args=[school.pk])

    assert client.get(url).status_code == 200
    response = client.post(url, {"locales": [english().pk]})

    assert response.status_code == 302
    translated = school.get_translation(english())
    assert client.get(reverse("wagtailadmin_pages:edit", args=[translated.pk])).status_code == 200


def test_a_fresh_translation_is_a_draft_until_staff_publish_it(client, carvin, school, staff_of):
    translate(carvin.root_page.specific)
    index = translate(ServiceIndexPage.objects.descendant_of(carvin.root_page).get())
    client.force_login(staff_of(carvin))

    client.post(
        reverse("wagtail_localize:submit_page_translation", args=[school.pk]),
        {"locales": [english().pk]},
    )

    translated = school.get_translation(english())
    assert not translated.live
    client.logout()
    listing = client.get(path(index), **CARVIN).content.decode()
    assert "Inscription scolaire" not in listing


def test_the_translation_editor_shows_texts_without_html_and_no_stored_names(school):
    TranslationSource.get_or_create_from_instance(school)

    segments = segments_of(school)

    assert not [s for s in segments if "<br" in s]
    # Each choice is a segment of its own; keys and conditions are not offered.
    assert {"Petite section", "Moyenne section", "CP"} <= set(segments)
    assert not {"classe", "allergies", "Oui"} & set(segments)


def test_the_translation_editor_names_each_segment_by_its_field(client, carvin, staff_of):
    page = service_page(carvin)
    translate(carvin.root_page.specific)
    translate(ServiceIndexPage.objects.descendant_of(carvin.root_page).get())
    translated = translate(page, publish=False)
    client.force_login(staff_of(carvin))

    html = client.get(reverse("wagtailadmin_pages:edit", args=[translated.pk])).content.decode()

    props = json.loads(unescape(re.search(r'data-props="([^"]*)"', html)[1]))
    names = {
        segment["source"]: segment["location"]["subField"]
        for segment in props["segments"]
        if segment["type"] == "string"
    }
    # The staff user reads the admin in French.
    assert names["Moyenne section"] == "Classe — Choix"
    assert names["Votre enfant a-t-il des allergies ?"] == "Libellé"
    assert names["Justificatifs"] == "Titre de l'étape"


def test_a_rich_text_line_break_separates_two_segments(carvin, faq_of):
    faq = faq_of(carvin)
    answer = "<ul><li><b>Modifier</b> : un membre.<br/>Cliquez sur « Modifier ».</li></ul>"
    question = {"question": "Comment modifier ?", "answer": answer, "anchor": ""}
    faq.body = [
        {
            "type": "category",
            "value": {"title": "Compte", "anchor": "", "questions": [question]},
        }
    ]
    faq.save_revision().publish()
    translate(carvin.root_page.specific)
    strings = {"<b>Modifier</b> : un membre.": "<b>Edit</b>: a member.", **ENGLISH}
    strings["Cliquez sur « Modifier »."] = "Click on “Edit”."

    translated = translate(faq, strings)
    segments = segments_of(faq)

    assert "<b>Modifier</b> : un membre." in segments
    assert "Cliquez sur « Modifier »." in segments
    answer = translated.body[0].value["questions"][0]["answer"].source
    assert answer == "<ul><li><b>Edit</b>: a member.<br/>Click on “Edit”.</li></ul>"


def test_a_translation_keeps_the_keys_choices_and_conditions(english_school):
    blocks = {block.key: block for step in english_school.steps for block in step.blocks}

    assert blocks["classe"].label == "Class"
    assert blocks["classe"].choices() == [
        ("Petite section", "Nursery, first year"),
        ("Moyenne section", "Nursery, second year"),
        ("CP", "First grade"),
    ]
    assert blocks["allergies_detail"].condition == ("allergies", "Oui")
    assert english_school.steps[1].title == "Supporting documents"


# English visitors.


def test_english_services_index_lists_the_english_demarche(client, english_school):
    response = client.get("/en/services/", **CARVIN)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "School enrolment" in html
    assert path(english_school) in html


def test_a_request_made_in_english_is_stored_and_shown_to_agents_as_in_french(
    client, carvin, school, english_school, family, staff_of, django_capture_on_commit_callbacks
):
    client.force_login(family)
    lea = family.household_members.get(first_name="Léa")
    url = path(english_school)

    step_one = client.get(f"{url}etape/1/", **CARVIN).content.decode()
    assert 'value="Moyenne section"' in step_one  # the answer stored
    assert ">Nursery, second year</label>" in step_one
    response = client.post(
        f"{url}etape/1/",
        {"enfant": str(lea.pk), "prenom": "Léa", "classe": "CP", "allergies": "no"},
        **CARVIN,
    )
    assert response["Location"] == f"{url}etape/2/"
    client.post(
        f"{url}etape/2/",
        {"domicile": pdf_file(), "livret__by_post": "on", "certifie": "on"},
        **CARVIN,
    )
    review = client.get(f"{url}verification/", **CARVIN).content.decode()
    assert "First grade" in review
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{url}verification/", {}, **CARVIN)
    assert response["Location"] == f"{url}envoyee/"
    assert client.get(response["Location"], **CARVIN).status_code == 200

    submission = Submission.objects.get(account=family)
    assert submission.page_id == school.pk
    assert submission.page_revision == school.live_revision
    assert submission.data["classe"] == "CP"
    assert set(submission.data) == {
        "enfant",
        "prenom",
        "classe",
        "allergies",
        "domicile",
        "livret",
        "certifie",
    }

    client.force_login(staff_of(carvin, "Agents"))
    inspect = client.get(
        reverse("wagtailsnippets_services_submission:inspect", args=[submission.pk])
    ).content.decode()
    assert "Classe" in inspect and "Class<" not in inspect
    assert "Justificatif de domicile" in inspect and "Proof of address" not in inspect


def test_a_draft_started_in_english_is_resumed_in_french(client, school, english_school, family):
    client.force_login(family)
    lea = family.household_members.get(first_name="Léa")
    client.post(
        f"{path(english_school)}etape/1/",
        {"enfant": str(lea.pk), "prenom": "Léa", "classe": "CP", "allergies": "no"},
        **CARVIN,
    )

    step_two = client.get(f"{path(school)}etape/2/", **CARVIN)

    assert step_two.status_code == 200
    assert Submission.objects.get(account=family).page_id == school.pk


# The language switcher.


def test_a_demarche_step_switches_to_the_same_step_in_english(
    client, school, english_school, family
):
    client.force_login(family)

    html = client.get(f"{path(school)}etape/1/", **CARVIN).content.decode()

    assert f'href="{path(english_school)}etape/1/" lang="en" hreflang="en"' in html


def test_an_account_page_switches_to_the_same_page_in_english(client, carvin, family):
    translate(carvin.root_page.specific)
    client.force_login(family)

    french = client.get("/compte/", **CARVIN).content.decode()
    english_page = client.get("/en/compte/", **CARVIN).content.decode()

    assert 'href="/en/compte/" lang="en" hreflang="en"' in french
    assert 'href="/compte/" lang="fr" hreflang="fr"' in english_page
    assert '<html lang="en">' in english_page


def test_no_switcher_where_the_commune_has_one_language(client, carvin, family):
    client.force_login(family)

    assert 'class="language-switcher"' not in client.get("/compte/", **CARVIN).content.decode()


def test_supervisors_publish_english_demarches_as_they_publish_french_ones(english_school):
    from wagtail.models import GroupPagePermission

    def permissions(page):
        return set(
            GroupPagePermission.objects.filter(page=page).values_list(
                "group__name", "permission__codename"
            )
        )

    english_index = english_school.get_parent()
    french_index = english_index.get_translation(Locale.get_default())

    assert permissions(french_index)
    assert permissions(english_index) == permissions(french_index)
