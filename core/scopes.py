"""Scope versions: when the part of the knowledge base a page shows last changed.

The dataset version (`core.dataset`) moves on every write, so a cache keyed on it loses
every page at each edit. A scope names a smaller part: `framework:12` (a framework, its
cells, their citations), `document:3` (a document, its passages, the citations into them),
`institution:7` (an institution, its names, functions and ties), `vocabulary` (levels,
activities, functions), and the collections `frameworks`, `institutions`, `documents`
(which objects there are, and the names they are listed by). Each app declares which scopes
a write to each of its tables moves (`core.registry.Content.scopes`), and
database triggers built from those declarations move them in the writing transaction:
bulk updates, raw SQL, admin edits and history reverts included, as for the dataset version.

A scope's version is the time of its last change in microseconds, and at least one more
than the version before: it never repeats, even after the table is emptied or the database
restored, so a cached page can never be taken for current by accident.

The response cache (`core.cache`) stores with each page the versions of the scopes it
showed, and serves the page again only while they all stand.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection as default_connection

from core import registry
from core.dataset import SqlExecutor
from core.registry import ScopeRule

SCOPE_TABLE = "core_scopeversion"
_PREFIX = "atlas_scopes"
_OPERATIONS = ("insert", "update", "delete")
_NOW_MICROSECONDS = {
    "postgresql": "(extract(epoch from clock_timestamp()) * 1000000)::bigint",
    "sqlite": "CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER)",
}
_GREATEST = {"postgresql": "GREATEST", "sqlite": "max"}


def _content_type(claim: tuple[str, str]) -> str:
    app_label, model = claim
    return (
        f"(SELECT id FROM django_content_type WHERE app_label = '{app_label}' "
        f"AND model = '{model}')"
    )


def _value(rule: ScopeRule, source: str) -> str:
    """The scope's text: the kind alone, or `kind:` and the id read from `source`."""
    return f"'{rule.kind}'" if rule.column is None else f"'{rule.kind}:' || {source}.{rule.column}"


def _select_statement(rule: ScopeRule, rows: str) -> str:
    """PostgreSQL: the scopes `rule` gives the rows of the transition table `rows`."""
    if rule.via is None:
        sql = f"SELECT {_value(rule, 'r')} AS s FROM {rows} r"
    else:
        table, key = rule.via
        sql = f"SELECT {_value(rule, 'v')} AS s FROM {rows} r JOIN {table} v ON v.id = r.{key}"
    if rule.claim is not None:
        sql += f" WHERE r.content_type_id = {_content_type(rule.claim)}"
    return sql


def _select_row(rule: ScopeRule, row: str) -> str:
    """SQLite: the scope `rule` gives the trigger's row `row` (NEW or OLD)."""
    conditions = []
    if rule.via is None:
        sql = f"SELECT {_value(rule, row)} AS s"
    else:
        table, key = rule.via
        sql = f"SELECT {_value(rule, 'v')} AS s FROM {table} v"
        conditions.append(f"v.id = {row}.{key}")
    if rule.claim is not None:
        conditions.append(f"{row}.content_type_id = {_content_type(rule.claim)}")
    return sql + (f" WHERE {' AND '.join(conditions)}" if conditions else "")


def _bump(vendor: str, selects: list[str]) -> str:
    """Move every scope the SELECTs give (each once, in order, so that two writers lock
    the scope rows in the same order)."""
    now, greatest = _NOW_MICROSECONDS[vendor], _GREATEST[vendor]
    scopes = " UNION ".join(selects)
    return (
        f"INSERT INTO {SCOPE_TABLE} (scope, version) "
        f"SELECT s, {now} FROM (SELECT DISTINCT s FROM ({scopes}) moved WHERE s IS NOT NULL) "
        "distinct_scopes ORDER BY s "
        f"ON CONFLICT (scope) DO UPDATE SET version = "
        f"{greatest}({SCOPE_TABLE}.version + 1, excluded.version)"
    )


