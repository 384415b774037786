"""The dataset version: a counter that moves once per transaction that writes content.

Database triggers move it, rather than signals, so that bulk updates, raw SQL, admin edits
and history reverts all move it; every cache and ETag keys on it. Every write of one
transaction shares one version, and the history records it writes are stamped with it
(`history_version`), so the changes feed, releases and comparisons can say exactly which
state of the knowledge base a version names.

The version is moved by the transaction's first write, which also locks the version row
until that transaction ends. A second writer waits at its own first write, and takes the
next number only once the first has committed or rolled back: versions are handed out in
commit order. So a reader that sees version N committed also sees every change stamped
with a lower version, and a client that keeps the last version it read and asks for what
came after it misses nothing and sees nothing twice.

- PostgreSQL: `atlas_dataset_version()` knows its transaction by its id
  (`pg_current_xact_id()`) and start time; content tables call it once per statement,
  history tables once per row (to stamp the record).
- SQLite has no transaction id in SQL: each Django connection registers
  `atlas_transaction()`, a token that changes whenever a statement starts outside a
  transaction (an explicit BEGIN, or a statement that commits on its own). Writers are
  serialised by SQLite itself. The triggers then need that function: write to the content
  tables through the application (a plain `sqlite3` shell cannot).
"""

from __future__ import annotations

import itertools
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection, migrations, transaction

from core import registry

# core.models.DatasetVersion's table.
VERSION_TABLE = "sources_datasetversion"
HISTORY_VERSION = "history_version"

_SQLITE_BUMP = (
    f"INSERT INTO {VERSION_TABLE} (id, version, changed_at, token) "
    "VALUES (1, 1, strftime('%Y-%m-%d %H:%M:%f', 'now'), atlas_transaction()) "
    "ON CONFLICT(id) DO UPDATE SET version = version + 1, changed_at = excluded.changed_at, "
    "token = excluded.token WHERE token IS NOT excluded.token;"
)
PG_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION atlas_dataset_version() RETURNS bigint AS $$
DECLARE
    this_transaction text := pg_current_xact_id()::text || '@' || extract(epoch FROM transaction_timestamp())::text;
    current bigint;
BEGIN
    SELECT version INTO current FROM {VERSION_TABLE} WHERE id = 1 AND token = this_transaction;
    IF FOUND THEN
        RETURN current;
    END IF;
    INSERT INTO {VERSION_TABLE} (id, version, changed_at, token)
    VALUES (1, 1, clock_timestamp(), this_transaction)
    ON CONFLICT (id) DO UPDATE SET version = {VERSION_TABLE}.version + 1,
        changed_at = clock_timestamp(), token = this_transaction
    RETURNING version INTO current;
    RETURN current;
