"""The demo portal, loaded once per module of fuzz tests.

Loading the demo takes seconds; every test of a module draws its cases
against the same data, in a transaction rolled back at the end of the module
(each test in a savepoint of it, as Django's ``TestCase`` does per class).
Queries that PostgreSQL would refuse for a NUL character fail on SQLite too.
"""

import pytest
from django.db import connection, transaction

from tests.conftest import rolled_back_transaction
from tests.fuzzing import refuse_nul_like_postgresql


@pytest.fixture(scope="module")
def fuzz_demo(django_db_setup, django_db_blocker, demo_loader):
    with django_db_blocker.unblock(), rolled_back_transaction():
        demo_loader()
        yield
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _fuzz_database(fuzz_demo, db):
    with connection.execute_wrapper(refuse_nul_like_postgresql):
        yield
