from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils.datastructures import MultiValueDict

from accounts.validators import BIRTH_DATE_TOO_EARLY, PHONE_INVALID, POSTCODE_INVALID
from services.fields.answers import answer_rows, clean_answers
from services.fields.builder import StepFormBuilder
from services.fields.context import FillContext
from services.fields.dates import DATE_IN_FUTURE
from services.fields.documents import DOCUMENT_AND_BY_POST, DOCUMENT_MISSING
from services.fields.schema import Block, Step, steps_of
from tests.accounts.factories import citizen, member
from tests.services.factories import PDF, PNG, field, pdf_file, service_page, step


def build(*blocks, account=None, raw=None, data=None, files=None, earlier=(), attachments=None):
    blocks = [Block(type=b["type"], value=b["value"]) for b in blocks]
    context = FillContext(
        account=account,
        raw=raw or {},
        attachments=attachments or {},
        blocks_by_key={b.key: b for b in [*earlier, *blocks] if b.is_input},
    )
    builder = StepFormBuilder(Step(title="Étape", blocks=blocks, number=1), context)
    if data is not None:
        data = MultiValueDict({k: v if isinstance(v, list) else [v] for k, v in data.items()})
    return builder.get_form(data=data, files=files)


def test_short_and_long_text_are_required_when_asked():
    form = build(
        field("short_text", "Nom", "nom"),
        field("long_text", "Motif", "motif", required=False),
        data={},
    )
    assert not form.is_valid()
    assert list(form.errors) == ["nom"]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("+44 20 7946 0958", "+442079460958"),
        ("0321000000", "+33321000000"),
    ],
)
def test_phone_accepts_french_and_international_numbers(typed, stored):
    form = build(field("phone", "Téléphone", "tel"), data={"tel": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["tel"] == stored


def test_phone_refuses_what_is_not_a_number():
    form = build(field("phone", "Téléphone", "tel"), data={"tel": "06 12"})
    assert form.errors["tel"] == [str(PHONE_INVALID)]


def test_date_not_in_the_future():
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    form = build(field("date", "Date", "jour", bounds="past"), data={"jour": tomorrow})
    assert form.errors["jour"] == [str(DATE_IN_FUTURE)]
    form = build(field("date", "Date", "jour", bounds="past"), data={"jour": "2001-02-03"})
    assert form.is_valid()
    assert clean_answers(form) == {"jour": "2001-02-03"}


def test_number_bounds():
    form = build(field("number", "Exemplaires", "n", min_value=1, max_value=3), data={"n": "4"})
    assert "n" in form.errors
    form = build(field("number", "Exemplaires", "n", min_value=1, max_value=3), data={"n": "2"})
    assert clean_answers(form) == {"n": 2}


def test_choices_radio_list_and_multiple():
    radio = build(
        field("choice", "Classe", "c", choices="CP\nCE1", widget="radio"), data={"c": "CE2"}
    )
    assert "c" in radio.errors
    select = build(
        field("choice", "Classe", "c", choices="CP\nCE1", widget="select"), data={"c": "CE1"}
    )
    assert clean_answers(select) == {"c": "CE1"}
    multiple = build(
        field("multiple_choice", "Jours", "j", choices="Lundi\nMardi"),
        data={"j": ["Lundi", "Mardi"]},
    )
    assert clean_answers(multiple) == {"j": ["Lundi", "Mardi"]}


def test_yes_no_stores_a_boolean_even_no():
    form = build(field("yes_no", "Allergies ?", "a"), data={"a": "no"})
    assert clean_answers(form) == {"a": False}


def test_postal_address_is_structured():
    form = build(
        field("address", "Adresse", "adr"),
        data={
            "adr__street": "1 place de la Mairie",
            "adr__postcode": "62220",
            "adr__city": "Carvin",
        },
    )
    assert clean_answers(form) == {
        "adr": {"street": "1 place de la Mairie", "postcode": "62220", "city": "Carvin"}
    }
    form = build(
        field("address", "Adresse", "adr"),
        data={"adr__street": "1 rue", "adr__postcode": "?", "adr__city": "X"},
    )
    assert "adr__postcode" in form.errors


def test_consent_must_be_ticked():
    form = build(field("consent", "Je certifie", "ok"), data={})
    assert "ok" in form.errors


@pytest.mark.django_db
def test_household_member_offers_only_children_when_asked(carvin):
    account = citizen(carvin, members=[member("Léa"), member("Paul", date(1980, 1, 1), "spouse")])
    form = build(field("member", "Enfant", "enfant", who="children"), account=account)
    labels = [label for _value, label in form.fields["enfant"].choices]
    assert labels == ["Léa Lire"]
    form = build(field("member", "Qui ?", "qui"), account=account)
    assert len(form.fields["qui"].choices) == 3


@pytest.mark.django_db
def test_prefill_from_account_and_chosen_member(carvin):
    account = citizen(carvin, phone="0612345678", members=[member("Léa")])
    lea = account.household_members.get()
    earlier = [Block(type="member", value={"key": "enfant", "label": "Enfant"})]
    form = build(
        field("email", "Courriel", "mail", prefill="email"),
        field("phone", "Téléphone", "tel", prefill="phone"),
        field("short_text", "Prénom", "prenom", prefill="member_first_name"),
        field("date", "Né le", "ne", prefill="member_birth_date"),
        account=account,
        raw={"enfant": [str(lea.pk)]},
        earlier=earlier,
    )
    assert form["mail"].value() == account.email
    assert form["tel"].value() == "06 12 34 56 78"
    assert form["prenom"].value() == "Léa"
    assert form["ne"].value() == lea.birth_date.isoformat()


def test_what_was_typed_wins_over_prefill():
    from types import SimpleNamespace

    account = SimpleNamespace(email="a@example.org")
    form = build(
        field("email", "Courriel", "mail", prefill="email"),
        account=account,
        raw={"mail": ["b@example.org"]},
    )
    assert form["mail"].value() == "b@example.org"


def test_condition_on_an_earlier_step():
    earlier = [Block(type="yes_no", value={"key": "allergie", "label": "Allergie ?"})]
    detail = field(
        "long_text", "Lesquelles ?", "detail", condition={"field": "allergie", "value": "Oui"}
    )
    shown = build(detail, raw={"allergie": ["yes"]}, earlier=earlier, data={})
    assert "detail" in shown.errors
    hidden = build(detail, raw={"allergie": ["no"]}, earlier=earlier, data={"detail": "forged"})
    assert hidden.is_valid()
    assert clean_answers(hidden) == {}
    assert [item.block.key for item in hidden.visible_items] == []


def test_condition_in_the_same_step_is_previewed_and_enforced():
    blocks = (
        field("choice", "Qui ?", "qui", choices="Moi\nAutre"),
        field("short_text", "Précisez", "autre", condition={"field": "qui", "value": "autre"}),
    )
    form = build(*blocks, data={"qui": "Autre"})
    assert "autre" in form.errors
    form = build(*blocks, data={"qui": "Moi", "autre": "x"})
    assert form.is_valid()
    assert clean_answers(form) == {"qui": "Moi"}
    # Rendered (hidden) for the browser to show it when the answer changes.
    assert [item.block.key for item in form.visible_items] == ["qui", "autre"]


def test_document_checked_by_content_not_name():
    doc = field("document", "Justificatif", "doc", types=["pdf"], max_size=1, by_post=True)
    form = build(doc, data={}, files=MultiValueDict({"doc": [pdf_file("photo.pdf", PNG)]}))
    assert not form.is_valid()
    assert "photo.pdf" in form.errors["doc"][0]
    form = build(doc, data={}, files=MultiValueDict({"doc": [pdf_file("scan.jpg", PDF)]}))
    assert form.is_valid(), form.errors
    assert form.uploads["doc"].content_type == "application/pdf"


def test_document_may_be_promised_by_post():
    doc = field("document", "Justificatif", "doc", types=["pdf"], max_size=1, by_post=True)
    assert "doc" in build(doc, data={}).errors
    assert build(doc, data={"doc__by_post": "on"}).is_valid()
    no_post = field("document", "Justificatif", "doc", types=["pdf"], max_size=1, by_post=False)
    form = build(no_post, data={"doc__by_post": "on"})
    assert "doc" in form.errors


def test_help_block_asks_nothing():
    form = build({"type": "help", "value": {"heading": "À savoir", "text": "<p>Info</p>"}}, data={})
    assert form.is_valid()
    assert form.fields == {}


def test_answer_rows_follow_the_form_order():
    steps = steps_of(
        [
            step("Un", field("yes_no", "Allergie ?", "a"), field("date", "Le", "d")),
            step("Deux", field("address", "Adresse", "adr")),
        ]
    )
    rows = answer_rows(
        steps,
        {
            "d": "2020-03-12",
            "a": True,
            "adr": {"street": "1 rue", "postcode": "62220", "city": "Carvin"},
        },
    )
    assert [(s.title, [(r.label, r.text) for r in rs]) for s, rs in rows] == [
        ("Un", [("Allergie ?", "Oui"), ("Le", "12 mars 2020")]),
        ("Deux", [("Adresse", "1 rue\n62220 Carvin")]),
    ]


@pytest.mark.django_db
def test_keys_are_made_from_labels_and_unique(carvin):
    page = service_page(
        carvin,
        form=[
            step(
                "Un", field("short_text", "Nom d'usage", ""), field("short_text", "Nom d'usage", "")
            )
        ],
    )
    keys = [b.key for s in page.steps for b in s.blocks]
    assert keys == ["nom_dusage", "nom_dusage_2"]


@pytest.mark.django_db
def test_published_key_cannot_change(carvin):
    page = service_page(carvin, form=[step("Un", field("short_text", "Nom", "nom"))])
    page.form[0].value["fields"][0].value["key"] = "nom_de_famille"
    with pytest.raises(ValidationError) as error:
        page.full_clean()
    assert "nom" in str(error.value)


@pytest.mark.django_db
def test_condition_must_point_to_an_earlier_field(carvin):
    with pytest.raises(ValidationError):
        service_page(
            carvin,
            form=[
                step(
                    "Un",
                    field(
                        "short_text", "Nom", "nom", condition={"field": "plus_tard", "value": "x"}
                    ),
                )
            ],
        )


@pytest.mark.django_db
def test_member_chosen_in_the_same_step_fills_what_is_left_empty(carvin):
    account = citizen(carvin, members=[member("Léa")])
    lea = account.household_members.get()
    blocks = (
        field("member", "Enfant", "enfant", who="children"),
        field("short_text", "Prénom", "prenom", prefill="member_first_name"),
        field("date", "Né le", "ne", prefill="member_birth_date"),
    )
    form = build(*blocks, account=account, data={"enfant": str(lea.pk)})
    assert form.is_valid(), form.errors
    assert clean_answers(form)["prenom"] == "Léa"
    assert clean_answers(form)["ne"] == lea.birth_date.isoformat()
    typed = build(*blocks, account=account, data={"enfant": str(lea.pk), "prenom": "Léa-Rose"})
    assert clean_answers(typed)["prenom"] == "Léa-Rose"


def test_phone_refuses_a_number_no_operator_gives():
    form = build(field("phone", "Téléphone", "tel"), data={"tel": "07 11 22 33 44"})
    assert form.errors["tel"] == [str(PHONE_INVALID)]


@pytest.mark.django_db
def test_the_phone_an_account_holds_is_accepted_where_it_is_prefilled(carvin, client):
    account = citizen(carvin, validated=True)
    client.force_login(account)
    client.post(
        "/compte/profil/modifier/",
        {
            "first_name": account.first_name,
            "last_name": account.last_name,
            "birth_date": account.birth_date.isoformat(),
            "email": "amelie@example.org",
            "phone": "0612345678",
            "address_line": "1 rue Haute",
            "postcode": "62220",
            "city": "Carvin",
            "contact_preference": "email",
        },
        HTTP_HOST="carvin.localhost",
    )
    account.refresh_from_db()
    assert account.phone == "06 12 34 56 78"

    prefilled = build(field("phone", "Téléphone", "tel", prefill="phone"), account=account)
    form = build(
        field("phone", "Téléphone", "tel", prefill="phone"),
        account=account,
        data={"tel": prefilled["tel"].value()},
    )
    assert form.is_valid(), form.errors


def test_a_date_of_birth_is_from_1900_and_not_in_the_future():
    birth = field("date", "Date de naissance", "ne", bounds="birth")
    form = build(birth, data={"ne": "1899-12-31"})
    assert form.errors["ne"] == [str(BIRTH_DATE_TOO_EARLY)]
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    assert "ne" in build(birth, data={"ne": tomorrow}).errors
    assert build(birth, data={"ne": "1900-01-01"}).is_valid()
    assert 'min="1900-01-01"' in str(build(birth)["ne"])


def test_a_french_address_needs_a_postcode_of_five_digits():
    address = field("address", "Adresse", "adr")
    typed = {"adr__street": "1 rue Haute", "adr__city": "Carvin"}
    for postcode in ("1A", "ABCDE", "6222"):
        form = build(address, data={**typed, "adr__postcode": postcode})
        assert form.errors["adr__postcode"] == [str(POSTCODE_INVALID)]
    form = build(address, data={**typed, "adr__postcode": "62 220"})
    assert clean_answers(form)["adr"]["postcode"] == "62220"
    abroad = field("address", "Adresse", "adr", postcodes="any")
    assert build(abroad, data={**typed, "adr__postcode": "SW1A 1AA"}).is_valid()


def test_a_field_required_only_for_some_answers_of_an_earlier_step():
    earlier = [
        Block(
            type="choice",
            value={"key": "type_acte", "label": "Type", "choices": "Copie\nFiliation\nSans"},
        )
    ]
    parent = field(
        "short_text",
        "Parent",
        "parent",
        required=False,
        required_when={"field": "type_acte", "value": "Copie | Filiation"},
    )
    for answer in ("Copie", "Filiation"):
        form = build(parent, raw={"type_acte": [answer]}, earlier=earlier, data={})
        assert "parent" in form.errors
        assert form.fields["parent"].required
    form = build(parent, raw={"type_acte": ["Sans"]}, earlier=earlier, data={})
    assert form.is_valid()
    assert not form.fields["parent"].required


def test_a_field_required_only_for_an_answer_in_the_same_step():
    blocks = (
        field("yes_no", "Un second parent ?", "second"),
        field(
            "short_text",
            "Second parent",
            "parent_2",
            required=False,
            required_when={"field": "second", "value": "Oui"},
        ),
    )
    assert "parent_2" in build(*blocks, data={"second": "yes"}).errors
    assert build(*blocks, data={"second": "no"}).is_valid()


def test_a_document_both_attached_and_promised_by_post_asks_which_one():
    doc = field("document", "Justificatif", "doc", types=["pdf"], max_size=1, by_post=True)
    form = build(
        doc,
        data={"doc__by_post": "on"},
        files=MultiValueDict({"doc": [pdf_file("scan.pdf", PDF)]}),
    )
    assert form.errors["doc"] == [str(DOCUMENT_AND_BY_POST)]
    # The file is kept with the draft all the same: nothing sent is lost.
    assert "doc" in form.uploads

    attached = {"doc": object()}
    form = build(doc, data={"doc__by_post": "on"}, attachments=attached)
    assert form.errors["doc"] == [str(DOCUMENT_AND_BY_POST)]


def test_an_attached_document_may_be_removed_to_send_it_by_post():
    doc = field("document", "Justificatif", "doc", types=["pdf"], max_size=1, by_post=True)
    attached = {"doc": object()}
    form = build(doc, data={"doc__by_post": "on", "doc__remove": "on"}, attachments=attached)
    assert form.is_valid(), form.errors
    assert form.removals == {"doc"}
    assert "doc__remove" not in form.raw_data()

    form = build(doc, data={"doc__remove": "on"}, attachments=attached)
    assert form.errors["doc"] == [str(DOCUMENT_MISSING)]
    assert "doc__remove" not in build(doc).fields
