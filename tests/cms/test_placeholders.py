from datetime import time
from types import SimpleNamespace

from django.utils import translation

from cms.placeholders import fill_placeholders, insert_placeholders, opening_hours_text

CARVIN = (
    SimpleNamespace(official_name="Carvin", phrase="la mairie de Carvin"),
    SimpleNamespace(hostname="carvin.localhost"),
)
SAINT_ANDRE = (
    SimpleNamespace(
        official_name="Saint-André-des-Eaux", phrase="la mairie de Saint-André-des-Eaux"
    ),
    SimpleNamespace(hostname="saint-andre-des-eaux.localhost"),
)


def test_names_are_found_with_or_without_accents():
    text = "les services de la mairie de Saint-Andre-des-Eaux, à Saint André des Eaux"

    assert insert_placeholders(text, communes=[SAINT_ANDRE]) == (
        "les services de {mairie}, à {commune}"
    )


def test_the_old_portal_address_becomes_the_portal_placeholder():
    text = "Sur la page d'accueil de demarches-carvin.mairie24.fr, « Créer un compte »"

    assert insert_placeholders(text, communes=[CARVIN]) == (
        "Sur la page d'accueil de {portail}, « Créer un compte »"
    )


def test_addresses_of_other_sites_are_kept():
    text = "Voir www.service-public.fr"

    assert insert_placeholders(text, communes=[CARVIN]) == text


def test_another_communes_names_are_recognised_too():
    text = "au sein de la mairie de Saint-Andre-des-Eaux"

    assert insert_placeholders(text, communes=[CARVIN, SAINT_ANDRE]) == "au sein de {mairie}"


def test_fill_escapes_values_in_html_and_leaves_unknown_braces():
    values = {"commune": "A & B", "mairie": "la mairie", "portail": "x.localhost"}

    assert fill_placeholders("<p>{commune} {autre}</p>", values, html=True) == (
        "<p>A &amp; B {autre}</p>"
    )


def test_the_phrase_starting_a_sentence_becomes_the_capitalised_placeholder():
    text = "La mairie de Carvin délivre les actes des personnes nées à Carvin."

    assert insert_placeholders(text, communes=[CARVIN]) == (
        "{Mairie} délivre les actes des personnes nées à {commune}."
    )


def test_the_hours_read_as_words_days_with_the_same_hours_together():
    def day(weekday, opens, closes, opens_again=None, closes_again=None):
        return SimpleNamespace(
            value={
                "weekday": str(weekday),
                "opens": time(*opens),
                "closes": time(*closes),
                "opens_again": opens_again and time(*opens_again),
                "closes_again": closes_again and time(*closes_again),
            }
        )

    week = [day(n, (8, 30), (12,), (13, 30), (17,)) for n in range(5)] + [day(5, (9,), (12,))]
    commune = SimpleNamespace(opening_hours=week, closures=[])

    with translation.override("fr"):
        assert opening_hours_text(commune) == (
            "du lundi au vendredi de 08:30 à 12:00 et de 13:30 à 17:00, le samedi de 09:00 à 12:00"
        )
    assert opening_hours_text(SimpleNamespace(opening_hours=[], closures=[])) == ""
