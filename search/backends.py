"""The two database back ends of the search: the only SQL that differs between them.

Only the full text differs between PostgreSQL (tsvector, `ts_rank`, `ts_headline`) and
SQLite (FTS5, `bm25`, `snippet`): which tables hold the entries, how an entry matches the
query, its rank and its highlighted snippet. The rest of the SQL (`search.engine`) is
shared.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from search.index import ENTRY_TABLE, FTS_TABLE, TEXT_CONFIG, VECTOR_COLUMN
from search.query import ParsedQuery
from search.results import MARK_START, MARK_STOP
from search.sql import Sql

_HEADLINE_OPTIONS = (
    f"StartSel={MARK_START}, StopSel={MARK_STOP}, MaxWords=30, MinWords=12, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)


@dataclass(frozen=True)
class FullText:
    """How this database finds the entries (alias `e`) a query matches, ranks and quotes them.

    The only SQL that differs between the databases; the rest of a search is shared.
    """

    tables: str
    match: Sql
    rank: Sql
    snippet: Sql
    # Where the rank can be computed apart from the match, for a bounded set of candidates
    # (`search.engine`): the entries' table, aliased `e` in `rank`. None: the rank only
    # exists beside the match (FTS5's bm25), and every match is ranked.
    rank_table: str | None = None
    # `match` for one entry `e`, probed by its row (FTS5: `rowid = ? AND MATCH`). Given the
    # few candidates a page narrowed to, probing each is faster than finding every match
    # first, which FTS5 always does (PostgreSQL's planner intersects the indexes itself).
    probe: Sql | None = None


def postgresql_full_text(parsed: ParsedQuery) -> FullText:
    """The tsvector column and its GIN index; PostgreSQL parses the raw text itself."""
    query = Sql(f"websearch_to_tsquery('{TEXT_CONFIG}', %s)", (parsed.text,))
    return FullText(
        tables=f"{ENTRY_TABLE} e",
        match=Sql(f"e.{VECTOR_COLUMN} @@ {query.text}", query.params),
        rank=Sql(f"ts_rank(e.{VECTOR_COLUMN}, {query.text})", query.params),
        snippet=Sql(
            f"ts_headline('{TEXT_CONFIG}', concat_ws(' … ', NULLIF(e.weight_a, ''), "
            f"NULLIF(e.weight_b, ''), NULLIF(e.weight_c, '')), {query.text}, %s)",
            (*query.params, _HEADLINE_OPTIONS),
        ),
        rank_table=ENTRY_TABLE,
    )


def sqlite_full_text(parsed: ParsedQuery) -> FullText:
    """The FTS5 table, given the FTS5 expression built from the parse."""
    # bm25() is lower for better matches; the weights follow ts_rank's defaults (A 1.0, B 0.4,
    # C 0.2).
    return FullText(
        tables=f"{FTS_TABLE} JOIN {ENTRY_TABLE} e ON e.id = {FTS_TABLE}.rowid",
        match=Sql(f"{FTS_TABLE} MATCH %s", (parsed.fts5,)),
        rank=Sql(f"-bm25({FTS_TABLE}, 1.0, 0.4, 0.2)"),
        snippet=Sql(f"snippet({FTS_TABLE}, -1, %s, %s, '…', 32)", (MARK_START, MARK_STOP)),
        probe=Sql(
            f"EXISTS (SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE}.rowid = e.id "
            f"AND {FTS_TABLE} MATCH %s)",
            (parsed.fts5,),
        ),
    )


def full_text_for(parsed: ParsedQuery) -> FullText:
    """The full text for `parsed` on the database in use: PostgreSQL's, otherwise SQLite's."""
    if connection.vendor == "postgresql":
        return postgresql_full_text(parsed)
    return sqlite_full_text(parsed)
