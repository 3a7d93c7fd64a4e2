"""The home page as staff build it from blocks (``home.blocks``)."""

import json
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from wagtail.models import Page

from cms.models import CommuneSettings
from home.blocks import banner_shown
from home.models import HomePage
from tests.accounts.factories import citizen
from tests.services.factories import service_page, submission

CARVIN = "carvin.localhost"
PARIS = ZoneInfo("Europe/Paris")


def block(kind, value):
    return {"type": kind, "value": value, "id": str(uuid.uuid4())}


def publish_home(site, *blocks):
    home = HomePage.objects.get(pk=site.root_page_id)
    home.body = json.dumps(list(blocks))
    home.save_revision().publish()
    return home


def home_html(client, host=CARVIN, path="/"):
    response = client.get(path, HTTP_HOST=host)
    assert response.status_code == 200
    return response.content.decode()


def banner(title, first, last=None):
    return block(
        "banner",
        {
            "title": title,
            "text": "<p>Circulation alternée.</p>",
            "kind": "warning",
            "first_day": first.isoformat(),
            "last_day": last.isoformat() if last else None,
        },
    )


def test_a_new_communes_home_page_offers_search_hours_and_entry_points(client, carvin):
    html = home_html(client)

    assert 'action="/recherche/"' in html
    assert 'href="/faq/"' in html and 'href="/services/"' in html


def test_a_banner_shows_only_between_its_first_and_last_day(client, carvin):
    today = timezone.localdate()
    publish_home(
        carvin,
        banner("Travaux en cours", today - timedelta(days=2), today),
        banner("Travaux terminés", today - timedelta(days=9), today - timedelta(days=1)),
        banner("Travaux à venir", today + timedelta(days=1)),
        banner("Fermeture sans fin", today),
    )

    html = home_html(client)

    assert "Travaux en cours" in html
    assert "Fermeture sans fin" in html
    assert "Travaux terminés" not in html
    assert "Travaux à venir" not in html


def test_a_banner_starts_at_midnight_in_paris_not_in_utc():
    first_day = date(2026, 7, 14)
    value = {"first_day": first_day, "last_day": None}

    # 23:30 UTC on the 13th is 01:30 on the 14th in Paris (summer time).
    with time_machine.travel(datetime(2026, 7, 13, 23, 30, tzinfo=ZoneInfo("UTC")), tick=False):
        assert banner_shown(value)
    with time_machine.travel(datetime(2026, 7, 13, 21, 30, tzinfo=ZoneInfo("UTC")), tick=False):
        assert not banner_shown(value)


def test_the_anonymous_copy_of_the_home_page_is_kept_until_midnight_at_most(
    client, carvin, settings
):
    from cms.cache import pages

    settings.PAGE_CACHE_TIMEOUT = 24 * 3600
    travel = datetime(2026, 3, 2, 23, 50, tzinfo=PARIS)
    with time_machine.travel(travel, tick=False):
        home_html(client)
    entry = next(iter(pages.kept.values()))
    assert entry.expires <= datetime(2026, 3, 3, 0, 0, tzinfo=PARIS).timestamp()


def test_popular_demarches_are_the_most_used_then_those_chosen(client, carvin):
    school = service_page(carvin, "Inscription scolaire", category="Éducation")
    birth = service_page(carvin, "Acte de naissance", category="État civil", slug="naissance")
    rooms = service_page(carvin, "Réservation de salle", category="Associations", slug="salles")
    account = citizen(carvin, validated=True)
    for _ in range(2):
        submission(rooms, account, data={})
    publish_home(
        carvin,
        block(
            "popular",
            {
                "heading": "Les plus demandées",
                "mode": "computed",
                "demarches": [block("item", {"page": birth.pk, "icon": "euro"})],
                "months": 6,
                "count": 2,
            },
        ),
    )

    html = home_html(client)
    tiles = html.split("Les plus demandées")[1]

    assert tiles.index("Réservation de salle") < tiles.index("Acte de naissance")
    assert school.title not in tiles
    assert 'class="tile__icon"' in tiles and "<svg" in tiles


def test_chosen_demarches_show_in_the_order_staff_gave(client, carvin):
    school = service_page(carvin, "Inscription scolaire", category="Éducation")
    birth = service_page(carvin, "Acte de naissance", category="État civil", slug="naissance")
    publish_home(
        carvin,
        block(
            "popular",
            {
                "heading": "À la une",
                "mode": "chosen",
                "demarches": [
                    block("item", {"page": birth.pk, "icon": ""}),
                    block("item", {"page": school.pk, "icon": "school"}),
                ],
                "months": 6,
                "count": 6,
            },
        ),
    )

    tiles = home_html(client).split("À la une")[1]

    assert tiles.index("Acte de naissance") < tiles.index("Inscription scolaire")
    assert 'href="/services/naissance/"' in tiles


def test_categories_lead_to_their_demarches(client, carvin):
    service_page(carvin, "Inscription scolaire", category="Éducation")
    service_page(carvin, "Acte de naissance", category="État civil", slug="naissance")
    publish_home(carvin, block("categories", {"heading": "Par thème"}))

    html = home_html(client)

    assert 'href="/services/?categorie=education">Éducation</a>' in html
    assert 'href="/services/?categorie=etat-civil">État civil</a>' in html
    assert "1 démarche" in html


