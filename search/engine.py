"""Full-text search over cells, passages, institutions and documents, on either database.

The query is parsed by `search.query`; the SQL that differs between PostgreSQL and SQLite
is in `search.backends`; results and how they are shown are in `search.results`. This
module writes the rest of the SQL, shared by both databases, and runs it.

A search is a constant number of queries, whatever the number of results, and the
database does the work: only one page of results and a few facet values reach Python.
1. (only when facet filters are given, in `search.forms`) one query checking that the
   slugs exist;
2. `_tally`: the ids and ranks of the page's results (filters applied, best first, then by
   id, LIMIT/OFFSET), the number of results, and the facet counts (one GROUP BY per facet),
   all read from the matches found once;
3. `_entries`: what the page shows of its results (facet slugs and names joined in) with
   their highlighted snippets; skipped when the page is empty.
Each query's rows are read by column name, into a row type declared beside its SELECT.

Facets. The count of a facet value is the number of results having that value under every
other facet's filter, so choosing that value alone on its facet gives exactly that many
results. A facet lists at most FACET_LIMIT values: those with most results (on a tie, the
value added first, the lower id), plus every selected value (with no match, a count of
0). `SearchResults.facets_omitted` says how many more values have results (the API's
`facets_omitted`, the page's "and N more"). With 1000
times the seeded data a search can touch thousands of documents and frameworks; listing
them all made every page slow and no reader could use the list.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import NamedTuple

from django.db import connection
from django.db.models import Model, QuerySet
from django.db.models.expressions import RawSQL

from core.links import link
from core.visibility import private_hidden
from engagement.models import Activity, EngagementLevel, Framework, FrameworkStatus
from search.backends import FullText
from search.backends import full_text_for as backend_full_text
from search.index import ENTRY_TABLE
from search.models import EntryKind
from search.query import ParsedQuery, QueryError, parse_query
from search.results import FacetCount, Result, SearchResults, facet_values, highlight
from search.sql import Params, Sql, named_rows, placeholders
from sources.markdown import plain
from sources.models import Document, Passage, passage_url

PAGE_SIZE = 20
# A facet lists at most this many values (those with most results), and the selected ones.
FACET_LIMIT = 15
# Where the database can rank apart from matching (PostgreSQL), it ranks at most this many
# matches: those with text weighted A (cells, institutions, documents) first, then the
# passages, each in the order they were indexed. Ranking reads every candidate's vector;
# at 1000 times the seeded data a common query matches thousands of entries.
RANKED_CANDIDATES = 400


def cell_ids_matching(text: str, *, within: QuerySet | None = None) -> RawSQL | None:
    """A subquery of the ids of the cells `text` finds; None when `text` has nothing to find.
    `within`: the few cells a page narrowed to (one framework's), which the database may
    probe one by one rather than find every match first (`FullText.probe`)."""
    try:
        parsed = parse_query(text)
    except QueryError:
        return None
    full_text = full_text_for(parsed)
    params = Params()
    if within is not None and full_text.probe is not None:
        candidates = Sql(*within.values("pk").order_by().query.sql_with_params())
        sql = (
            f"SELECT e.object_id FROM {ENTRY_TABLE} e WHERE e.kind = 'cell' "
            f"AND e.object_id IN ({params(candidates)}) AND {params(full_text.probe)}"
        )
        return RawSQL(sql, params)
    # `kind = 'cell'` written out lets PostgreSQL use the GIN index restricted to cells.
    sql = (
        f"SELECT e.object_id FROM {full_text.tables} "
        f"WHERE e.kind = 'cell' AND {params(full_text.match)}"
    )
    return RawSQL(sql, params)


def full_text_for(parsed: ParsedQuery) -> FullText:
    """The database's full-text match, without the entries of drafts (their cells) when
    they must be left out (`core.visibility`): the index holds them, the public never
    finds them, in the results, the counts or the facets."""
    full_text = backend_full_text(parsed)
    if not private_hidden():
        return full_text
    published = Sql(
        f"(e.framework_pk IS NULL OR e.framework_pk IN (SELECT id FROM "
        f"{Framework._meta.db_table} WHERE status = %s))",
        (FrameworkStatus.PUBLISHED,),
    )

    def visible(condition: Sql | None) -> Sql | None:
        if condition is None:
            return None
        return Sql(
            f"({condition.text}) AND {published.text}", (*condition.params, *published.params)
        )

    return replace(full_text, match=visible(full_text.match), probe=visible(full_text.probe))


@dataclass(frozen=True)
class _Facet:
    """Where a facet's value is kept in the index, and the table that names it.

    `type` is the entry's kind itself; the other facets are ids of rows with a slug.
    """

    name: str
    column: str
    model: type[Model] | None = None
    label: str = ""
    ordinal: str | None = None

    def holds(self, column: str, slugs: set[str]) -> Sql:
        """`column` (the kind, or an id of this facet's table) is one of the values `slugs`."""
        values = placeholders(sorted(slugs))
        if self.model is None:
            return Sql(f"{column} IN ({values.text})", values.params)
        return Sql(
            f"{column} IN (SELECT id FROM {self.model._meta.db_table} "
            f"WHERE slug IN ({values.text}))",
            values.params,
        )


_FACETS = (
    _Facet("type", "kind"),
    _Facet("document", "document_pk", Document, "title"),
    _Facet("framework", "framework_pk", Framework, "name", "ordinal"),
    _Facet("level", "level_pk", EngagementLevel, "name", "ordinal"),
    _Facet("activity", "activity_pk", Activity, "name", "ordinal"),
)
FACETS = tuple(facet.name for facet in _FACETS)


def _passing(filters: dict[str, set[str]], *, skip: str | None = None) -> Sql:
    """The condition a row of `matches` meets under every filter but `skip`'s."""
    pieces = [
        facet.holds(facet.column, filters[facet.name])
        for facet in _FACETS
        if facet.name in filters and facet.name != skip
    ]
    return Sql(
        " AND ".join(piece.text for piece in pieces) or "1 = 1",
        tuple(param for piece in pieces for param in piece.params),
    )


def _tallies_sql(filters: dict[str, set[str]]) -> Sql:
    """Per facet, the number of `matches` rows with each value, under the other filters."""
    params = Params()
    selects = []
    for facet in _FACETS:
        # One column for the kind, one for the ids of the other facets.
        key = "kind, NULL AS pk" if facet.model is None else f"NULL AS kind, {facet.column} AS pk"
        selects.append(
            f"SELECT '{facet.name}' AS facet, {key}, count(*) AS n FROM matches "
            f"WHERE {facet.column} IS NOT NULL AND {params(_passing(filters, skip=facet.name))} "
            f"GROUP BY {facet.column}"
        )
    return Sql(" UNION ALL ".join(selects), tuple(params))


def _listed_sql(filters: dict[str, set[str]]) -> Sql:
    """The facet values listed, with their names: the FACET_LIMIT of each facet with most
    results (ties to the value added first), and the selected ones; and how many values
    each facet has. Each facet's first values are a top-N of its tallies (LIMIT), not a
    ranking of every value: a search at scale tallies thousands of documents and frameworks."""
    params = Params()
    selects = []
    for facet in _FACETS:
        if facet.model is None:
            value, columns, source = "kind", "r.kind, r.kind, 0", "r"
        else:
            ordinal = f"v.{facet.ordinal}" if facet.ordinal else "0"
            value, columns = "pk", f"v.slug, v.{facet.label}, {ordinal}"
            source = f"r JOIN {facet.model._meta.db_table} v ON v.id = r.pk"
        chosen = (
            f"SELECT kind, pk, n FROM (SELECT kind, pk, n FROM tallies WHERE facet = '{facet.name}' "
            f"ORDER BY n DESC, kind, pk LIMIT {int(FACET_LIMIT)}) first_values"
        )
        if facet.name in filters:
            chosen += (
                f" UNION SELECT kind, pk, n FROM tallies WHERE facet = '{facet.name}' "
                f"AND {params(facet.holds(value, filters[facet.name]))}"
            )
        selects.append(
            f"SELECT '{facet.name}', NULL, NULL, {columns}, r.n FROM ({chosen}) {source}"
        )
    selects.append(
        "SELECT 'values', NULL, NULL, facet, NULL, NULL, count(*) FROM tallies GROUP BY facet"
    )
    return Sql(" UNION ALL ".join(selects), tuple(params))


class _TallyRow(NamedTuple):
    """A row of `_tally`'s query; `part` says which kind: "page" (one of the page's
    results), "count" (the number of results), "values" (how many values the facet in
    `slug` has) or a facet's name (one of its listed values). The fields a part does not
    use are None."""

    part: str
    entry_id: int | None
    rank: float | None
    slug: str | None  # a facet value's slug, or the facet's name ("values")
    label: str | None
    ordinal: int | None  # a facet value's order, or a result's place in its page
    n: int | None  # results ("count"), those with the value (a facet's), values ("values")


class _Hit(NamedTuple):
    entry_id: int
    rank: float
    position: int


@dataclass
class _Tally:
    page: list[_Hit]  # the page's results, best first
    count: int
    facets: dict[str, list[FacetCount]]  # facet → its listed values
    omitted: dict[str, int]  # facet → values with results left out of `facets`


def _tally(full_text: FullText, filters: dict[str, set[str]], *, offset: int, limit: int) -> _Tally:
    """The page's entries, the number of results and the facet counts (one query).

    `matches` holds every entry the query finds, found once: both databases materialise a
    common table expression that is read more than once. The page (filtered, best first,
    LIMIT/OFFSET), the count and one GROUP BY per facet are read from it; only the listed
    facet values are joined to their names.
    """
    params = Params()
    everything = _passing(filters)
    bounded = full_text.rank_table is not None
    rank = "" if bounded else f", {params(full_text.rank)} AS rank"
    matches = (
        "SELECT e.id, e.kind, e.document_pk, e.framework_pk, e.level_pk, e.activity_pk"
        f"{rank} FROM {full_text.tables} WHERE {params(full_text.match)}"
    )
    tallies = params(_tallies_sql(filters))
    if bounded:
        # The candidates ranked, then (only for a page past them) the other matches, rank 0,
        # in the candidates' order. Each part is a top-N of `matches` (LIMIT), not a window
        # over every match: a common word matches tens of thousands of entries at scale.
        order = "kind = 'passage', id"
        parts = (
            f"SELECT c.id, {params(full_text.rank)} AS rank, 0 AS part, c.passage "
            f"FROM (SELECT id, kind = 'passage' AS passage FROM matches "
            f"WHERE {params(everything)} ORDER BY {order} LIMIT {int(RANKED_CANDIDATES)}) c "
            f"JOIN {full_text.rank_table} e ON e.id = c.id"
        )
        if offset + limit > RANKED_CANDIDATES:
            parts += (
                " UNION ALL SELECT * FROM (SELECT id, 0.0, 1, kind = 'passage' FROM matches "
                f"WHERE {params(everything)} ORDER BY {order} "
                f"OFFSET {int(RANKED_CANDIDATES)} LIMIT {int(offset + limit)}) rest"
            )
        page = (
            "SELECT id, rank, row_number() OVER (ORDER BY part, rank DESC, passage, id) "
            f"AS position FROM ({parts}) candidates "
            f"ORDER BY part, rank DESC, passage, id LIMIT {int(limit)} OFFSET {int(offset)}"
        )
    else:
        page = (
            "SELECT id, rank, row_number() OVER (ORDER BY rank DESC, id) AS position "
            f"FROM matches WHERE {params(everything)} "
            f"ORDER BY rank DESC, id LIMIT {int(limit)} OFFSET {int(offset)}"
        )
    sql = (
        f"WITH matches AS ({matches}), tallies AS ({tallies}), page AS ({page}) "
        # The first SELECT of a UNION names its columns (those of `_TallyRow`), and gives them
        # their types on PostgreSQL.
        "SELECT 'page' AS part, id AS entry_id, rank AS rank, CAST(NULL AS text) AS slug, "
        "CAST(NULL AS text) AS label, CAST(position AS integer) AS ordinal, "
        "CAST(NULL AS bigint) AS n FROM page "
        "UNION ALL SELECT 'count', NULL, NULL, NULL, NULL, NULL, count(*) FROM matches "
        f"WHERE {params(everything)} "
        f"UNION ALL {params(_listed_sql(filters))}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = named_rows(cursor, _TallyRow)
    tally = _Tally(page=[], count=0, facets={name: [] for name in FACETS}, omitted={})
    for row in rows:
        if row.part == "page":
            tally.page.append(_Hit(row.entry_id, float(row.rank), row.ordinal))
        elif row.part == "count":
            tally.count = row.n
        elif row.part == "values":
            tally.omitted[row.slug] = row.n
        else:
            tally.facets[row.part].append(FacetCount(row.slug, row.label, row.ordinal, row.n))
    # A UNION keeps no order: the page is put back in the order of its ORDER BY.
    tally.page.sort(key=lambda hit: hit.position)
    for name, values in tally.facets.items():
        tally.omitted[name] = tally.omitted.get(name, 0) - len(values)
    return tally


class _EntryRow(NamedTuple):
    """A row of `_entries`' query: an entry, the slug and name (`<facet>_slug`,
    `<facet>_label`) of each of its facet values (None where it has none), its snippet with
    the match delimiters."""

    id: int
    kind: str
    object_id: int
    title: str
    slug: str
    document_slug: str | None
    document_label: str | None
    framework_slug: str | None
    framework_label: str | None
    level_slug: str | None
    level_label: str | None
    activity_slug: str | None
    activity_label: str | None
    snippet: str | None
    passage_page: str | None  # a passage's reader page (`Passage.page`)


def _entries(full_text: FullText, entry_ids: list[int]) -> dict[int, _EntryRow]:
    """What the page shows of each entry: its fields, the slug and name of each of its facet
    values, its highlighted snippet (one query)."""
    if not entry_ids:
        return {}
    params = Params()
    named = [facet for facet in _FACETS if facet.model is not None]
    columns = ", ".join(
        f"{facet.name}.slug AS {facet.name}_slug, {facet.name}.{facet.label} AS {facet.name}_label"
        for facet in named
    )
    joins = " ".join(
        f"LEFT JOIN {facet.model._meta.db_table} {facet.name} ON {facet.name}.id = e.{facet.column}"
        for facet in named
    )
    sql = (
        "SELECT e.id AS id, e.kind AS kind, e.object_id AS object_id, e.title AS title, "
        f"e.slug AS slug, {columns}, {params(full_text.snippet)} AS snippet, "
        "passage.page AS passage_page "
        f"FROM {full_text.tables} {joins} "
        f"LEFT JOIN {Passage._meta.db_table} passage "
        f"ON passage.id = e.object_id AND e.kind = '{EntryKind.PASSAGE.value}' "
        f"WHERE {params(full_text.match)} AND e.id IN ({params(placeholders(entry_ids))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row.id: row for row in named_rows(cursor, _EntryRow)}


def _result(entry: _EntryRow, rank: float) -> Result:
    """A result from its row of `_entries` and its rank; its page linked from the slugs."""
    title = entry.title
    if entry.kind == EntryKind.CELL:
        url = link(
            "engagement:cell-detail",
            slug=entry.framework_slug,
            activity=entry.activity_slug,
            level=entry.level_slug,
        )
        context = entry.framework_label
    elif entry.kind == EntryKind.PASSAGE:
        url = passage_url(entry.document_slug, entry.slug, entry.passage_page)
        title, context = plain(entry.title) or entry.document_label, entry.document_label
    elif entry.kind == EntryKind.INSTITUTION:
        url = link("institutions:institution-detail", slug=entry.slug)
        context = "Institution"
    else:
        url = link("sources:document-detail", slug=entry.slug)
        context = "Document"
    return Result(
        type=entry.kind,
        object_id=entry.object_id,
        title=title,
        context=context,
        url=url,
        rank=rank,
        document=entry.document_slug,
        framework=entry.framework_slug,
        level=entry.level_slug,
        activity=entry.activity_slug,
        snippet=highlight(entry.snippet or ""),
        entry_id=entry.id,
    )


def search(
    parsed: ParsedQuery,
    *,
    filters: dict[str, list[str]] | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
    labels: dict[tuple[str, str], str] | None = None,
) -> SearchResults:
    """The page `page` of the results, best first, and facet counts (two queries).

    The count of a facet value is the number of results with that value under every other
    filter: choosing the value alone on that facet gives exactly that many results. Each
    facet lists its FACET_LIMIT values with most results and the selected ones; how many
    more have results is in `facets_omitted`. `labels` names filter values that may have no
    match (to show them selected).
    """
    selected = {name: set(values) for name, values in (filters or {}).items() if values}
    full_text = full_text_for(parsed)
    tally = _tally(full_text, selected, offset=(page - 1) * page_size, limit=page_size)
    entries = _entries(full_text, [hit.entry_id for hit in tally.page])
    # An entry deleted between the two queries is left out rather than shown half.
    results = [
        _result(entries[hit.entry_id], hit.rank) for hit in tally.page if hit.entry_id in entries
    ]
    facets = {
        name: facet_values(name, tally.facets[name], selected.get(name, set()), labels or {})
        for name in FACETS
    }
    return SearchResults(
        query=parsed.text,
        count=tally.count,
        page=page,
        pages=max(1, math.ceil(tally.count / page_size)),
        results=results,
        facets=facets,
        facets_omitted=tally.omitted,
    )
