"""Fixtures for the end-to-end tests: the demo portal served by pytest-django's
``live_server`` and Debian's Chromium driven by Playwright.

Every e2e test only *reads* the demo portal, so the demo is loaded once per test
module (``demo_portal``) rather than once per test. pytest-django's own
``transactional_db``, which ``live_server`` pulls in for every test, would flush
the database after each test; in this directory it is replaced by a fixture that
hands the test the module's shared demo database instead. When the module is
done, the database is put back as it was (flushed, then the rows the migrations
had created are restored, as Django's ``serialized_rollback`` does), so tests
that run after the e2e modules see the database they expect.

Do not write to the database from an e2e test: the next test of the module
would see the change. The exceptions are ``test_accounts.py``, which must
register and validate citizens, and ``test_services.py``, which sends
requests: each of their writing tests works on a citizen or a request of its
own that no other test looks at, and the module-level restore above removes
them all. Signing a member of staff in (``helpers.admin_sign_in``) sets up
their authenticator app the first time in a module and asks for its code
afterwards; ``test_second_factor.py`` sets up the platform admin's.
"""

import os
from collections.abc import Iterator

import pytest
from django.db import connections
from wagtail.models import Site

from tests.conftest import restore_database

from .helpers import AXE_JS, CHROMIUM, CHROMIUM_ARGS, JAVA, VNU_JAR, Portal


def pytest_collection_modifyitems(config, items):
    """Stop at once, saying what to install, when the browser or axe-core is
    missing: the end-to-end tests are part of the suite, never skipped."""
    if not any("e2e" in item.keywords for item in items):
        return
    missing = []
    if not os.path.exists(CHROMIUM):
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    if not AXE_JS.exists():
        missing.append(f"{AXE_JS} (npm ci)")
    if not VNU_JAR.exists():
        missing.append(f"{VNU_JAR} (npm ci)")
    if not os.path.exists(JAVA):
        missing.append(f"{JAVA} (apt-get install default-jre-headless)")
    if missing:
        raise pytest.UsageError(
            "The end-to-end tests need " + ", ".join(missing) + "; run ./scripts/test.sh, "
            "which installs them, or deselect them with -m 'not e2e'."
        )


# --- Database and server -----------------------------------------------------


@pytest.fixture(scope="module")
def demo_portal(django_db_setup, django_db_blocker, live_server, demo_loader) -> Iterator[None]:
    """The demo portal (``demo_loader``), loaded once per test module.

    It is set up before Playwright starts and torn down after Playwright stops
    (``browser`` depends on it): the sync Playwright API keeps an asyncio loop
    in this thread while it runs, and Django refuses ORM calls from there.
    """
    connection = connections["default"]
    with django_db_blocker.unblock():
        before = connection.creation.serialize_db_to_string()
        demo_loader()
        # The links of the e-mails the communes send lead to the live server.
        Site.objects.update(port=live_server.thread.port)
    yield
    with django_db_blocker.unblock():
        restore_database(before)


@pytest.fixture
def transactional_db(demo_portal, django_db_blocker) -> Iterator[None]:
    """Overrides pytest-django's fixture of that name for the e2e tests: the
    test, and the live server thread answering it, use the module's demo
    database, which is not flushed after each test."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def portal(live_server, transactional_db) -> Portal:
    """The demo communes on pytest-django's live server."""
    return Portal(live_server.thread.port)


# --- Browser -----------------------------------------------------------------


@pytest.fixture(scope="module")
def browser(demo_portal):
    """One headless Debian Chromium per test module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh tab in a fresh browser context (no cookies, no history); fails
    the test if the page raised a JavaScript error."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="fr-FR")
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def new_page(browser):
    """Opens more tabs, each in a fresh browser context of its own, as another
    person on another computer would (a citizen and an agent in the same test);
    fails the test if one of them raised a JavaScript error."""
    contexts, errors = [], []

    def open_page():
        context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="fr-FR")
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
