"""Keeps the search index (`SearchEntry` rows) in step with the content, inside the database.

Each content table gets row triggers that recompute the entries the changed row feeds:
a cell's entry holds its text and activity name (weight A), the quotes that cite it (B),
its level and framework names (C); so a write to an activity, a level, a framework or a
citation refreshes the cells concerned. A refresh is "delete the entries, insert them again
from the current rows", which is idempotent and covers inserts, updates and deletes alike.

On PostgreSQL the table carries a stored generated tsvector (`search_vector`) with a GIN
index; on SQLite an external-content FTS5 table (`search_fts`) mirrors the three weighted
columns through its own triggers. Both are created by migrations that check the vendor.

Caveat: when a later migration alters one of these tables on SQLite, Django rebuilds the
table and its triggers are lost; `tests/search/test_index.py` checks every trigger is present,
and `install()` (idempotent) puts them back.
"""

from __future__ import annotations

from dataclasses import dataclass

ENTRY_TABLE = "search_searchentry"
FTS_TABLE = "search_fts"
VECTOR_COLUMN = "search_vector"
TEXT_CONFIG = "english"

_COLUMNS = (
    "kind, object_id, title, slug, weight_a, weight_b, weight_c, "
    "document_pk, framework_pk, level_pk, activity_pk"
)


@dataclass(frozen=True)
class _Dialect:
    vendor: str

    def agg(self, expression: str, separator: str = " ") -> str:
        function = "string_agg" if self.vendor == "postgresql" else "group_concat"
        return f"{function}({expression}, '{separator}')"

    def authors(self, column: str) -> str:
        if self.vendor == "postgresql":
            return f"(SELECT string_agg(value, ', ') FROM jsonb_array_elements_text({column}))"
        return f"(SELECT group_concat(value, ', ') FROM json_each({column}))"


_CELL_TYPE = (
    "(SELECT id FROM django_content_type WHERE app_label = 'engagement' AND model = 'cell')"
)


def _select(kind: str, dialect: _Dialect) -> tuple[str, str]:
    """The SELECT producing `kind`'s entries, and the id column its WHERE filters on."""
    if kind == "cell":
        quotes = (
            f"(SELECT {dialect.agg('ci.exact')} FROM sources_citation ci "
            f"WHERE ci.content_type_id = {_CELL_TYPE} AND ci.object_id = c.id AND ci.exact <> c.text)"
        )
        return (
            f"SELECT 'cell', c.id, a.name || ' — ' || l.name, '', c.text || ' ' || a.name, "
            f"COALESCE({quotes}, ''), l.name || ' ' || f.name, f.document_id, f.id, l.id, a.id "
            "FROM engagement_cell c "
            "JOIN engagement_activity a ON a.id = c.activity_id "
            "JOIN engagement_engagementlevel l ON l.id = c.level_id "
            "JOIN engagement_framework f ON f.id = c.framework_id",
            "c.id",
        )
    if kind == "passage":
        return (
            "SELECT 'passage', p.id, p.section, p.anchor, '', p.text, p.section, "
            "p.document_id, NULL, NULL, NULL FROM sources_passage p",
            "p.id",
        )
    if kind == "institution":
        aliases = (
            f"(SELECT {dialect.agg('al.name')} FROM institutions_institutionalias al "
            "WHERE al.institution_id = i.id)"
        )
        return (
            f"SELECT 'institution', i.id, i.name, i.slug, "
            f"i.name || ' ' || i.short_name || ' ' || COALESCE({aliases}, ''), '', "
            "i.jurisdiction || ' ' || replace(i.kind, '_', ' '), NULL, NULL, NULL, NULL "
            "FROM institutions_institution i",
            "i.id",
        )
    if kind == "document":
        return (
            "SELECT 'document', d.id, d.title, d.slug, d.title, '', "
            f"COALESCE({dialect.authors('d.authors')}, '') || ' ' || d.publisher || ' ' "
            "|| replace(d.kind, '_', ' '), d.id, NULL, NULL, NULL FROM sources_document d",
            "d.id",
        )
    raise ValueError(kind)


