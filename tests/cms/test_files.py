"""Stored files are deleted once the change that drops them has committed
(``cms.files``); every test fails otherwise (``tests/conftest.py``'s
``_stored_files_outlive_their_rows``), whatever code deletes them."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction

from cms.files import file_delete_on_commit
from payments.models import Invoice
from tests.conftest import stored_file_deletion_problem
from tests.payments.factories import invoice, regie

pytestmark = pytest.mark.django_db


@pytest.fixture
def bill(carvin):
    bill = invoice(regie(carvin, "Ville"))
    bill.pdf.save("facture.pdf", ContentFile(b"%PDF-1.4"))
    return bill


def test_a_file_is_deleted_once_the_transaction_has_committed(
    bill, django_capture_on_commit_callbacks
):
    name = bill.pdf.name

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        Invoice.objects.filter(pk=bill.pk).update(pdf="")
        file_delete_on_commit(bill.pdf)
        assert storages["private"].exists(name)

    assert not storages["private"].exists(name)


def test_a_file_is_kept_when_the_transaction_rolls_back(bill):
    name = bill.pdf.name

    with pytest.raises(RuntimeError), transaction.atomic():
        Invoice.objects.filter(pk=bill.pk).update(pdf="")
        file_delete_on_commit(bill.pdf)
        raise RuntimeError("the server stops")

    assert Invoice.objects.get(pk=bill.pk).pdf.name == name
    assert storages["private"].exists(name)


def test_the_tests_refuse_a_file_deleted_while_a_row_points_to_it(bill):
    assert stored_file_deletion_problem(bill.pdf.name) == (
        f"{bill.pdf.name} is deleted while a row of Invoice still points to it"
    )


def test_the_tests_refuse_a_file_deleted_before_its_rows_change_commits(bill):
    with transaction.atomic():
        Invoice.objects.filter(pk=bill.pk).update(pdf="")
        problem = stored_file_deletion_problem(bill.pdf.name)

    assert problem == f"{bill.pdf.name} is deleted inside a transaction that has not committed yet"
    assert stored_file_deletion_problem(bill.pdf.name) == ""
