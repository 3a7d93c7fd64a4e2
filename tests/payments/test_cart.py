"""The cart's rules, as payments.services enforces them and as a citizen
meets them on the "Mes comptes" pages."""

from html import unescape

import pytest
from django.utils import translation

from payments.exceptions import CartError
from payments.models import CartItem, InvoiceStatus
from payments.services import (
    ACCOUNT_PENDING,
    CART_REFUSED,
    INVOICE_NOT_PAYABLE,
    INVOICE_NOT_YOURS,
    cart_add_invoice,
    cart_get_or_create,
    cart_remove_invoice,
)
from tests.accounts.factories import PASSWORD, citizen

from .factories import invoice, regie

SEED_MESSAGE = (
    "Impossible d'ajouter cet article, vous devez d'abord payer ceux en attente dans votre panier"
)


@pytest.fixture
def cart(carvin, amelie):
    return cart_get_or_create(site=carvin, account=amelie)


def test_the_refusal_is_the_seed_faqs_message_word_for_word():
    with translation.override("fr"):
        assert str(CART_REFUSED) == SEED_MESSAGE


def test_cart_takes_invoices_of_one_regie(cart, ville, amelie):
    first, second = invoice(ville, amelie), invoice(ville, amelie)

    cart_add_invoice(cart=cart, invoice=first)
    cart_add_invoice(cart=cart, invoice=second)

    assert set(CartItem.objects.values_list("invoice", flat=True)) == {first.pk, second.pk}
    cart.refresh_from_db()
    assert cart.regie == ville


def test_cart_refuses_the_same_invoice_twice(cart, ville, amelie):
    bill = invoice(ville, amelie)
    cart_add_invoice(cart=cart, invoice=bill)

    with pytest.raises(CartError) as error:
        cart_add_invoice(cart=cart, invoice=bill)

    assert str(error.value) == str(CART_REFUSED)
    assert CartItem.objects.count() == 1


def test_cart_refuses_invoice_of_other_regie(cart, ville, ccas, amelie):
    cart_add_invoice(cart=cart, invoice=invoice(ville, amelie))

    with pytest.raises(CartError) as error:
        cart_add_invoice(cart=cart, invoice=invoice(ccas, amelie))

    assert str(error.value) == str(CART_REFUSED)


def test_an_emptied_cart_takes_another_regie(cart, ville, ccas, amelie):
    first = invoice(ville, amelie)
    cart_add_invoice(cart=cart, invoice=first)
    cart_remove_invoice(cart=cart, invoice=first)

    cart_add_invoice(cart=cart, invoice=invoice(ccas, amelie))

    cart.refresh_from_db()
    assert cart.regie == ccas


def test_cart_refuses_invoice_of_another_household(cart, carvin, ville):
    neighbour = citizen(carvin, "Paul", "Voisin", validated=True)

    with pytest.raises(CartError) as error:
        cart_add_invoice(cart=cart, invoice=invoice(ville, neighbour))

    assert str(error.value) == str(INVOICE_NOT_YOURS)


def test_cart_refuses_invoice_of_another_commune(cart, saint_andre, amelie):
    other = regie(saint_andre, "Ville")

    with pytest.raises(CartError):
        cart_add_invoice(cart=cart, invoice=invoice(other, amelie))


def test_cart_refuses_an_invoice_no_longer_to_pay(cart, ville, amelie):
    with pytest.raises(CartError) as error:
        cart_add_invoice(cart=cart, invoice=invoice(ville, amelie, status=InvoiceStatus.CANCELLED))

    assert str(error.value) == str(INVOICE_NOT_PAYABLE)


def test_cart_refuses_a_household_awaiting_validation(carvin, ville):
    pending = citizen(carvin, "Jean", "Attente")
    cart = cart_get_or_create(site=carvin, account=pending)

    with pytest.raises(CartError) as error:
        cart_add_invoice(cart=cart, invoice=invoice(ville, pending))

    assert str(error.value) == str(ACCOUNT_PENDING)


