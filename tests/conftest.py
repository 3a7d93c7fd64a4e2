import io
import os

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.management import call_command
from hypothesis import HealthCheck, settings

from tests.recorded_rows import recorded_rows

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


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """The figures of the fuzz tests and of the authorization matrix."""
    _fuzz_summary(terminalreporter)
    _matrix_summary(terminalreporter, config)


def _fuzz_summary(terminalreporter):
    """How many cases the fuzz tests sent, per address, and how many server
    errors they met."""
    from tests.fuzzing import fuzz_sections, fuzz_summary

    rows, total, errors = fuzz_summary()
    if not rows:
        return
    terminalreporter.section("fuzz")
    for name, count, server_errors in rows:
        terminalreporter.write_line(
            f"{count:>7}  {name}" + (f"  ({server_errors} server errors)" if server_errors else "")
        )
    for title, count, server_errors in fuzz_sections():
        terminalreporter.write_line(f"{title}: {count} cases, {server_errors} server errors")
    terminalreporter.write_line(f"fuzz: {total} cases, {errors} server errors")


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the portal's language, whatever the one before it
    left active in this thread (a request through the test client activates
    the language of its page and leaves it so)."""
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _clear_cache():
    from cms.cache import forget_in_process

    cache.clear()
    forget_in_process()
    yield
    cache.clear()
    forget_in_process()


@pytest.fixture(autouse=True)
def _force_login_passes_second_factor(monkeypatch):
    """``Client.force_login(staff_user)`` signs in with the second factor too.

    The admin asks everyone who can enter it for a code of their
    authenticator app after the password (``accounts.second_factor``). Tests
    that log a member of staff in with ``client.force_login(user)`` (and
    pytest-django's ``admin_client``) get a session that counts as fully
    signed in: the user is given a confirmed TOTP device if they have none,
    and the session records it as the device that verified them, exactly as
    typing a code does. Citizens are logged in as before.

    Tests of the second factor itself go through the real forms instead
    (``client.post("/admin/login/", ...)``), which this does not touch.
    """
    from django.test import Client

    force_login = Client.force_login

    def force_login_with_second_factor(self, user, backend=None):
        force_login(self, user, backend)
        from accounts.second_factor import can_access_admin, mark_verified

        if can_access_admin(user):
            mark_verified(self, user)

    monkeypatch.setattr(Client, "force_login", force_login_with_second_factor)


@pytest.fixture(scope="session")
def demo_loader(migrated_database, tmp_path_factory):
    """Loads the demo portal: Carvin and Saint-André-des-Eaux with their FAQ,
    démarches, accounts and invoices.

    ``manage.py load_demo`` runs once per test run: the first time the demo
    is asked for on the migrations' rows alone, the command runs and the rows
    and files it made are kept; the next times they are put back (the rows
    with their ids, the files copied), several times faster than building the
    pages again. On a database holding other rows the command runs, on top of
    them."""
    import shutil

    from django.apps import apps
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    kept: dict[str, object] = {}

    def load() -> None:
        media = settings.MEDIA_ROOT
        migrations_only = connection.creation.serialize_db_to_string() == migrated_database
        if migrations_only and kept:
            shutil.copytree(kept["media"], media, dirs_exist_ok=True)
            # Wagtail looks the content type of a page up when the row of its
            # specific model is read back: the cache answers, with the ids the
            # rows carry, while the table is still empty.
            ContentType.objects.get_for_models(*apps.get_models())
            restore_database(kept["rows"])
            return
        call_command("load_demo", stdout=io.StringIO())
        if migrations_only:
            kept["rows"] = connection.creation.serialize_db_to_string()
            kept["media"] = tmp_path_factory.mktemp("demo-media")
            shutil.copytree(media, kept["media"], dirs_exist_ok=True)

    return load


@pytest.fixture
def demo(migrated, demo_loader):
    """The demo portal (``demo_loader``), for one test."""
    demo_loader()


SEEDS = __import__("pathlib").Path(__file__).parent / "faq" / "data"


def _commune(name, hostname):
    """The commune's site, created by ``commune_create`` or, on the database
    where it was first created, by writing back what that creation wrote
    (``tests.recorded_rows``)."""
    from wagtail.models import Site

    from cms.services import commune_create

    return recorded_rows.get(
        f"{name} at {hostname}",
        make=lambda: commune_create(name=name, hostname=hostname).site,
        find=lambda: Site.objects.get(hostname=hostname),
    )


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    recorded_rows.begin()


def restore_database(snapshot: str) -> None:
    """Puts the database back to ``snapshot`` (``serialize_db_to_string``):
    emptied, then its rows loaded with their ids, as Django's
    ``serialized_rollback`` does."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType
    from django.core.management.color import no_style
    from django.db import connection

    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
    connection.creation.deserialize_db_from_string(snapshot)
    ContentType.objects.clear_cache()
    # PostgreSQL's sequences must follow the ids put back (a no-op on SQLite).
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
            cursor.execute(sql)


@pytest.fixture(scope="session")
def migrated_database(django_db_setup, django_db_blocker) -> str:
    """The rows the migrations created (the default locale, the root page,
    wagtail-localize's permissions...)."""
    from django.db import connection

    with django_db_blocker.unblock():
        return connection.creation.serialize_db_to_string()


@pytest.fixture
def migrated(migrated_database, db):
    """The database holds what the migrations created. pytest-django runs the
    transactional tests last, and each one empties the database when it ends:
    the next one gets those rows back here."""
    from wagtail.models import Locale

    restored = not Locale.objects.exists()
    if restored:
        restore_database(migrated_database)
    recorded_rows.migrated(restored)


@pytest.fixture
def carvin(migrated):
    return _commune("Carvin", "carvin.localhost")


@pytest.fixture
def saint_andre(migrated):
    return _commune("Saint-André-des-Eaux", "saint-andre-des-eaux.localhost")


@pytest.fixture
def payfip(tmp_path, settings):
    """The fake PayFiP service (``tests.payments.fake_payfip``), which the
    PayFiP backend of the portal is pointed at."""
    from tests.payments.fake_payfip import FakePayFiP

    fake = FakePayFiP(tmp_path).start()
    settings.PAYFIP_WSDL_URL = fake.wsdl_url
    yield fake
    fake.stop()


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


def rolled_back_transaction():
    """A transaction that a fixture opens to roll its data back at the end,
    counted as the test's own (as Django's ``TestCase`` marks its own): the
    code tested runs inside it as it would outside any transaction."""
    from django.db import transaction

    block = transaction.atomic()
    block._from_testcase = True
    return block


def stored_file_deletion_problem(name: str) -> str:
    """Why deleting the stored file ``name`` now could lose a file a row
    still needs, or ``""``: a row of any model still points to it, or the
    database change that drops it has not committed yet (a crash or a
    rollback would leave the row pointing to nothing). The transactions a
    test runs in do not count: only those of the code tested."""
    from django.apps import apps
    from django.db import connection
    from django.db.models import FileField

    if any(not block._from_testcase for block in connection.atomic_blocks):
        return f"{name} is deleted inside a transaction that has not committed yet"
    try:
        for model in apps.get_models():
            for field in model._meta.concrete_fields:
                if isinstance(field, FileField) and (
                    model._base_manager.filter(**{field.name: name}).exists()
                ):
                    return f"{name} is deleted while a row of {model.__name__} still points to it"
    except RuntimeError:  # a test without the database: no row to look at
        pass
    return ""


@pytest.fixture(autouse=True)
def _stored_files_outlive_their_rows(monkeypatch):
    """Every test fails when a stored file is deleted before the database
    change that stops using it has committed (``cms.files``): deleting
    through ``file_delete_on_commit`` is the way. Checked again at the end of
    the test, for a deletion whose error was caught (a robust ``on_commit``
    callback only logs it)."""
    from django.core.files.storage import storages

    problems = []
    for storage_class in {type(storages[alias]) for alias in ("default", "private")}:
        delete = storage_class.delete

        def guarded_delete(self, name, delete=delete):
            problem = stored_file_deletion_problem(name)
            if problem:
                problems.append(problem)
                raise AssertionError(f"{problem}: use cms.files.file_delete_on_commit")
            return delete(self, name)

        monkeypatch.setattr(storage_class, "delete", guarded_delete)
    yield
    assert problems == []


@pytest.fixture(scope="session", autouse=True)
def _remove_test_media():
    yield
    import shutil

    from django.conf import settings

    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


#: Figures of the authorization matrix (tests/test_authorization.py), printed
#: at the end of the run: answers checked by expected answer.
MATRIX_FIGURES = pytest.StashKey[dict]()


def _matrix_summary(terminalreporter, config):
    figures = config.stash.get(MATRIX_FIGURES, None)
    if not figures:
        return
    terminalreporter.section("authorization matrix")
    for line in figures["lines"]:
        terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def identity_provider():
    """The local FranceConnect (``tests.identity_provider``), one for the
    whole run: its address, which a commune gives as its provider."""
    from tests.identity_provider import running_provider

    with running_provider() as url:
        yield url
