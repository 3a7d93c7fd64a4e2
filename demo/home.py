"""The demo communes' home pages, built from the blocks staff use
(``home.blocks``), and the town halls' opening hours and closures."""

import uuid
from datetime import date, timedelta

from django.utils import timezone

from cms.models import CommuneSettings
from home.models import HomePage
from services.models import ServicePage

WELCOME = (
    "<p>Faites vos démarches en ligne, suivez vos demandes et payez vos factures, "
    "à toute heure. Les réponses aux questions les plus fréquentes sont dans la FAQ.</p>"
)

#: The démarches staff put forward, with their icons.
POPULAR = [
    ("acte-de-naissance", "document"),
    ("inscription-scolaire", "school"),
    ("signalement-voirie", "road"),
    ("reservation-de-salle", "building"),
]

#: Weekday (0 = Monday): opens, closes, opens again, closes again.
HOURS = {
    "carvin": {
        0: ("08:30", "12:00", "13:30", "17:30"),
        1: ("08:30", "12:00", "13:30", "17:30"),
        2: ("08:30", "12:00", "13:30", "17:30"),
        3: ("08:30", "12:00", "13:30", "17:30"),
        4: ("08:30", "12:00", "13:30", "17:00"),
        5: ("09:00", "12:00", None, None),
    },
    "saint-andre": {
        0: ("09:00", "12:30", "14:00", "17:00"),
        1: ("09:00", "12:30", None, None),
        2: ("09:00", "12:30", "14:00", "17:00"),
        3: ("09:00", "12:30", "14:00", "17:00"),
        4: ("09:00", "12:30", "14:00", "16:30"),
    },
}

BANNERS = {
    "carvin": (
        "Travaux rue Jean-Jaurès",
        "<p>La rue Jean-Jaurès est fermée à la circulation entre la place du Général de Gaulle "
        "et la rue de la Gare pendant la rénovation de la chaussée. Une déviation est "
        "signalée par la rue Victor-Hugo.</p>",
    ),
    "saint-andre": (
        "Travaux route de Guérande",
        "<p>La route de Guérande est en circulation alternée pendant l'enfouissement des "
        "réseaux. Merci de votre patience.</p>",
    ),
}


def _block(kind: str, value) -> dict:
    return {"type": kind, "value": value, "id": str(uuid.uuid4())}


def home_body(*, spec: dict, pages: list[tuple[ServicePage, str]], today: date) -> list[dict]:
    title, text = BANNERS[spec["slug"]]
    return [
        _block(
            "banner",
            {
                "title": title,
                "text": text,
                "kind": "warning",
                "first_day": (today - timedelta(days=3)).isoformat(),
                "last_day": (today + timedelta(days=25)).isoformat(),
            },
        ),
        _block(
            "banner",
            {
                "title": "Élections : inscriptions sur les listes électorales",
                "text": "<p>Pensez à vérifier votre inscription avant la date limite.</p>",
                "kind": "info",
                "first_day": (today + timedelta(days=40)).isoformat(),
                "last_day": (today + timedelta(days=70)).isoformat(),
            },
        ),
        _block("text", WELCOME),
        _block("search", {"heading": "Que recherchez-vous ?"}),
        _block(
            "popular",
            {
                "heading": "Les démarches les plus demandées",
                "mode": "computed",
                "demarches": [
                    _block("item", {"page": page.pk, "icon": icon}) for page, icon in pages
                ],
                "months": 6,
                "count": 6,
            },
        ),
        _block("categories", {"heading": "Toutes les démarches par thème"}),
        _block(
            "opening_hours",
            {"heading": "Horaires de la mairie", "show_week": True, "show_contact": True},
        ),
        _block("entry_points", {"heading": "Le portail"}),
    ]


def add_demo_home(*, site, spec: dict, stdout) -> None:
    """Give the commune its hours and closures and build its home page,
    unless staff already have (its settings have hours, its page a banner)."""
    today = timezone.localdate()
    commune = CommuneSettings.for_site(site)
    if not commune.opening_hours.raw_data:
        commune.opening_hours = [
            _block(
                "day",
                {
                    "weekday": str(weekday),
                    "opens": opens,
                    "closes": closes,
                    "opens_again": opens_again,
                    "closes_again": closes_again,
                },
            )
            for weekday, (opens, closes, opens_again, closes_again) in HOURS[spec["slug"]].items()
        ]
        first = today + timedelta(days=10)
        commune.closures = [
            _block(
                "closure",
                {
                    "first_day": first.isoformat(),
                    "last_day": (first + timedelta(days=1)).isoformat(),
                    "reason": "Inventaire des archives municipales",
                },
            )
        ]
        commune.save()
    home = HomePage.objects.get(pk=site.root_page_id)
    if any(block.block_type == "banner" for block in home.body):
        return
    pages = []
    for slug, icon in POPULAR:
        page = ServicePage.objects.descendant_of(home).filter(slug=slug).first()
        if page is not None:
            pages.append((page, icon))
    home.body = home_body(spec=spec, pages=pages, today=today)
    home.save_revision().publish()
    stdout.write(f"{spec['name']}: home page built from its blocks")
