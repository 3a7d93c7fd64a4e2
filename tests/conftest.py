import io
import os

import pytest
from django.core.cache import cache
from django.core.management import call_command
from hypothesis import HealthCheck, settings

# The property-based tests (``tests/fuzz/``, ``tests/services/test_fuzz.py``)
# draw the same cases on every run by default: a failure in CI is the one a
# developer gets again at home, and a run never fails for a case the previous
# one did not draw. ``HYPOTHESIS_PROFILE=random`` draws new cases each run,
# to look for what the fixed ones miss; the failing case is printed with its
# ``@reproduce_failure`` blob. Nothing is stored between runs (database=None).
# The tests set data up once and draw inside the test, hence the function-scoped
# fixtures health check is off; a case may take long (a page rendered, a PDF
# checked), hence no deadline.
settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
settings.register_profile("random", parent=settings.get_profile("ci"), derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_terminal_summary(terminalreporter):
    """How many cases the fuzz tests sent, per address, and how many server
    errors they met."""
    from tests.fuzzing import fuzz_summary

    rows, total, errors = fuzz_summary()
    if not rows:
        return
    terminalreporter.section("fuzz")
    for name, count, server_errors in rows:
        terminalreporter.write_line(
            f"{count:>7}  {name}" + (f"  ({server_errors} server errors)" if server_errors else "")
        )
    terminalreporter.write_line(f"fuzz: {total} cases, {errors} server errors")


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
