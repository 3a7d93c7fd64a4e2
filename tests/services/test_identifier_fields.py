"""An IBAN and a SIRET or SIREN number: typed as the citizen reads them on
their documents, refused with a message that says what to check."""

from django.utils import translation

from services.fields import registry
from services.fields.answers import clean_answers
from tests.services.test_field_types import KEY, bound_form, sample_block


def fill(type_name, typed, **options):
    field_type = registry[type_name]
    block = sample_block(field_type, **options)
    with translation.override("fr"):
        form = bound_form(field_type, [block], {KEY: [typed]})
        valid = form.is_valid()
        errors = list(form.errors.get(KEY, []))
    return (clean_answers(form)[KEY] if valid else None), errors, block


def test_an_iban_typed_with_spaces_and_in_lower_case_is_kept_compact_and_shown_grouped():
    stored, errors, block = fill("iban", " fr76 3000 6000 0112 3456 7890 189 ")

    assert errors == []
    assert stored == "FR7630006000011234567890189"
    assert registry["iban"].text(block, stored) == "FR76 3000 6000 0112 3456 7890 189"


def test_a_mistyped_iban_is_refused_with_what_to_check():
    stored, errors, _block = fill("iban", "FR76 3000 6000 0112 3456 7890 198")

    assert stored is None
    assert errors == [
        "Cet IBAN comporte une erreur de saisie : vérifiez-le sur votre relevé "
        "d'identité bancaire (RIB)."
    ]


def test_a_foreign_iban_is_refused_unless_the_demarche_accepts_any_country():
    german = "DE89 3704 0044 0532 0130 00"

    _stored, french_only, _block = fill("iban", german, country="FR")
    stored, any_country, _block = fill("iban", german, country="any")

    assert french_only == ["Indiquez l'IBAN d'un compte tenu en France (il commence par FR)."]
    assert any_country == [] and stored == "DE89370400440532013000"


def test_something_that_is_no_iban_is_refused():
    _stored, errors, _block = fill("iban", "12345")

    assert errors and "deux lettres" in errors[0]


def test_a_siret_is_checked_and_shown_grouped():
    stored, errors, block = fill("business_number", "73282932000074", kind="siret")
    _stored, mistyped, _block = fill("business_number", "73282932000075", kind="siret")
    _stored, siren, _block = fill("business_number", "732829320", kind="siret")

    assert errors == [] and stored == "73282932000074"
    assert registry["business_number"].text(block, stored) == "732 829 320 00074"
    assert "erreur de saisie" in mistyped[0]
    assert siren == ["Un numéro SIRET comporte 14 chiffres."]


def test_either_number_may_be_given_when_the_demarche_accepts_both():
    siren, errors, block = fill("business_number", "732 829 320", kind="either")
    _stored, letters, _block = fill("business_number", "ABC", kind="either")

    assert errors == [] and siren == "732829320"
    assert registry["business_number"].text(block, siren) == "732 829 320"
    assert letters == ["Indiquez le numéro SIRET (14 chiffres) ou le numéro SIREN (9 chiffres)."]