def test_the_page_refuses_with_the_seed_message_and_a_link_to_the_cart(
    amelie_client, ville, ccas, amelie
):
    amelie_client.post(f"/paiement/panier/ajouter/{invoice(ville, amelie).pk}/")

    response = amelie_client.post(
        f"/paiement/panier/ajouter/{invoice(ccas, amelie).pk}/", follow=True
    )

    html = unescape(response.content.decode())
    assert SEED_MESSAGE in html
    assert '<a href="/paiement/panier/">Accéder à votre panier</a>' in html
    assert CartItem.objects.count() == 1


def test_adding_an_invoice_of_another_household_or_commune_is_a_404(
    amelie_client, carvin, saint_andre, ville
):
    neighbour = invoice(ville, citizen(carvin, "Paul", "Voisin", validated=True))
    elsewhere = invoice(regie(saint_andre), citizen(saint_andre, "Yann", "Le Goff", validated=True))

    for bill in (neighbour, elsewhere):
        response = amelie_client.post(f"/paiement/panier/ajouter/{bill.pk}/")
        assert response.status_code == 404
    assert CartItem.objects.count() == 0


def test_the_cart_page_shows_the_invoices_and_their_total(amelie_client, ville, amelie):
    for amount in ("12.50", "30.25"):
        amelie_client.post(f"/paiement/panier/ajouter/{invoice(ville, amelie, amount=amount).pk}/")

    html = unescape(amelie_client.get("/paiement/panier/").content.decode())

    assert "42,75\xa0€" in html
    assert "Payer 42,75\xa0€ par carte bancaire" in html
    assert "« Ville »" in html


def test_removing_an_invoice_from_the_cart(amelie_client, ville, amelie):
    bill = invoice(ville, amelie)
    amelie_client.post(f"/paiement/panier/ajouter/{bill.pk}/")

    amelie_client.post(f"/paiement/panier/retirer/{bill.pk}/")

    assert CartItem.objects.count() == 0
    assert "Votre panier est vide." in amelie_client.get("/paiement/panier/").content.decode()


def test_the_cart_survives_logging_out(client, carvin, ville, amelie):
    bill = invoice(ville, amelie)
    host = {"HTTP_HOST": "carvin.localhost"}
    client.force_login(amelie)
    client.post(f"/paiement/panier/ajouter/{bill.pk}/", **host)
    client.post("/compte/deconnexion/", **host)

    client.post(
        "/compte/connexion/",
        {"username": amelie.username, "password": PASSWORD},
        HTTP_ORIGIN="http://carvin.localhost",
        **host,
    )
    html = client.get("/paiement/panier/", **host).content.decode()

    assert bill.number in html


def test_an_invoice_paid_at_the_town_hall_leaves_the_cart(amelie_client, ville, amelie):
    bill = invoice(ville, amelie)
    amelie_client.post(f"/paiement/panier/ajouter/{bill.pk}/")
    bill.status = InvoiceStatus.PAID_ELSEWHERE
    bill.save()

    html = unescape(amelie_client.get("/paiement/panier/").content.decode())

    assert f"La facture {bill.number} a quitté votre panier" in html
    assert CartItem.objects.count() == 0


def test_the_cart_needs_a_login(client, carvin):
    response = client.get("/paiement/panier/", HTTP_HOST="carvin.localhost")

    assert response.status_code == 302
    assert response["Location"].startswith("/compte/connexion/")


@pytest.mark.parametrize("target", ["0", "panier"])
def test_the_page_to_come_back_to_is_an_address_never_a_view_name(
    amelie_client, ville, amelie, target
):
    bill = invoice(ville, amelie)

    added = amelie_client.post(f"/paiement/panier/ajouter/{bill.pk}/", {"next": target})
    removed = amelie_client.post(f"/paiement/panier/retirer/{bill.pk}/", {"next": target})

    assert (added.status_code, added["Location"]) == (302, target)
    assert (removed.status_code, removed["Location"]) == (302, target)
