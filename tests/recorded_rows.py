"""Rows that many tests build the same way, built once and written back.

A thousand tests start by creating Carvin (``commune_create``: its pages,
revisions, groups, permissions, search and reference index, a third of a
second each) on a database holding what the migrations created, nothing
else. ``RecordedRows`` creates it for real the first time and records what
that changed in every table (rows added, changed and removed); the next test
that asks for the same commune on the same database gets those changes
written back with plain SQL, ids included, which takes a few milliseconds.

The changes are written back only onto the database they were recorded on:
the rows of the migrations (``migrated``), followed by the same communes in
the same order, with nothing written in between by the test's other fixtures
(every statement of the test's connection that may write is counted), the
same number of rows and highest id in each table, and while the clock shows
the time of the recording (a test that travels in time creates its communes
then). Anything else creates the commune for real. What a creation does
besides its rows is done again too: the caches its signals empty are
emptied, and PostgreSQL's sequences are moved past the ids written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

#: A statement that cannot change a row; any other is counted as a write.
READ_ONLY = re.compile(r"\s*(SELECT|SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT|EXPLAIN)\b", re.I)
#: How long after its recording a change is written back (a test that
#: travels in time gets its rows created at that time).
FRESH_FOR = timedelta(hours=3)
#: The tables SQLite keeps for an FTS5 table, which follow it by themselves.
FTS5_SHADOWS = ("data", "idx", "content", "docsize", "config")
#: The tables a trigger's statements write.
WRITTEN = re.compile(r'(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+["`]?(\w+)', re.I)


@dataclass
class Table:
    name: str
    key: str  # the column naming a row (SQLite: its rowid)
    columns: list[str]  # the columns written back
    insert_key: bool  # whether an insert names the key column itself (SQLite virtual tables)


@dataclass
class Recording:
    fingerprint: dict[str, tuple]
    recorded_at: object
    deleted: dict[str, list] = field(default_factory=dict)
    updated: dict[str, list[tuple]] = field(default_factory=dict)
    inserted: dict[str, list[tuple]] = field(default_factory=dict)


def _is_virtual(sql: str | None) -> bool:
    return bool(sql) and sql.upper().startswith("CREATE VIRTUAL")


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _tables() -> list[Table]:
    tables = []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT type, name, sql FROM sqlite_master")
            found = cursor.fetchall()
            virtual = {name for kind, name, sql in found if kind == "table" and _is_virtual(sql)}
            shadows = {f"{name}_{suffix}" for name in virtual for suffix in FTS5_SHADOWS}
            # Tables that triggers write (the search index's FTS5 table) are
            # written again by the same triggers.
            by_triggers = {
                target
                for kind, _name, sql in found
                if kind == "trigger"
                for target in WRITTEN.findall(sql or "")
            }
            for kind, name, _sql in found:
                if kind != "table" or name.startswith("sqlite_") or name in shadows:
                    continue
                if name in by_triggers:
                    continue
                cursor.execute(f"SELECT * FROM {_quote(name)} LIMIT 0")  # noqa: S608 - a table name of the schema
                columns = [column[0] for column in cursor.description]
                if name in virtual:
                    tables.append(Table(name, "rowid", ["rowid", *columns], insert_key=True))
                else:
                    tables.append(Table(name, "rowid", columns, insert_key=False))
        else:
            cursor.execute("SELECT COUNT(*) FROM pg_trigger WHERE NOT tgisinternal")
            if cursor.fetchone()[0]:
                return []  # what the triggers write is not known here
            for info in connection.introspection.get_table_list(cursor):
                if info.type != "t":
                    continue
                keys = connection.introspection.get_primary_key_columns(cursor, info.name)
                if not keys or len(keys) != 1:
                    return []
                cursor.execute(f"SELECT * FROM {_quote(info.name)} LIMIT 0")  # noqa: S608 - a table name of the schema
                columns = [column[0] for column in cursor.description]
                tables.append(Table(info.name, keys[0], columns, insert_key=False))
    return tables


def _fingerprint(tables: list[Table]) -> dict[str, tuple]:
    """The number of rows and the highest key of each table, in one query."""
    if not tables:
        return {}
    parts = [
        f"SELECT %s, COUNT(*), MAX(CAST({_key(t)} AS TEXT)) FROM {_quote(t.name)}"  # noqa: S608
        for t in tables
    ]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), [t.name for t in tables])
        return {name: (count, highest) for name, count, highest in cursor.fetchall()}


def _rows(tables: list[Table]) -> dict[str, dict]:
    """Every row of every table, by key."""
    rows = {}
    with connection.cursor() as cursor:
        for table in tables:
            columns = ", ".join(_column(c) for c in table.columns)
            cursor.execute(f"SELECT {_key(table)}, {columns} FROM {_quote(table.name)}")  # noqa: S608
            rows[table.name] = {row[0]: tuple(row[1:]) for row in cursor.fetchall()}
    return rows


class RecordedRows:
    """Creates what ``make`` creates, for real or by writing back a recording
    (see the module's docstring).

    ``begin`` is called before each test's fixtures and ``migrated`` once the
    database holds the migrations' rows (``restored`` when they were just put
    back); ``get(name, make, find)`` returns ``make()`` or, after writing its
    rows back, ``find()``."""

    #: Recordings kept per name and communes before it, for databases of
    #: different contents (a module's shared demo...).
    KEPT = 3

    def __init__(self):
        self.recordings: dict[tuple, list[Recording]] = {}
        self.writes = 0
        self.test_writes = 0
        self.state: tuple[str, ...] | None = None
        self.state_writes = -1
        self._tables: list[Table] | None = None

    def _count(self, execute, sql, params, many, context):
        if not READ_ONLY.match(sql):
            self.writes += 1
        return execute(sql, params, many, context)

    def begin(self) -> None:
        """A test starts: its fixtures may write anything."""
        if self._count not in connection.execute_wrappers:
            connection.execute_wrappers.append(self._count)
        self.state = None
        self.test_writes = self.writes

    def migrated(self, restored: bool) -> None:
        """The database holds the migrations' rows: put back just now, or
        found there with nothing written since the test started."""
        if restored or self.writes == self.test_writes:
            self._moved_on(())
        else:
            self._moved_on(None)

    def _known_state(self) -> tuple[str, ...] | None:
        if self._count not in connection.execute_wrappers or self.state_writes != self.writes:
            return None
        return self.state

    def _moved_on(self, state: tuple[str, ...] | None) -> None:
        self.state = state
        self.state_writes = self.writes

    def get(self, name: str, make, find):
        state = self._known_state()
        if state is None:
            self._moved_on(None)
            return make()
        key = (*state, name)
        recordings = self.recordings.setdefault(key, [])
        tables = self.tables()
        fingerprint = _fingerprint(tables) if tables else None
        now = timezone.now()
        recording = next(
            (
                r
                for r in recordings
                if r.fingerprint == fingerprint
                and r.recorded_at <= now <= r.recorded_at + FRESH_FOR
            ),
            None,
        )
        if recording is not None:
            self._replay(recording)
            result = find()
        elif tables and len(recordings) < self.KEPT:
            result, recording = self._record(tables, fingerprint, make)
            recordings.append(recording)
        else:
            self._moved_on(None)
            return make()
        self._moved_on(key)
        return result

    def tables(self) -> list[Table]:
        if self._tables is None:
            self._tables = _tables()
        return self._tables

    @staticmethod
    def _record(tables: list[Table], fingerprint, make):
        recording = Recording(fingerprint=fingerprint, recorded_at=timezone.now())
        before = _rows(tables)
        result = make()
        after = _rows(tables)
        for table in tables:
            old, new = before[table.name], after[table.name]
            if deleted := [k for k in old if k not in new]:
                recording.deleted[table.name] = deleted
            if updated := [(*new[k], k) for k in new if k in old and new[k] != old[k]]:
                recording.updated[table.name] = updated
            if inserted := [new[k] for k in new if k not in old]:
                recording.inserted[table.name] = inserted
        return result, recording

    def _replay(self, recording: Recording) -> None:
        tables = {table.name: table for table in self.tables()}
        touched = set()
        with transaction.atomic(), connection.cursor() as cursor:
            for name, keys in recording.deleted.items():
                cursor.executemany(
                    f"DELETE FROM {_quote(name)} WHERE {_key(tables[name])} = %s",  # noqa: S608
                    [(k,) for k in keys],
                )
                touched.add(name)
            for name, rows in recording.updated.items():
                table = tables[name]
                assignments = ", ".join(f"{_column(c)} = %s" for c in table.columns)
                cursor.executemany(
                    f"UPDATE {_quote(name)} SET {assignments} WHERE {_key(table)} = %s",  # noqa: S608
                    rows,
                )
                touched.add(name)
            for name, rows in recording.inserted.items():
                table = tables[name]
                columns = ", ".join(_column(c) for c in table.columns)
                values = ", ".join(["%s"] * len(table.columns))
                cursor.executemany(
                    f"INSERT INTO {_quote(name)} ({columns}) VALUES ({values})",  # noqa: S608
                    rows,
                )
                touched.add(name)
            models = [
                model
                for model in apps.get_models(include_auto_created=True)
                if model._meta.db_table in touched
            ]
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)
        _forget_what_a_creation_changes()


def _key(table: Table) -> str:
    return "rowid" if table.key == "rowid" else _quote(table.key)


def _column(name: str) -> str:
    return "rowid" if name == "rowid" else _quote(name)


def _forget_what_a_creation_changes() -> None:
    """What the signals of saving sites, pages, locales and settings forget
    (``cms.signals``, Wagtail's site root paths)."""
    from wagtail.models import Site

    from cms.cache import invalidate_all
    from cms.pages import forget_locale_languages, forget_private_pages
    from cms.tenancy import forget_sites

    forget_sites()
    invalidate_all()
    forget_private_pages()
    forget_locale_languages()
    Site.clear_site_root_paths_cache()


recorded_rows = RecordedRows()
