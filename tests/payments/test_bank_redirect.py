"""Leaving the portal for the bank under the Content-Security-Policy: the
bank's origin is allowed as a form's destination on the page that posts to
the bank, and nowhere else."""

import re

import pytest

from .factories import invoice, regie
from .test_backends import SYSTEMPAY

SYSTEMPAY_ORIGIN = "https://paiement.systempay.fr"


def directive(response, name: str) -> list[str]:
    for part in response["Content-Security-Policy"].split(";"):
        words = part.split()
        if words and words[0] == name:
            return words[1:]
    return []


@pytest.fixture
def systempay_bill(carvin, amelie):
    ville = regie(carvin, "Ville", backend="systempay", options=SYSTEMPAY)
    return invoice(ville, amelie, number="CAR-2026-0077", amount="30.00")


def test_the_bank_form_may_post_to_the_bank_and_other_pages_may_not(amelie_client, systempay_bill):
    amelie_client.post(f"/paiement/panier/ajouter/{systempay_bill.pk}/")
    cart = amelie_client.get("/paiement/panier/")

    response = amelie_client.post("/paiement/panier/payer/")

    html = response.content.decode()
    assert re.search(rf'<form method="post" action="{SYSTEMPAY_ORIGIN}/vads-payment/"', html)
    assert directive(response, "form-action") == ["'self'", SYSTEMPAY_ORIGIN]
    assert directive(cart, "form-action") == ["'self'"]
    assert "<script src=" in html and "<script>" not in html


def test_the_test_bank_on_the_portal_itself_is_a_plain_redirection(amelie_client, ville, amelie):
    bill = invoice(ville, amelie, number="CAR-2026-0078")
    amelie_client.post(f"/paiement/panier/ajouter/{bill.pk}/")

    response = amelie_client.post("/paiement/panier/payer/")

    assert response.status_code == 302
    assert response["Location"].startswith("http://carvin.localhost/paiement/banque-de-test/")
    assert directive(response, "form-action") == ["'self'"]
