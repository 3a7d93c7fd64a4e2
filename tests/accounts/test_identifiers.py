import pytest

from accounts.identifiers import identifier_base
from tests.accounts.factories import citizen


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        ("Amélie", "Lire", "amélie.lire"),
        ("ÉLODIE", "ÉTIENNE", "élodie.étienne"),
        ("Jean-Noël", "d'Arc", "jean-noël.darc"),
        ("Jean-Noël", "d’Arc", "jean-noël.darc"),
        ("Marie Claire", "Le Goff", "marie-claire.le-goff"),
        ("  Zoé ", " Dupont  ", "zoé.dupont"),
    ],
)
def test_identifier_is_first_dot_last_in_lower_case_with_accents(first, last, expected):
    assert identifier_base(first, last) == expected


def test_homonyms_in_one_commune_get_a_number(carvin):
    first = citizen(carvin, email="a@example.org")
    second = citizen(carvin, email="b@example.org")
    third = citizen(carvin, email="c@example.org")

    assert [first.username, second.username, third.username] == [
        "amélie.lire",
        "amélie.lire2",
        "amélie.lire3",
    ]


def test_homonyms_in_two_communes_have_the_same_identifier(carvin, saint_andre):
    assert citizen(carvin).username == citizen(saint_andre).username == "amélie.lire"