END
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION atlas_bump_dataset_version() RETURNS trigger AS $$
BEGIN
    PERFORM atlas_dataset_version();
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION atlas_stamp_history_version() RETURNS trigger AS $$
BEGIN
    IF NEW.{HISTORY_VERSION} IS NULL THEN
        NEW.{HISTORY_VERSION} := atlas_dataset_version();
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
"""


def _sqlite_content_trigger(table: str, op: str) -> tuple[str, str]:
    name = f"atlas_version_{table}_{op.lower()}"
    return name, (
        f"CREATE TRIGGER {name} AFTER {op} ON {table} FOR EACH ROW BEGIN {_SQLITE_BUMP} END"
    )


def _sqlite_history_trigger(table: str) -> tuple[str, str]:
    name = f"atlas_history_version_{table}"
    return name, (
        f"CREATE TRIGGER {name} AFTER INSERT ON {table} FOR EACH ROW "
        f"WHEN NEW.{HISTORY_VERSION} IS NULL BEGIN {_SQLITE_BUMP} "
        f"UPDATE {table} SET {HISTORY_VERSION} = (SELECT version FROM {VERSION_TABLE} WHERE id = 1) "
        "WHERE history_id = NEW.history_id; END"
    )


def _trigger_sql(vendor: str, content: tuple[str, ...], history: tuple[str, ...]) -> dict:
    """{(table, trigger): the SQL that creates it} for the given tables."""
    statements: dict[tuple[str, str], str] = {}
    for table in content:
        if vendor == "postgresql":
            statements[(table, "atlas_version")] = (
                f"CREATE TRIGGER atlas_version AFTER INSERT OR UPDATE OR DELETE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION atlas_bump_dataset_version()"
            )
        elif vendor == "sqlite":
            for op in ("INSERT", "UPDATE", "DELETE"):
                name, sql = _sqlite_content_trigger(table, op)
                statements[(table, name)] = sql
        else:
            raise NotImplementedError(f"No dataset-version triggers for the {vendor} database")
    for table in history:
        if vendor == "postgresql":
            statements[(table, "atlas_history_version")] = (
                f"CREATE TRIGGER atlas_history_version BEFORE INSERT ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION atlas_stamp_history_version()"
            )
        else:
            name, sql = _sqlite_history_trigger(table)
            statements[(table, name)] = sql
    return statements


def _drop_trigger(executor, vendor: str, table: str, name: str) -> None:
    if vendor == "postgresql":
        executor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    else:
        executor.execute(f"DROP TRIGGER IF EXISTS {name}")


def _create_triggers(
    apps, schema_editor, tables: tuple[str, ...], history: tuple[str, ...] = ()
) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTIONS)
    for (table, name), sql in _trigger_sql(vendor, tables, history).items():
        _drop_trigger(schema_editor, vendor, table, name)
        schema_editor.execute(sql)


class SqlExecutor:
    """Just what trigger installation needs of a schema editor, on a plain cursor.

    A real schema editor cannot be opened inside a transaction on SQLite; triggers need none
    of what it adds.
    """

    def __init__(self, connection):
        self.connection = connection

    def execute(self, sql: str, params=None) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)


def installed_triggers(connection) -> set[tuple[str, str]]:
    """(table, trigger name) of every trigger in the database."""
    return set(_installed(connection))


def _installed(connection) -> dict[tuple[str, str], str]:
    """{(table, trigger name): its SQL} of every trigger (the SQL on SQLite only)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal"
            )
            return {(table, name): "" for table, name in cursor.fetchall()}
        cursor.execute("SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'trigger'")
        return {(table, name): sql for table, name, sql in cursor.fetchall()}


def history_tables() -> tuple[str, ...]:
    """The tables of the content models' history records."""
    return tuple(model._meta.db_table for model in registry.history_models())


def expected_triggers(
    vendor: str, tables: tuple[str, ...] | None = None, history: tuple[str, ...] | None = None
) -> set[tuple[str, str]]:
    """(table, trigger) of every version trigger; the content and history tables the apps
    registered unless `tables` (and `history`) are given."""
    if tables is None:
        tables = registry.content_tables()
        history = history_tables() if history is None else history
    return set(_trigger_sql(vendor, tables, history or ()))


def ensure_triggers(connection) -> bool:
    """Re-create the version triggers where one is missing or out of date; True when
    something was re-created.

    On SQLite, a migration that alters a table rebuilds it and its triggers are lost; this
    runs after every `migrate` so that never goes unnoticed. PostgreSQL's trigger functions
    are replaced every time, so their latest definition is the one in use.
    """
    tables, history = registry.content_tables(), history_tables()
    if not _schema_is_current(connection, tables, history):
        return False
    executor = SqlExecutor(connection)
    if connection.vendor == "postgresql":
        executor.execute(PG_FUNCTIONS)
    wanted = _trigger_sql(connection.vendor, tables, history)
    installed = _installed(connection)
    stale = {
        key: sql
        for key, sql in wanted.items()
        if key not in installed or (connection.vendor == "sqlite" and installed[key] != sql)
    }
    if not stale:
        return False
    for (table, name), sql in stale.items():
        _drop_trigger(executor, connection.vendor, table, name)
        executor.execute(sql)
    # Writes made while a trigger was gone did not move the version: move it now.
    executor.execute(f"UPDATE {VERSION_TABLE} SET version = version + 1, token = NULL WHERE id = 1")
    return True


def _schema_is_current(connection, tables: tuple[str, ...], history: tuple[str, ...]) -> bool:
    """The tables and columns the triggers use all exist (not so part-way through
    migrations, or while migrating backwards)."""
    if not {*tables, *history, VERSION_TABLE} <= set(connection.introspection.table_names()):
        return False
    with connection.cursor() as cursor:

        def columns(table: str) -> set[str]:
            return {
                column.name
                for column in connection.introspection.get_table_description(cursor, table)
            }

        return "token" in columns(VERSION_TABLE) and all(
            HISTORY_VERSION in columns(table) for table in history
        )


