"""The price of a request is computed on the server from its answers by
its démarche's price lines: whatever the answers, the total is the sum of
the lines, each line is its quantity times its unit price, and nothing
else the browser sends counts."""

from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from fees.pricing import line_problems, quote_of
from services.fields.schema import steps_of
from services.routing import input_blocks
from tests.services.factories import field, step

FORM = [
    step(
        "Réservation",
        field("choice", "Salle", "salle", choices="Salle des fêtes\nSalle Jean-Moulin"),
        field("number", "Nombre de jours", "jours", min_value=1, max_value=10),
        field("yes_no", "Habitez-vous Carvin ?", "resident"),
        field("multiple_choice", "Options", "options", choices="Sono\nVaisselle\nMénage"),
        field("address", "Votre adresse", "adresse", prefill=""),
    )
]
BLOCKS = input_blocks(steps_of(FORM))


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


LINES = [
    {
        "label": "{choix} ({quantite} jours)",
        "choice_field": "salle",
        "choice_prices": [
            {"option": "Salle des fêtes", "amount": "185.00"},
            {"option": "Salle Jean-Moulin", "amount": "120.00"},
        ],
        "quantity_field": "jours",
        "condition_field": "resident",
        "condition_operator": "equals",
        "condition_value": "Oui",
    },
    {
        "label": "{choix} ({quantite} jours, hors commune)",
        "choice_field": "salle",
        "choice_prices": [
            {"option": "Salle des fêtes", "amount": "250.00"},
            {"option": "Salle Jean-Moulin", "amount": "160.00"},
        ],
        "quantity_field": "jours",
        "condition_field": "resident",
        "condition_operator": "differs",
        "condition_value": "Oui",
    },
    {
        "label": "Options : {choix}",
        "choice_field": "options",
        "choice_prices": [
            {"option": "Sono", "amount": "30"},
            {"option": "Vaisselle", "amount": "12.5"},
        ],
    },
    {"label": "Caution de ménage", "amount": "0.333"},
]


def test_the_issue_example_prices_two_days_of_the_salle_des_fetes_for_a_resident():
    quote = quote_of(
        LINES,
        {"salle": "Salle des fêtes", "jours": 2, "resident": True, "options": []},
        BLOCKS,
        when="request",
    )

    assert [(line.label, line.quantity, line.unit, line.amount) for line in quote.lines] == [
        ("Salle des fêtes (2 jours)", Decimal(2), Decimal("185.00"), Decimal("370.00")),
        ("Caution de ménage", Decimal(1), Decimal("0.33"), Decimal("0.33")),
    ]
    assert quote.total == Decimal("370.33")


def test_a_non_resident_pays_the_other_line_and_the_options_chosen():
    quote = quote_of(
        LINES,
        {
            "salle": "Salle Jean-Moulin",
            "jours": 3,
            "resident": False,
            "options": ["Sono", "Ménage"],
        },
        BLOCKS,
        when="request",
    )

    assert [(line.label, line.amount) for line in quote.lines] == [
        ("Salle Jean-Moulin (3 jours, hors commune)", Decimal("480.00")),
        ("Options : Sono", Decimal("30.00")),
        ("Caution de ménage", Decimal("0.33")),
    ]


answers = st.fixed_dictionaries(
    {},
    optional={
        "salle": st.one_of(
            st.sampled_from(["Salle des fêtes", "Salle Jean-Moulin", "salle des FETES"]),
            st.text(max_size=20),
            st.integers(),
            st.none(),
        ),
        "jours": st.one_of(
            st.integers(min_value=-5, max_value=20_000),
            st.decimals(allow_nan=True, allow_infinity=True),
            st.text(max_size=8),
            st.booleans(),
            st.none(),
        ),
        "resident": st.one_of(st.booleans(), st.none(), st.text(max_size=5)),
        "options": st.one_of(
            st.lists(st.sampled_from(["Sono", "Vaisselle", "Ménage", "Autre"]), max_size=4),
            st.text(max_size=10),
        ),
        "prix": st.decimals(allow_nan=False, allow_infinity=False),
        "total": st.text(max_size=10),
    },
)


@given(answers)
def test_for_any_answers_the_total_is_the_sum_of_its_lines(given_answers):
    quote = quote_of(LINES, given_answers, BLOCKS, when="submission")

    assert quote.total == sum((line.amount for line in quote.lines), Decimal("0"))
    for line in quote.lines:
        assert line.amount == (line.quantity * line.unit).quantize(Decimal("0.01"))
        assert line.amount >= 0
        assert line.quantity > 0
    assert quote.total == quote.total.quantize(Decimal("0.01"))


@given(answers, st.decimals(allow_nan=False, allow_infinity=False), st.text(max_size=10))
def test_a_price_sent_with_the_answers_changes_nothing(given_answers, price, total):
    clean = {key: value for key, value in given_answers.items() if key not in ("prix", "total")}

    sent = quote_of(
        LINES, {**clean, "prix": price, "total": total, "amount": price}, BLOCKS, when="x"
    )

    assert sent.total == quote_of(LINES, clean, BLOCKS, when="x").total


def test_lines_that_name_missing_fields_or_answers_are_refused():
    lines = [
        {"label": "Sans prix"},
        {
            "label": "Salle",
            "choice_field": "piece",
            "choice_prices": [{"option": "A", "amount": "1"}],
        },
        {"label": "Jours", "amount": "10", "quantity_field": "salle"},
        {
            "label": "Salle inconnue",
            "choice_field": "salle",
            "choice_prices": [{"option": "Gymnase", "amount": "5"}],
        },
        {"label": "Résident", "amount": "1", "condition_field": "ville", "condition_value": "Oui"},
    ]

    problems = line_problems(lines, BLOCKS)

    assert problems == [
        "Price line “Sans prix”: give a unit price, or the prices of a choice.",
        "Price line “Salle”: the form has no field “piece”.",
        "Price line “Jours”: the field “Salle” is not a number field.",
        "Price line “Salle inconnue”: The field “Salle” does not offer the answer “Gymnase”. "
        "Its answers: « Salle des fêtes », « Salle Jean-Moulin ».",
        "Price line “Résident”: the form has no field “ville”.",
    ]
    assert line_problems(LINES, BLOCKS) == []


def test_a_resident_is_known_by_the_town_or_postcode_of_the_address_given():
    lines = [
        {"label": "Tarif habitant", "amount": "100", "condition_field": "adresse",
         "condition_operator": "equals", "condition_value": "Carvin"},
        {"label": "Tarif extérieur", "amount": "150", "condition_field": "adresse",
         "condition_operator": "differs", "condition_value": "Carvin"},
    ]  # fmt: skip
    at = {"street": "1 rue de la Gare", "postcode": "62220"}

    def label(city):
        (line,) = quote_of(lines, {"adresse": {**at, "city": city}}, BLOCKS, when="x").lines
        return line.label

    assert line_problems(lines, BLOCKS) == []
    assert label("CARVIN") == label("carvin") == "Tarif habitant"
    assert label("Libercourt") == "Tarif extérieur"
