"""A date and a time of day, such as the start of an event."""

from datetime import timedelta

from django.utils import timezone, translation

from services.fields import registry
from services.fields.answers import clean_answers
from tests.services.test_field_types import KEY, bound_form, sample_block

TYPE = registry["date_time"]
DATE, TIME = f"{KEY}__date", f"{KEY}__time"


def fill(day, hour, **options):
    block = sample_block(TYPE, **options)
    with translation.override("fr"):
        form = bound_form(TYPE, [block], {DATE: [day], TIME: [hour]})
        valid = form.is_valid()
        errors = {name: list(messages) for name, messages in form.errors.items()}
    return (clean_answers(form).get(KEY) if valid else None), errors, block


def test_a_date_and_time_is_stored_to_the_minute_and_read_in_french():
    stored, errors, block = fill("2030-06-21", "18:30")

    assert errors == {}
    assert stored == "2030-06-21T18:30"
    with translation.override("fr"):
        assert TYPE.text(block, stored) == "21 juin 2030 à 18:30"


def test_a_date_without_its_time_is_refused_keeping_the_date():
    stored, errors, _block = fill("2030-06-21", "", required=False)

    assert stored is None
    assert errors == {TIME: ["Indiquez la date et l'heure."]}


def test_an_event_that_must_be_ahead_cannot_start_an_hour_ago():
    now = timezone.localtime()
    # Earlier today, even just after midnight.
    an_hour_ago = max(now - timedelta(hours=1), now.replace(hour=0, minute=0))

    _stored, errors, _block = fill(
        an_hour_ago.date().isoformat(), f"{an_hour_ago:%H:%M}", bounds="future"
    )
    stored, fine, _block = fill(
        an_hour_ago.date().isoformat(), f"{an_hour_ago:%H:%M}", bounds="past"
    )

    assert errors == {TIME: ["La date ne peut pas être dans le passé."]}
    assert fine == {} and stored


def test_a_rule_may_name_the_day_of_a_stored_date_and_time():
    block = sample_block(TYPE)

    assert TYPE.stored_matches(block, "2030-06-21T18:30", "2030-06-21")
    assert not TYPE.stored_matches(block, "2030-06-21T18:30", "2030-06-22")
