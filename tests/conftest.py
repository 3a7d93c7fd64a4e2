import io

import pytest
from django.core.cache import cache
from django.core.management import call_command


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def demo(db):
    """The demo portal: Carvin and Saint-André-des-Eaux with their FAQ."""
    call_command("load_demo", stdout=io.StringIO())


SEEDS = __import__("pathlib").Path(__file__).parent / "faq" / "data"


def _commune(name, hostname):
    from cms.services import commune_create

    return commune_create(name=name, hostname=hostname).site


@pytest.fixture
def carvin(db):
    return _commune("Carvin", "carvin.localhost")


@pytest.fixture
def saint_andre(db):
    return _commune("Saint-André-des-Eaux", "saint-andre-des-eaux.localhost")


@pytest.fixture
def faq_of():
    """The FAQ page of a commune's site."""
    from faq.models import FAQPage

    def get(site):
        return FAQPage.objects.descendant_of(site.root_page).get()

    return get


@pytest.fixture
def staff_of(db):
    """A staff user in one of a commune's groups."""
    from django.contrib.auth.models import Group

    from accounts.models import User

    def make(site, role="Communication"):
        name = site.site_name
        user = User.objects.create_user(
            username=f"{role.lower()}.{site.hostname}", password="a-long-password-1"
        )
        user.groups.add(Group.objects.get(name=f"{name} — {role}"))
        return user

    return make


@pytest.fixture(scope="session", autouse=True)
def _remove_test_media():
    yield
    import shutil

    from django.conf import settings

    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


#: Figures of the authorization matrix (tests/test_authorization.py), printed
#: at the end of the run: answers checked by expected answer.
MATRIX_FIGURES = pytest.StashKey[dict]()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    figures = config.stash.get(MATRIX_FIGURES, None)
    if not figures:
        return
    terminalreporter.section("authorization matrix")
    for line in figures["lines"]:
        terminalreporter.write_line(line)