# (table, kind refreshed, ids of that kind the row feeds, whether an update can move the row
# from one entry to another, so that the old row's entry must be refreshed too).
# `ROW` stands for NEW or OLD.
_FEEDS = (
    ("engagement_cell", "cell", "SELECT ROW.id", False),
    (
        "engagement_activity",
        "cell",
        "SELECT id FROM engagement_cell WHERE activity_id = ROW.id",
        False,
    ),
    (
        "engagement_engagementlevel",
        "cell",
        "SELECT id FROM engagement_cell WHERE level_id = ROW.id",
        False,
    ),
    (
        "engagement_framework",
        "cell",
        "SELECT id FROM engagement_cell WHERE framework_id = ROW.id",
        False,
    ),
    (
        "sources_citation",
        "cell",
        f"SELECT ROW.object_id WHERE ROW.content_type_id = {_CELL_TYPE}",
        True,
    ),
    ("sources_passage", "passage", "SELECT ROW.id", False),
    ("sources_document", "document", "SELECT ROW.id", False),
    ("institutions_institution", "institution", "SELECT ROW.id", False),
    ("institutions_institutionalias", "institution", "SELECT ROW.institution_id", True),
)
TABLES = tuple(dict.fromkeys(table for table, *_ in _FEEDS))
KINDS = ("cell", "passage", "institution", "document")


def _refresh(kind: str, ids: str | None, dialect: _Dialect) -> list[str]:
    """Statements that rebuild the entries of `kind` whose object ids `ids` selects (all if None)."""
    select, id_column = _select(kind, dialect)
    if ids is None:
        return [
            f"DELETE FROM {ENTRY_TABLE} WHERE kind = '{kind}'",
            f"INSERT INTO {ENTRY_TABLE} ({_COLUMNS}) {select}",
        ]
    return [
        f"DELETE FROM {ENTRY_TABLE} WHERE kind = '{kind}' AND object_id IN ({ids})",
        f"INSERT INTO {ENTRY_TABLE} ({_COLUMNS}) {select} WHERE {id_column} IN ({ids})",
    ]


def _table_statements(table: str, row: str, dialect: _Dialect, *, moving_only: bool = False):
    for feed_table, kind, ids, moves in _FEEDS:
        if feed_table == table and (moves or not moving_only):
            yield from _refresh(kind, ids.replace("ROW.", f"{row}."), dialect)


def _sqlite_trigger_sql(table: str) -> list[str]:
    dialect = _Dialect("sqlite")
    sql = []
    for op, rows in (("insert", ["NEW"]), ("update", ["OLD", "NEW"]), ("delete", ["OLD"])):
        name = f"search_{table}_{op}"
        statements = []
        for row in rows:
            moving_only = op == "update" and row == "OLD"
            statements += _table_statements(table, row, dialect, moving_only=moving_only)
        body = " ".join(f"{statement};" for statement in statements)
        sql.append(f"DROP TRIGGER IF EXISTS {name}")
        sql.append(
            f"CREATE TRIGGER {name} AFTER {op.upper()} ON {table} FOR EACH ROW BEGIN {body} END"
        )
    return sql