def _postgresql_statements(table: str, rules: tuple[ScopeRule, ...]) -> list[str]:
    """One function per table and a statement trigger per operation, reading its rows from
    the transition tables: a bulk write of thousands of rows moves each scope once."""
    function = f"{_PREFIX}_{table}"

    def bump(*tables: str) -> str:
        return _bump("postgresql", [_select_statement(rule, t) for t in tables for rule in rules])

    statements = [
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$\n"
        f"BEGIN\n"
        f"  IF TG_OP = 'INSERT' THEN {bump('new_rows')};\n"
        f"  ELSIF TG_OP = 'UPDATE' THEN {bump('new_rows', 'old_rows')};\n"
        f"  ELSE {bump('old_rows')};\n"
        f"  END IF;\n"
        f"  RETURN NULL;\n"
        f"END\n"
        f"$$ LANGUAGE plpgsql;"
    ]
    transition = {
        "insert": "REFERENCING NEW TABLE AS new_rows",
        "update": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "delete": "REFERENCING OLD TABLE AS old_rows",
    }
    for operation in _OPERATIONS:
        name = f"{_PREFIX}_{operation}"
        statements.append(f"DROP TRIGGER IF EXISTS {name} ON {table};")
        statements.append(
            f"CREATE TRIGGER {name} AFTER {operation.upper()} ON {table} "
            f"{transition[operation]} FOR EACH STATEMENT EXECUTE FUNCTION {function}();"
        )
    return statements


def _sqlite_statements(table: str, rules: tuple[ScopeRule, ...]) -> list[str]:
    rows = {"insert": ("NEW",), "update": ("NEW", "OLD"), "delete": ("OLD",)}
    statements = []
    for operation in _OPERATIONS:
        name = f"{_PREFIX}_{table}_{operation}"
        selects = [_select_row(rule, row) for row in rows[operation] for rule in rules]
        statements.append(f"DROP TRIGGER IF EXISTS {name};")
        statements.append(
            f"CREATE TRIGGER {name} AFTER {operation.upper()} ON {table} FOR EACH ROW "
            f"BEGIN {_bump('sqlite', selects)}; END;"
        )
    return statements


def trigger_statements(vendor: str) -> list[str]:
    """The SQL that (re)creates every scope trigger the apps' declarations call for."""
    build = {"postgresql": _postgresql_statements, "sqlite": _sqlite_statements}.get(vendor)
    if build is None:
        raise NotImplementedError(f"No scope triggers for the {vendor} database")
    return [
        statement
        for table, rules in registry.scope_rules().items()
        for statement in build(table, rules)
    ]


def expected_triggers(vendor: str) -> set[tuple[str, str]]:
    """(table, trigger name) of every scope trigger."""
    tables = registry.scope_rules()
    if vendor == "postgresql":
        return {(table, f"{_PREFIX}_{op}") for table in tables for op in _OPERATIONS}
    return {(table, f"{_PREFIX}_{table}_{op}") for table in tables for op in _OPERATIONS}


def install(connection) -> bool:
    """(Re)create every scope trigger; False when the tables are not all there yet.

    Run after every `migrate`: a SQLite table rebuild drops its triggers, and the
    declarations may have changed with the code. Idempotent."""
    tables = {SCOPE_TABLE, *registry.scope_rules()}
    if not tables <= set(connection.introspection.table_names()):
        return False
    executor = SqlExecutor(connection)
    for statement in trigger_statements(connection.vendor):
        executor.execute(statement)
    return True


def scope_versions(scopes: Iterable[str], connection=default_connection) -> dict[str, int]:
    """The version of each scope (0 for one nothing has moved yet), in one query."""
    wanted = sorted(set(scopes))
    if not wanted:
        return {}
    found: dict[str, int] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            placeholders = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT scope, version FROM {SCOPE_TABLE} WHERE scope IN ({placeholders})",
                chunk,
            )
            found.update((scope, int(version)) for scope, version in cursor.fetchall())
    return {scope: found.get(scope, 0) for scope in wanted}


def scopes_move(*scopes: str, connection=default_connection) -> None:
    """Move `scopes` in the writing transaction, for a write whose reach no rule of its
    table can say: a framework's publication shows it, its cells and the activities only it
    held on pages of every scope that lists them (`core.visibility`)."""
    wanted = sorted(set(scopes))
    if not wanted:
        return
    selects = ["SELECT CAST(%s AS text) AS s"] * len(wanted)
    with connection.cursor() as cursor:
        cursor.execute(_bump(connection.vendor, selects), wanted)
