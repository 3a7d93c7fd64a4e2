"""The demo's démarches that cost money: each commune's room booking is
priced by room, days and residence and paid once confirmed; Carvin's
Christmas market stall and Saint-André-des-Eaux's cemetery concession are
paid at sending, and their demo requests wait for their payment."""

from decimal import Decimal

from wagtail.models import Site

from fees.models import DemarcheFee, PaymentTime, RequestPayment
from fees.services import quote_for
from services.automation import run_entry_actions
from services.models import ServicePage, Submission


def _page(hostname, slug):
    site = Site.objects.get(hostname=hostname)
    return ServicePage.objects.descendant_of(site.root_page).get(slug=slug)


def test_the_room_booking_is_priced_by_room_days_and_residence(demo):
    room = _page("carvin.localhost", "reservation-de-salle")
    fee = DemarcheFee.objects.get(page=room)

    resident = quote_for(
        room, {"salle": "Salle des fêtes (300 personnes)", "jours": 2, "resident": True}
    )
    other = quote_for(
        room, {"salle": "Salle Jean-Moulin (80 personnes)", "jours": 1, "resident": False}
    )

    assert (fee.when, fee.regie.name) == (PaymentTime.REQUEST, "Ville")
    assert resident.total == Decimal("370.00")
    assert other.total == Decimal("160.00")
    assert other.lines[0].label == "Salle Jean-Moulin (80 personnes), 1 jour(s), hors Carvin"


def test_a_confirmed_booking_and_the_requests_paid_at_sending_wait_for_their_payment(demo):
    booking = Submission.objects.get(reference__startswith="CAR-", status="a_payer")
    # The test's transaction never commits: the status's actions, which the
    # task worker runs once the demo is loaded, run here.
    run_entry_actions(booking.history.get(status="a_payer"))
    assert RequestPayment.objects.get(submission=booking).invoice.amount == Decimal("370.00")
    for hostname, slug, amount in (
        ("carvin.localhost", "marche-de-noel", "85.00"),
        ("saint-andre-des-eaux.localhost", "concession-cimetiere", "350.00"),
    ):
        page = _page(hostname, slug)
        assert DemarcheFee.objects.get(page=page).when == PaymentTime.SUBMISSION
        held = Submission.objects.get(page=page)
        assert held.status == "awaiting_payment"
        payment = RequestPayment.objects.get(submission=held)
        assert payment.invoice.amount == Decimal(amount)
        assert payment.invoice.account == held.account
