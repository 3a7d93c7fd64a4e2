"""The supervisors set a démarche's price in the admin ("Tarifs des
démarches"): lines naming fields the form lacks are refused with the field
named, a valid price is saved and its page shows an example computation;
the agents' queue filters the requests to pay and paid."""

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import nested_form_data, streamfield

from fees.models import DemarcheFee, PaymentTime
from tests.accounts.factories import citizen
from tests.fees.test_request_payments import ANSWERS, ROOM_FORM, ROOM_LINES
from tests.payments.factories import regie
from tests.services.factories import service_page, submission

ADD = "wagtailsnippets_fees_demarchefee:add"
EDIT = "wagtailsnippets_fees_demarchefee:edit"
HOST = {"HTTP_HOST": "carvin.localhost"}


@pytest.fixture
def room(carvin):
    return service_page(carvin, "Réservation de salle", ROOM_FORM)


def listblock(items):
    data = {
        str(index): {"value": value, "deleted": "", "order": str(index), "id": ""}
        for index, value in enumerate(items)
    }
    data["count"] = str(len(items))
    return data


def fee_data(site, page, ville, lines):
    return nested_form_data(
        {
            "site": site.pk,
            "page": page.pk,
            "regie": ville.pk,
            "label": "Location de salle",
            "when": PaymentTime.REQUEST,
            "pay_within_days": "3",
            "lines": streamfield([("line", line) for line in lines]),
        }
    )


def line(label, **values):
    return {
        "label": label,
        "amount": values.get("amount", ""),
        "choice_field": values.get("choice_field", ""),
        "choice_prices": listblock(values.get("choice_prices", [])),
        "quantity_field": values.get("quantity_field", ""),
        "condition_field": values.get("condition_field", ""),
        "condition_operator": values.get("condition_operator", "equals"),
        "condition_value": values.get("condition_value", ""),
    }


def test_a_supervisor_is_refused_lines_naming_missing_fields_and_saves_a_valid_price(
    client, carvin, room, staff_of
):
    ville = regie(carvin, "Ville")
    client.force_login(staff_of(carvin, "Supervisors"))
    wrong = fee_data(
        carvin,
        room,
        ville,
        [
            line(
                "{choix}",
                choice_field="piece",
                choice_prices=[{"option": "Salle des fêtes", "amount": "185"}],
            ),
            line("Par jour", amount="10", quantity_field="resident"),
        ],
    )

    response = client.post(reverse(ADD), wrong, **HOST)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Ligne de tarif « {choix} » : le formulaire n’a pas de champ « piece »." in html
    assert (
        "Ligne de tarif « Par jour » : le champ « Habitez-vous Carvin ? » n’est pas un champ "
        "nombre." in html
    )
    assert not DemarcheFee.objects.exists()

    valid = fee_data(
        carvin,
        room,
        ville,
        [
            line(
                "{choix} ({quantite} jours)",
                choice_field="salle",
                choice_prices=[
                    {"option": "Salle des fêtes", "amount": "185"},
                    {"option": "Salle Jean-Moulin", "amount": "120"},
                ],
                quantity_field="jours",
            )
        ],
    )
    response = client.post(reverse(ADD), valid, **HOST)
    assert response.status_code == 302, response.content.decode()[:3000]
    fee = DemarcheFee.objects.get()
    assert fee.raw_lines[0]["choice_prices"][1] == {"option": "Salle Jean-Moulin", "amount": "120"}

    page = client.get(reverse(EDIT, args=[fee.pk]), **HOST).content.decode()
    assert "Salle des fêtes (2 jours) – 2 × 185,00\xa0€ = 370,00\xa0€" in page
    assert "Montant à payer : 370,00\xa0€" in page


def test_a_supervisor_of_another_commune_neither_sees_nor_edits_the_price(
    client, carvin, saint_andre, room, staff_of
):
    fee = DemarcheFee.objects.create(
        site=carvin, page=room, regie=regie(carvin), label="Location", lines=ROOM_LINES
    )
    client.force_login(staff_of(saint_andre, "Supervisors"))

    assert client.get(reverse(EDIT, args=[fee.pk])).status_code == 404
    listing = client.get(reverse("wagtailsnippets_fees_demarchefee:list")).content.decode()
    assert "Location" not in listing


def test_agents_see_the_amount_in_the_queue_and_filter_it_on_requests_to_pay_and_paid(
    client, carvin, room, staff_of
):
    DemarcheFee.objects.create(
        site=carvin, page=room, regie=regie(carvin), label="Location", lines=ROOM_LINES
    )
    amelie = citizen(carvin, validated=True)
    held = submission(room, amelie, data=ANSWERS)
    other = service_page(carvin, "Inscription scolaire")
    free = submission(other, amelie, data={})
    client.force_login(staff_of(carvin, "Agents"))
    queue = reverse("wagtailsnippets_services_submission:list")

    to_pay = client.get(queue, {"status": "all", "payment": "to_pay"}).content.decode()
    paid = client.get(queue, {"status": "all", "payment": "paid"}).content.decode()
    everything = client.get(queue, {"status": "all"}).content.decode()

    assert held.reference in to_pay and free.reference not in to_pay
    assert "370,00\xa0€ à payer" in to_pay
    assert held.reference not in paid
    assert held.reference in everything and free.reference in everything


def test_an_agent_of_another_service_sees_neither_the_amount_nor_its_invoice(
    client, carvin, room, staff_of
):
    from payments.models import Invoice
    from services.models import MunicipalService

    technical = MunicipalService.objects.create(site=carvin, name="Services techniques")
    civil = MunicipalService.objects.create(site=carvin, name="État civil")
    room.municipal_service = technical
    room.save_revision().publish()
    DemarcheFee.objects.create(
        site=carvin, page=room, regie=regie(carvin), label="Location", lines=ROOM_LINES
    )
    held = submission(room, citizen(carvin, validated=True), data=ANSWERS)
    invoice = Invoice.objects.get(request_payment__submission=held)
    outsider = staff_of(carvin, "Agents")
    civil.agents.add(outsider)
    insider = staff_of(carvin, "Supervisors")
    invoices = reverse("wagtailsnippets_payments_invoice:list")
    inspect = reverse("wagtailsnippets_payments_invoice:inspect", args=[invoice.pk])

    client.force_login(outsider)
    assert held.reference not in client.get(invoices).content.decode()
    assert client.get(inspect).status_code == 404
    client.force_login(insider)
    assert held.reference in client.get(invoices).content.decode()
    assert client.get(inspect).status_code == 200
