"""An address holding a NUL character, which PostgreSQL cannot compare."""

import pytest


@pytest.mark.parametrize(
    "address",
    [
        "/faq%00/",
        "/paiement/banque-de-test/%00/",
        "/compte/demandes/CAR%00/",
        "/suivi/%00/",
        "/faq/?q=%00",
        "/faq/?%00=x",
    ],
)
def test_an_address_with_a_nul_character_is_refused_with_an_explanation(client, carvin, address):
    response = client.get(address, HTTP_HOST="carvin.localhost")

    assert response.status_code == 400
    assert "<h1>" in response.content.decode()


def test_an_address_without_nul_goes_through(client, carvin):
    response = client.get("/faq/?q=%01cantine", HTTP_HOST="carvin.localhost")

    assert response.status_code == 200
