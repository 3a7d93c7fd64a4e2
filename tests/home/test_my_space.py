""" "Mon espace" on the home page: what waits for the citizen logged in,
from the démarches and the payments (``register_account_summary_panel``)."""

from payments.models import InvoiceStatus
from tests.accounts.factories import citizen
from tests.payments.factories import invoice, regie
from tests.services.factories import service_page, submission

CARVIN = "carvin.localhost"


def test_my_space_shows_my_requests_drafts_and_invoices_and_nobody_elses(client, carvin):
    from services.services import submission_start

    school = service_page(carvin, "Inscription scolaire")
    rooms = service_page(carvin, "Réservation de salle", slug="salles")
    me = citizen(carvin, validated=True)
    neighbour = citizen(carvin, "Jean", "Voisin", validated=True, email="jean@example.org")
    mine = submission(school, me, data={})
    theirs = submission(school, neighbour, data={})
    submission_start(site=carvin, page=rooms, account=me)
    town_hall = regie(carvin)
    invoice(town_hall, me, amount="42.00")
    invoice(town_hall, me, amount="10.00", status=InvoiceStatus.PAID_ONLINE)
    invoice(town_hall, neighbour, amount="99.00")

    client.force_login(me)
    response = client.get("/", HTTP_HOST=CARVIN)
    html = response.content.decode()
    space = html.split('id="my-space-title"')[1].split("</section>")[0]

    assert "Mon espace" in html
    assert mine.reference in space and theirs.reference not in space
    assert "En cours" in space
    assert "Brouillons à terminer" in space and "Réservation de salle" in space
    assert "1 facture à payer, 42,00" in space
    assert "99,00" not in space
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


def test_my_space_is_never_served_to_anonymous_visitors(client, carvin):
    school = service_page(carvin, "Inscription scolaire")
    me = citizen(carvin, validated=True)
    mine = submission(school, me, data={})

    client.force_login(me)
    client.get("/", HTTP_HOST=CARVIN)
    client.logout()
    anonymous = client.get("/", HTTP_HOST=CARVIN)
    again = client.get("/", HTTP_HOST=CARVIN)

    for response in (anonymous, again):
        html = response.content.decode()
        assert "Mon espace" not in html and mine.reference not in html
        assert "Connexion" in html


def test_my_space_says_when_nothing_waits(client, carvin):
    client.force_login(citizen(carvin, validated=True))

    html = client.get("/", HTTP_HOST=CARVIN).content.decode()

    assert "Rien ne vous attend pour le moment." in html
