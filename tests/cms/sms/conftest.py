import pytest

from tests.cms.sms.helpers import sms_commune, sms_user


@pytest.fixture
def sms_server():
    """The fake Brevo/OVH server (``tests.cms.sms.fake_provider``)."""
    from tests.cms.sms.fake_provider import FakeSmsProvider

    fake = FakeSmsProvider().start()
    yield fake
    fake.stop()


@pytest.fixture
def carvin_sms(carvin, sms_server):
    """Carvin sends text messages through Brevo (the fake server)."""
    return sms_commune(carvin, sms_server)


@pytest.fixture
def sms_citizen(carvin_sms):
    """A validated citizen of Carvin who prefers text messages, with a verified number."""
    return sms_user(carvin_sms.site)