def _postgresql_trigger_sql(table: str) -> list[str]:
    dialect = _Dialect("postgresql")
    old = " ".join(f"{s};" for s in _table_statements(table, "OLD", dialect, moving_only=True))
    old_any = " ".join(f"{s};" for s in _table_statements(table, "OLD", dialect))
    new = " ".join(f"{s};" for s in _table_statements(table, "NEW", dialect))
    function = f"search_sync_{table}"
    return [
        f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN {old_any} RETURN NULL; END IF;
    IF TG_OP = 'UPDATE' THEN {old or "NULL;"} END IF;
    {new}
    RETURN NULL;
END
$$ LANGUAGE plpgsql""",
        f"DROP TRIGGER IF EXISTS search_sync ON {table}",
        f"CREATE TRIGGER search_sync AFTER INSERT OR UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}()",
    ]


_SQLITE_FTS = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(weight_a, weight_b, weight_c, "
    f"content='{ENTRY_TABLE}', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    "DROP TRIGGER IF EXISTS search_fts_insert",
    f"CREATE TRIGGER search_fts_insert AFTER INSERT ON {ENTRY_TABLE} BEGIN "
    f"INSERT INTO {FTS_TABLE} (rowid, weight_a, weight_b, weight_c) "
    "VALUES (NEW.id, NEW.weight_a, NEW.weight_b, NEW.weight_c); END",
    "DROP TRIGGER IF EXISTS search_fts_delete",
    f"CREATE TRIGGER search_fts_delete AFTER DELETE ON {ENTRY_TABLE} BEGIN "
    f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, weight_a, weight_b, weight_c) "
    "VALUES ('delete', OLD.id, OLD.weight_a, OLD.weight_b, OLD.weight_c); END",
    "DROP TRIGGER IF EXISTS search_fts_update",
    f"CREATE TRIGGER search_fts_update AFTER UPDATE ON {ENTRY_TABLE} BEGIN "
    f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, weight_a, weight_b, weight_c) "
    "VALUES ('delete', OLD.id, OLD.weight_a, OLD.weight_b, OLD.weight_c); "
    f"INSERT INTO {FTS_TABLE} (rowid, weight_a, weight_b, weight_c) "
    "VALUES (NEW.id, NEW.weight_a, NEW.weight_b, NEW.weight_c); END",
]

_POSTGRESQL_VECTOR = [
    f"ALTER TABLE {ENTRY_TABLE} ADD COLUMN IF NOT EXISTS {VECTOR_COLUMN} tsvector "
    f"GENERATED ALWAYS AS ("
    f"setweight(to_tsvector('{TEXT_CONFIG}', weight_a), 'A') || "
    f"setweight(to_tsvector('{TEXT_CONFIG}', weight_b), 'B') || "
    f"setweight(to_tsvector('{TEXT_CONFIG}', weight_c), 'C')) STORED",
    f"CREATE INDEX IF NOT EXISTS search_entry_vector_gin ON {ENTRY_TABLE} "
    f"USING gin ({VECTOR_COLUMN})",
    f"CREATE INDEX IF NOT EXISTS search_entry_kind_vector_gin ON {ENTRY_TABLE} "
    f"USING gin ({VECTOR_COLUMN}) WHERE kind = 'cell'",
]


def install_sql(vendor: str) -> list[str]:
    """Every statement that sets up the index on `vendor` and fills it from the current rows."""
    if vendor == "postgresql":
        setup = list(_POSTGRESQL_VECTOR)
        for table in TABLES:
            setup += _postgresql_trigger_sql(table)
    elif vendor == "sqlite":
        setup = list(_SQLITE_FTS)
        for table in TABLES:
            setup += _sqlite_trigger_sql(table)
    else:
        raise NotImplementedError(f"No search index for the {vendor} database")
    dialect = _Dialect(vendor)
    for kind in KINDS:
        setup += _refresh(kind, None, dialect)
    return setup


def uninstall_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        sql = [f"DROP TRIGGER IF EXISTS search_sync ON {table}" for table in TABLES]
        sql += [f"DROP FUNCTION IF EXISTS search_sync_{table}()" for table in TABLES]
        sql += [
            "DROP INDEX IF EXISTS search_entry_kind_vector_gin",
            "DROP INDEX IF EXISTS search_entry_vector_gin",
            f"ALTER TABLE {ENTRY_TABLE} DROP COLUMN IF EXISTS {VECTOR_COLUMN}",
        ]
        return sql
    sql = [
        f"DROP TRIGGER IF EXISTS search_{table}_{op}"
        for table in TABLES
        for op in ("insert", "update", "delete")
    ]
    sql += [f"DROP TRIGGER IF EXISTS search_fts_{op}" for op in ("insert", "update", "delete")]
    sql.append(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    return sql


def expected_triggers(vendor: str) -> set[tuple[str, str]]:
    """(table, trigger name) pairs that must exist once the index is installed."""
    if vendor == "postgresql":
        return {(table, "search_sync") for table in TABLES}
    triggers = {
        (table, f"search_{table}_{op}") for table in TABLES for op in ("insert", "update", "delete")
    }
    return triggers | {(ENTRY_TABLE, f"search_fts_{op}") for op in ("insert", "update", "delete")}


def install(schema_editor) -> None:
    """Create (or re-create) the index and its triggers, and fill it; idempotent."""
    for statement in install_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)


def ensure_installed(connection) -> bool:
    """Re-install the index if any of its triggers is missing (as after a SQLite table rebuild).

    Re-installing also refills the entries, so rows written while a trigger was gone are
    indexed too. True when something was re-installed.
    """
    from core.dataset import SqlExecutor, installed_triggers

    tables = set(connection.introspection.table_names())
    if ENTRY_TABLE not in tables or not set(TABLES) <= tables:
        return False
    if expected_triggers(connection.vendor) <= installed_triggers(connection):
        return False
    install(SqlExecutor(connection))
    return True


def uninstall(schema_editor) -> None:
    for statement in uninstall_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)