def opening_hours(site, closures=()):
    commune = CommuneSettings.for_site(site)
    commune.opening_hours = json.dumps(
        [
            block(
                "day",
                {
                    "weekday": str(weekday),
                    "opens": "08:30:00",
                    "closes": "12:00:00",
                    "opens_again": "13:30:00" if weekday < 5 else None,
                    "closes_again": "17:30:00" if weekday < 5 else None,
                },
            )
            for weekday in range(6)
        ]
    )
    commune.closures = json.dumps(list(closures))
    commune.contact_phone = "03 21 00 00 00"
    commune.save()


HOURS_BLOCK = block(
    "opening_hours", {"heading": "Horaires de la mairie", "show_week": True, "show_contact": True}
)


def test_the_hours_say_whether_the_town_hall_opens_today(client, carvin):
    opening_hours(carvin)
    publish_home(carvin, HOURS_BLOCK)

    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=PARIS), tick=False):  # a Monday
        html = home_html(client)
    assert "Ouvert aujourd’hui de 08:30 à 12:00 et de 13:30 à 17:30" in html
    assert "Dimanche" in html and "Fermé" in html
    assert 'href="tel:0321000000"' in html

    with time_machine.travel(datetime(2026, 3, 8, 10, 0, tzinfo=PARIS), tick=False):  # a Sunday
        assert "Fermé aujourd’hui" in home_html(client, path="/?dimanche")


def test_an_exceptional_closure_is_announced_and_closes_the_day(client, carvin):
    closure = block(
        "closure", {"first_day": "2026-03-03", "last_day": "2026-03-04", "reason": "Inventaire"}
    )
    opening_hours(carvin, [closure])
    publish_home(carvin, HOURS_BLOCK)

    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=PARIS), tick=False):
        html = home_html(client)
    assert (
        "Fermeture exceptionnelle du mardi 3 mars au mercredi 4 mars : <span>Inventaire</span>"
        in html
    )

    with time_machine.travel(datetime(2026, 3, 3, 10, 0, tzinfo=PARIS), tick=False):
        html = home_html(client, path="/?mardi")
    assert "Fermé aujourd’hui (<span>Inventaire</span>)" in html


@pytest.mark.parametrize(
    ("day", "error"),
    [
        ({"opens": "12:00", "closes": "08:30"}, "CLOSES_BEFORE_OPENING"),
        ({"opens_again": "13:30"}, "SECOND_RANGE_INCOMPLETE"),
        ({"opens_again": "11:00", "closes_again": "17:00"}, "SECOND_RANGE_OVERLAPS"),
    ],
)
def test_opening_hours_that_make_no_sense_are_refused(day, error):
    from django.core.exceptions import ValidationError

    from cms import blocks

    block_type = blocks.OpeningDayBlock()
    raw = {"weekday": "0", "opens": "08:30", "closes": "12:00"} | day
    with pytest.raises(ValidationError) as refused:
        block_type.clean(block_type.to_python(raw))
    assert str(getattr(blocks, error)) in str(refused.value.block_errors)


def test_staff_edit_the_home_page_and_the_opening_hours(client, carvin, staff_of):
    home = HomePage.objects.get(pk=carvin.root_page_id)
    client.force_login(staff_of(carvin))

    edit = client.get(f"/admin/pages/{home.pk}/edit/", HTTP_HOST=CARVIN)
    assert edit.status_code == 200
    assert "&quot;opening_hours&quot;" in edit.content.decode()

    settings_page = client.get(
        f"/admin/settings/cms/communesettings/{carvin.pk}/", HTTP_HOST=CARVIN
    )
    assert settings_page.status_code == 200
    html = settings_page.content.decode()
    assert 'id="opening_hours"' in html and 'id="closures"' in html


def test_the_english_home_page_is_translated_block_by_block(client, carvin, tmp_path):
    import polib
    from wagtail_localize.models import StringSegment, TranslationSource

    from demo.translation import translate_page

    publish_home(
        carvin,
        banner("Travaux rue Jean-Jaurès", timezone.localdate()),
        block("text", "<p>Faites vos <b>démarches</b> en ligne.</p>"),
        block("search", {"heading": "Que recherchez-vous ?"}),
        HOURS_BLOCK,
    )
    catalogue = polib.POFile()
    for french, english in (
        ("Travaux rue Jean-Jaurès", "Road works on rue Jean-Jaurès"),
        ("Faites vos <b>démarches</b> en ligne.", "Make your <b>requests</b> online."),
        ("Que recherchez-vous ?", "What are you looking for?"),
        ("Horaires de la mairie", "Opening hours"),
    ):
        catalogue.append(polib.POEntry(msgid=french, msgstr=english))
    catalogue.save(str(tmp_path / "home.en.po"))
    home = HomePage.objects.get(pk=carvin.root_page_id)
    assert translate_page(home, language="en", catalogue=tmp_path / "home.en.po")

    source = TranslationSource.objects.get_for_instance(home)
    segments = [s.string.data for s in StringSegment.objects.filter(source=source)]
    assert not any("<p" in text or "<br" in text for text in segments)

    html = home_html(client, path="/en/")
    assert "Road works on rue Jean-Jaurès" in html
    assert "Make your <b>requests</b> online." in html
    assert "What are you looking for?" in html
    assert 'action="/en/recherche/"' in html
    assert Page.objects.filter(locale__language_code="en").count() >= 1


def test_a_demarche_of_another_commune_is_never_shown(client, carvin, saint_andre):
    theirs = service_page(saint_andre, "Concession au cimetière", category="Cimetière")
    publish_home(
        carvin,
        block(
            "popular",
            {
                "heading": "À la une",
                "mode": "chosen",
                "demarches": [block("item", {"page": theirs.pk, "icon": ""})],
                "months": 6,
                "count": 6,
            },
        ),
    )

    assert "Concession au cimetière" not in home_html(client)
