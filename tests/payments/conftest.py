import pytest

from tests.accounts.factories import citizen

from .factories import regie


@pytest.fixture
def amelie(carvin):
    """A validated citizen of Carvin."""
    return citizen(carvin, validated=True)


@pytest.fixture
def ville(carvin):
    return regie(carvin, "Ville")


@pytest.fixture
def ccas(carvin):
    return regie(carvin, "CCAS")


@pytest.fixture
def amelie_client(client, amelie):
    client.force_login(amelie)
    client.defaults["HTTP_HOST"] = "carvin.localhost"
    return client