def _drop_triggers(apps, schema_editor, tables: tuple[str, ...], history=()) -> None:
    vendor = schema_editor.connection.vendor
    for table, name in _trigger_sql(vendor, tables, history):
        _drop_trigger(schema_editor, vendor, table, name)


def version_triggers(
    tables: tuple[str, ...], history: tuple[str, ...] = ()
) -> migrations.RunPython:
    """A migration operation that makes writes to `tables` move the dataset version, and
    stamps the records inserted into the `history` tables with it."""
    return migrations.RunPython(
        lambda apps, editor: _create_triggers(apps, editor, tables, history),
        lambda apps, editor: _drop_triggers(apps, editor, tables, history),
    )


def version_seal() -> None:
    """Close the current version for this transaction: its next write takes a new one.

    A release freezes the version it reads. Should the transaction that makes it have
    written already (and so own that version), whatever it writes afterwards must not be
    counted as part of the release.
    """
    if connection.vendor == "postgresql":
        this_transaction = (
            "pg_current_xact_id()::text || '@' || extract(epoch FROM transaction_timestamp())::text"
        )
    else:
        this_transaction = "atlas_transaction()"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {VERSION_TABLE} SET token = NULL WHERE id = 1 AND token = {this_transaction}"
        )


# --- SQLite: which transaction a statement belongs to ---------------------------------------

_PROCESS = secrets.token_hex(6)
_GENERATIONS = itertools.count(1)


def _new_process() -> None:
    """A forked process (gunicorn's workers, forked from the master that loaded the app)
    inherits the process part and the counter: without a part of its own, two workers'
    transactions could carry one token and share one version."""
    global _PROCESS
    _PROCESS = secrets.token_hex(6)


os.register_at_fork(after_in_child=_new_process)


class _TransactionClock:
    """The token of a SQLite connection's current transaction, for `atlas_transaction()`.

    Ticks before every statement run outside a transaction: an explicit BEGIN (all the
    statements of that transaction then share the new token) or a statement that is a
    transaction by itself. The process part keeps tokens of different processes apart.
    """

    __slots__ = ("generation",)

    def __init__(self) -> None:
        self.generation = 0

    def tick(self) -> None:
        self.generation = next(_GENERATIONS)

    def token(self) -> str:
        return f"{_PROCESS}:{self.generation}"


def _statement_boundary(execute, sql, params, many, context):
    connection = context["connection"]
    if not connection.connection.in_transaction:
        connection._atlas_clock.tick()
        if many:
            # Each statement of an executemany would commit on its own yet share a token:
            # run them in one transaction instead, so they share one version rightly.
            with transaction.atomic(using=connection.alias):
                return execute(sql, params, many, context)
    return execute(sql, params, many, context)


def sqlite_connection_setup(sender, connection, **kwargs) -> None:
    """`connection_created`: give a new SQLite connection `atlas_transaction()`."""
    if connection.vendor != "sqlite":
        return
    clock = connection.__dict__.setdefault("_atlas_clock", _TransactionClock())
    connection.connection.create_function("atlas_transaction", 0, clock.token)
    if _statement_boundary not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, _statement_boundary)


@dataclass(frozen=True)
class Version:
    """The dataset version and when it last moved."""

    version: int
    changed_at: datetime

    @property
    def etag(self) -> str:
        return f"v{self.version}"


def dataset_version() -> Version:
    """The current version, in one query; version 0 before anything was ever written."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT version, changed_at FROM {VERSION_TABLE} WHERE id = 1")
        row = cursor.fetchone()
    if row is None:
        return Version(0, datetime(2025, 1, 1, tzinfo=UTC))
    version, changed_at = row
    if isinstance(changed_at, str):
        changed_at = datetime.fromisoformat(changed_at)
    if changed_at.tzinfo is None:
        changed_at = changed_at.replace(tzinfo=UTC)
    return Version(int(version), changed_at)


def history_versions_backfill(history: tuple[str, ...]) -> migrations.RunPython:
    """A migration operation that stamps the records written before history was versioned
    with the version current when it runs (they all came before it)."""

    def backfill(apps, schema_editor) -> None:
        for table in history:
            schema_editor.execute(
                f"UPDATE {table} SET {HISTORY_VERSION} = COALESCE("
                f"(SELECT version FROM {VERSION_TABLE} WHERE id = 1), 0) "
                f"WHERE {HISTORY_VERSION} IS NULL"
            )

    return migrations.RunPython(backfill, migrations.RunPython.noop)
