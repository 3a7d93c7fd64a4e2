"""Stored files and the rows that point to them.

A stored file is deleted only once the database change that stops using it
has committed: a crash, an error or a rollback before then leaves the row
and the file it points to as they were. The other way round, a file deleted
first and a change that never commits, leaves a row pointing to nothing.
A file that replaces another is stored before the change is committed, so
it is there whenever the row points to it.
"""

from django.db import transaction


def file_delete_on_commit(field_file, *, using=None) -> None:
    """Delete the stored file of ``field_file`` (a ``FieldFile``) once the
    current transaction has committed; at once outside a transaction. A
    failure to delete is logged, never raised: what was committed stays."""
    if not field_file:
        return
    storage, name = field_file.storage, field_file.name
    transaction.on_commit(lambda: storage.delete(name), using=using, robust=True)
