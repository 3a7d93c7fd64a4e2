"""The demo démarches that cost money: the room booking (a price by room,
days and residence, paid once the town hall confirms the booking), Carvin's
Christmas market stall (metres × price, paid at sending) and
Saint-André-des-Eaux's cemetery concession (a price by duration, paid at
sending). Each is collected by the commune's régie “Ville” on the test bank."""

from decimal import Decimal

from fees.models import DemarcheFee, PaymentTime
from payments.models import Regie
from services.models import ServicePage

#: The demo rooms' price per day, residents then others, in the order of
#: the commune's rooms (``demo.communes``).
ROOM_PRICES = (("185", "250"), ("120", "160"), ("40", "60"))


def _choice_prices(options, prices):
    return [
        {"option": option, "amount": Decimal(price)}
        for option, price in zip(options, prices, strict=True)
    ]


def _room_lines(rooms, commune_name):
    resident = [price for price, _other in ROOM_PRICES]
    other = [price for _resident, price in ROOM_PRICES]
    common = {"choice_field": "salle", "quantity_field": "jours", "condition_field": "resident"}
    return [
        (
            "line",
            {
                **common,
                "label": "{choix}, {quantite} jour(s), tarif habitant",
                "choice_prices": _choice_prices(rooms, resident),
                "condition_operator": "equals",
                "condition_value": "Oui",
            },
        ),
        (
            "line",
            {
                **common,
                "label": f"{{choix}}, {{quantite}} jour(s), hors {commune_name}",
                "choice_prices": _choice_prices(rooms, other),
                "condition_operator": "differs",
                "condition_value": "Oui",
            },
        ),
    ]


STALL_LINES = [
    (
        "line",
        {
            "label": "Droit de place, {quantite} m",
            "amount": Decimal("15"),
            "quantity_field": "metres",
        },
    ),
    (
        "line",
        {
            "label": "Branchement électrique",
            "amount": Decimal("25"),
            "condition_field": "electricite",
            "condition_operator": "equals",
            "condition_value": "Oui",
        },
    ),
]

CONCESSION_LINES = [
    (
        "line",
        {
            "label": "Concession de {choix}",
            "choice_field": "duree",
            "choice_prices": _choice_prices(("15 ans", "30 ans", "50 ans"), ("180", "350", "620")),
        },
    )
]


def fees(commune: dict) -> dict[str, dict]:
    """The price of each demo démarche that has one, by its slug."""
    return {
        "reservation-de-salle": {
            "label": "Location de salle municipale",
            "when": PaymentTime.REQUEST,
            "lines": _room_lines(commune["rooms"], commune["name"]),
        },
        "marche-de-noel": {
            "label": "Droit de place – marché de Noël",
            "when": PaymentTime.SUBMISSION,
            "pay_within_days": 5,
            "lines": STALL_LINES,
        },
        "concession-cimetiere": {
            "label": "Concession funéraire",
            "when": PaymentTime.SUBMISSION,
            "pay_within_days": 10,
            "lines": CONCESSION_LINES,
        },
    }


def add_demo_fees(*, site, index, commune: dict) -> None:
    """Give the commune's démarches that cost money their price, collected
    by its régie “Ville”; a price already set is kept."""
    regie = Regie.objects.filter(site=site, name="Ville").first()
    if regie is None:
        return
    for slug, spec in fees(commune).items():
        page = ServicePage.objects.child_of(index).filter(slug=slug).first()
        if page is None or DemarcheFee.objects.filter(page=page).exists():
            continue
        DemarcheFee.objects.create(site=site, page=page, regie=regie, **spec)
