"""The dataset version: a counter that database triggers bump on every content write.

Triggers rather than signals, so that bulk updates, raw SQL, admin edits and history
reverts all move the version; every cache and ETag keys on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection, migrations

from core import registry

# core.models.DatasetVersion's table.
VERSION_TABLE = "sources_datasetversion"

_SQLITE_BUMP = (
    f"INSERT INTO {VERSION_TABLE} (id, version, changed_at) VALUES (1, 1, strftime('%Y-%m-%d %H:%M:%f', 'now')) "
    f"ON CONFLICT(id) DO UPDATE SET version = version + 1, changed_at = excluded.changed_at;"
)
_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION atlas_bump_dataset_version() RETURNS trigger AS $$
BEGIN
    INSERT INTO {VERSION_TABLE} (id, version, changed_at) VALUES (1, 1, clock_timestamp())
    ON CONFLICT (id) DO UPDATE SET version = {VERSION_TABLE}.version + 1, changed_at = clock_timestamp();
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
"""


def _create_triggers(apps, schema_editor, tables: tuple[str, ...]) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(_PG_FUNCTION)
    for table in tables:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS atlas_version ON {table};")
            schema_editor.execute(
                f"CREATE TRIGGER atlas_version AFTER INSERT OR UPDATE OR DELETE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION atlas_bump_dataset_version();"
            )
        elif vendor == "sqlite":
            for op in ("INSERT", "UPDATE", "DELETE"):
                name = f"atlas_version_{table}_{op.lower()}"
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name};")
                schema_editor.execute(
                    f"CREATE TRIGGER {name} AFTER {op} ON {table} FOR EACH ROW BEGIN {_SQLITE_BUMP} END;"
                )
        else:
            raise NotImplementedError(f"No dataset-version triggers for the {vendor} database")


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
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal"
            )
        else:
            cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
        return set(cursor.fetchall())


def expected_triggers(vendor: str, tables: tuple[str, ...] | None = None) -> set[tuple[str, str]]:
    """(table, trigger) of every version trigger; the content tables the apps registered
    unless `tables` are given."""
    tables = registry.content_tables() if tables is None else tables
    if vendor == "postgresql":
        return {(table, "atlas_version") for table in tables}
    return {
        (table, f"atlas_version_{table}_{op}")
        for table in tables
        for op in ("insert", "update", "delete")
    }


def ensure_triggers(connection) -> bool:
    """Re-create the version triggers if any is missing; True when something was re-created.

    On SQLite, a migration that alters a table rebuilds it and its triggers are lost; this
    runs after every `migrate` so that never goes unnoticed.
    """
    tables = registry.content_tables()
    if not set(tables) <= set(connection.introspection.table_names()):
        return False
    if expected_triggers(connection.vendor, tables) <= installed_triggers(connection):
        return False
    executor = SqlExecutor(connection)
    _create_triggers(None, executor, tables)
    # Writes made while a trigger was gone did not move the version: move it now.
    executor.execute(f"UPDATE {VERSION_TABLE} SET version = version + 1 WHERE id = 1")
    return True


def _drop_triggers(apps, schema_editor, tables: tuple[str, ...]) -> None:
    vendor = schema_editor.connection.vendor
    for table in tables:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS atlas_version ON {table};")
        else:
            for op in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS atlas_version_{table}_{op};")


def version_triggers(tables: tuple[str, ...]) -> migrations.RunPython:
    """A migration operation that makes writes to `tables` bump the dataset version."""
    return migrations.RunPython(
        lambda apps, editor: _create_triggers(apps, editor, tables),
        lambda apps, editor: _drop_triggers(apps, editor, tables),
    )


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
