"""Full-text search over cells, passages, institutions and documents, on either database.

The query syntax is PostgreSQL's `websearch_to_tsquery`: words are AND-ed, a "quoted
phrase" matches its words in sequence, `-word` or `-"a phrase"` excludes, `or` between
words gives alternatives (AND binds tighter than `or`, as in PostgreSQL). The query is
parsed here on both databases, to refuse what cannot be searched with the same reasons
everywhere; PostgreSQL then receives the raw text through `websearch_to_tsquery`, SQLite
an FTS5 expression built from the parse (every word quoted, so user text is never FTS5
syntax).

A search is a constant number of queries, whatever the number of results, and the
database does the work: only one page of results and a few facet values reach Python.
1. (only when facet filters are given, in `search.forms`) one query checking that the
   slugs exist;
2. `_tally`: the ids and ranks of the page's results (filters applied, best first, then by
   id, LIMIT/OFFSET), the number of results, and the facet counts (one GROUP BY per facet),
   all read from the matches found once;
3. `_entries`: what the page shows of its results (facet slugs and names joined in) with
   their highlighted snippets; skipped when the page is empty.
Only `_full_text` differs between PostgreSQL (tsvector, `ts_rank`, `ts_headline`) and
SQLite (FTS5, `bm25`, `snippet`); the rest of the SQL is shared.

Facets. The count of a facet value is the number of results having that value under every
other facet's filter, so choosing that value alone on its facet gives exactly that many
results. A facet lists at most FACET_LIMIT values: those with most results (on a tie, the
value added first, the lower id), plus every selected value (with no match, a count of
0). `SearchResults.facets_omitted` says how many more values have results (the API's
`facets_omitted`, the page's "and N more"). With 1000
times the seeded data a search can touch thousands of documents and frameworks; listing
them all made every page slow and no reader could use the list. Listed values keep the
facet's own order (kind, document title, framework/level/activity ordinal), selected
values without a match last.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Model
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from core.links import link
from engagement.models import Activity, EngagementLevel, Framework
from search.index import ENTRY_TABLE, FTS_TABLE, TEXT_CONFIG, VECTOR_COLUMN
from search.models import EntryKind
from sources.markdown import plain
from sources.models import Document, passage_url

MAX_QUERY_LENGTH = 200
PAGE_SIZE = 20
# A facet lists at most this many values (those with most results), and the selected ones.
FACET_LIMIT = 15

# PostgreSQL's `english` stop words (Snowball's list); SQLite drops them from a query too,
# so that "the AI Office" finds the same entries on both databases.
STOP_WORDS = frozenset(
    """i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what which
    who whom this that these those am is are was were be been being have has had having do
    does did doing a an the and but if or because as until while of at by for with about
    against between into through during before after above below to from up down in out on
    off over under again further then once here there when where why how all any both each
    few more most other some such no nor not only own same so than too very s t can will just
    don should now""".split()  # noqa: SIM905 - the list as PostgreSQL ships it
)

# Snippet delimiters: control characters, turned into <mark> only after the text is escaped.
_START, _STOP = "\x02", "\x03"
_MARKED = re.compile(f"{_START}([^{_START}{_STOP}]*){_STOP}")
_WORD = re.compile(r"[^\W_]+")
_HEADLINE_OPTIONS = (
    f"StartSel={_START}, StopSel={_STOP}, MaxWords=30, MinWords=12, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)


class QueryError(ValueError):
    """The query cannot be searched; the message says why, for the user."""


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]

    @property
    def fts5(self) -> str:
        return '"' + " ".join(self.words) + '"'


@dataclass(frozen=True)
class Group:
    """Terms that must all match, and terms that must not; groups are alternatives."""

    include: tuple[Term, ...]
    exclude: tuple[Term, ...]


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    groups: tuple[Group, ...]

    @property
    def fts5(self) -> str:
        alternatives = []
        for group in self.groups:
            expression = " AND ".join(term.fts5 for term in group.include)
            if group.exclude:
                excluded = " OR ".join(term.fts5 for term in group.exclude)
                expression = f"({expression}) NOT ({excluded})"
            alternatives.append(f"({expression})")
        return " OR ".join(alternatives)


def _items(text: str):
    """(negated, is_phrase, raw text) items and "or" operators (None), as websearch reads them."""
    position, length = 0, len(text)
    while position < length:
        char = text[position]
        if char.isspace():
            position += 1
            continue
        negated = char == "-" and position + 1 < length and not text[position + 1].isspace()
        if negated:
            position += 1
        if text[position] == '"':
            end = text.find('"', position + 1)
            end = length if end == -1 else end
            yield negated, True, text[position + 1 : end]
            position = end + 1
            continue
        end = position
        while end < length and not text[end].isspace() and text[end] != '"':
            end += 1
        word = text[position:end]
        position = end
        if not negated and word.lower() == "or":
            yield None
        else:
            yield negated, False, word


def parse_query(text: str) -> ParsedQuery:
    """The query's alternatives; QueryError when nothing in it can be searched for."""
    text = text.strip()
    if not text:
        raise QueryError("Enter words to search for.")
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(f"The query is too long: at most {MAX_QUERY_LENGTH} characters.")
    groups, include, exclude = [], [], []
    saw_words = saw_exclusion_only = False

    def close_group():
        nonlocal include, exclude, saw_exclusion_only
        if include:
            groups.append(Group(tuple(include), tuple(exclude)))
        elif exclude:
            saw_exclusion_only = True
        include, exclude = [], []

    for item in _items(text):
        if item is None:
            close_group()
            continue
        negated, is_phrase, raw = item
        words = [word.lower() for word in _WORD.findall(raw)]
        saw_words = saw_words or bool(words)
        if not is_phrase and len(words) == 1 and words[0] in STOP_WORDS:
            continue
        if not words or all(word in STOP_WORDS for word in words):
            continue
        (exclude if negated else include).append(Term(tuple(words)))
    close_group()
    if not groups:
        if saw_exclusion_only:
            raise QueryError(
                "Say what to find, not only what to leave out: “-word” excludes, it does not search."
            )
        if saw_words:
            raise QueryError("The query has only common words (such as “the” or “and”).")
        raise QueryError("The query has no words to search for, only punctuation.")
    return ParsedQuery(text, tuple(groups))


@dataclass(frozen=True)
class _Sql:
    """A piece of SQL and its parameters, in the order of its placeholders."""

    text: str
    params: tuple = ()


class _Params(list):
    """The parameters of SQL written left to right: `f"... {params(piece)} ..."` puts the
    piece's text in and appends its parameters (an f-string evaluates in order)."""

    def __call__(self, piece: _Sql) -> str:
        self.extend(piece.params)
        return piece.text


@dataclass(frozen=True)
class _FullText:
    """How this database finds the entries (alias `e`) a query matches, ranks and quotes them.

    The only SQL that differs between the databases; the rest of a search is shared.
    """

    tables: str
    match: _Sql
    rank: _Sql
    snippet: _Sql


def _full_text(parsed: ParsedQuery) -> _FullText:
    if connection.vendor == "postgresql":
        query = _Sql(f"websearch_to_tsquery('{TEXT_CONFIG}', %s)", (parsed.text,))
        return _FullText(
            tables=f"{ENTRY_TABLE} e",
            match=_Sql(f"e.{VECTOR_COLUMN} @@ {query.text}", query.params),
            rank=_Sql(f"ts_rank(e.{VECTOR_COLUMN}, {query.text})", query.params),
            snippet=_Sql(
                f"ts_headline('{TEXT_CONFIG}', concat_ws(' … ', NULLIF(e.weight_a, ''), "
                f"NULLIF(e.weight_b, ''), NULLIF(e.weight_c, '')), {query.text}, %s)",
                (*query.params, _HEADLINE_OPTIONS),
            ),
        )
    # bm25() is lower for better matches; the weights follow ts_rank's defaults (A 1.0, B 0.4,
    # C 0.2).
    return _FullText(
        tables=f"{FTS_TABLE} JOIN {ENTRY_TABLE} e ON e.id = {FTS_TABLE}.rowid",
        match=_Sql(f"{FTS_TABLE} MATCH %s", (parsed.fts5,)),
        rank=_Sql(f"-bm25({FTS_TABLE}, 1.0, 0.4, 0.2)"),
        snippet=_Sql(f"snippet({FTS_TABLE}, -1, %s, %s, '…', 32)", (_START, _STOP)),
    )


def cell_ids_matching(text: str) -> RawSQL | None:
    """A subquery of the ids of the cells `text` finds; None when `text` has nothing to find."""
    try:
        parsed = parse_query(text)
    except QueryError:
        return None
    full_text = _full_text(parsed)
    params = _Params()
    # `kind = 'cell'` written out lets PostgreSQL use the GIN index restricted to cells.
    sql = (
        f"SELECT e.object_id FROM {full_text.tables} "
        f"WHERE e.kind = 'cell' AND {params(full_text.match)}"
    )
    return RawSQL(sql, params)


@dataclass
class FacetValue:
    slug: str
    label: str
    count: int
    selected: bool
    order: tuple = ()


@dataclass
class Result:
    type: str
    object_id: int
    title: str
    context: str
    url: str
    rank: float
    document: str | None
    framework: str | None
    level: str | None
    activity: str | None
    snippet: SafeString = field(default_factory=lambda: mark_safe(""))
    entry_id: int = 0

    @property
    def type_label(self) -> str:
        return {
            EntryKind.CELL: "Cell",
            EntryKind.PASSAGE: "Passage",
            EntryKind.INSTITUTION: "Institution",
            EntryKind.DOCUMENT: "Document",
        }[self.type]


@dataclass
class SearchResults:
    query: str
    count: int
    page: int
    pages: int
    results: list[Result]
    facets: dict[str, list[FacetValue]]
    # Values with results that `facets` leaves out (beyond FACET_LIMIT), per facet.
    facets_omitted: dict[str, int] = field(default_factory=dict)


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

    def holds(self, column: str, slugs: set[str]) -> _Sql:
        """`column` (the kind, or an id of this facet's table) is one of the values `slugs`."""
        values = tuple(sorted(slugs))
        placeholders = ", ".join(["%s"] * len(values))
        if self.model is None:
            return _Sql(f"{column} IN ({placeholders})", values)
        return _Sql(
            f"{column} IN (SELECT id FROM {self.model._meta.db_table} "
            f"WHERE slug IN ({placeholders}))",
            values,
        )


_FACETS = (
    _Facet("type", "kind"),
    _Facet("document", "document_pk", Document, "title"),
    _Facet("framework", "framework_pk", Framework, "name", "ordinal"),
    _Facet("level", "level_pk", EngagementLevel, "name", "ordinal"),
    _Facet("activity", "activity_pk", Activity, "name", "ordinal"),
)
FACETS = tuple(facet.name for facet in _FACETS)


def _passing(filters: dict[str, set[str]], *, skip: str | None = None) -> _Sql:
    """The condition a row of `matches` meets under every filter but `skip`'s."""
    pieces = [
        facet.holds(facet.column, filters[facet.name])
        for facet in _FACETS
        if facet.name in filters and facet.name != skip
    ]
    return _Sql(
        " AND ".join(piece.text for piece in pieces) or "1 = 1",
        tuple(param for piece in pieces for param in piece.params),
    )


def _tallies_sql(filters: dict[str, set[str]]) -> _Sql:
    """Per facet, the number of `matches` rows with each value, under the other filters."""
    params = _Params()
    selects = []
    for facet in _FACETS:
        # One column for the kind, one for the ids of the other facets.
        key = "kind, NULL AS pk" if facet.model is None else f"NULL AS kind, {facet.column} AS pk"
        selects.append(
            f"SELECT '{facet.name}' AS facet, {key}, count(*) AS n FROM matches "
            f"WHERE {facet.column} IS NOT NULL AND {params(_passing(filters, skip=facet.name))} "
            f"GROUP BY {facet.column}"
        )
    return _Sql(" UNION ALL ".join(selects), tuple(params))


def _listed_sql(filters: dict[str, set[str]]) -> _Sql:
    """The facet values listed, with their names: the FACET_LIMIT first of `ranked` (most
    results first, ties to the value added first), and the selected ones."""
    params = _Params()
    selects = []
    for facet in _FACETS:
        if facet.model is None:
            value, columns, source = "r.kind", "r.kind, r.kind, 0", "ranked r"
        else:
            ordinal = f"v.{facet.ordinal}" if facet.ordinal else "0"
            value, columns = "r.pk", f"v.slug, v.{facet.label}, {ordinal}"
            source = f"ranked r JOIN {facet.model._meta.db_table} v ON v.id = r.pk"
        listed = f"r.position <= {int(FACET_LIMIT)}"
        if facet.name in filters:
            listed += f" OR {params(facet.holds(value, filters[facet.name]))}"
        selects.append(
            f"SELECT '{facet.name}', NULL, NULL, {columns}, r.n, r.value_count FROM {source} "
            f"WHERE r.facet = '{facet.name}' AND ({listed})"
        )
    return _Sql(" UNION ALL ".join(selects), tuple(params))


@dataclass
class _Tally:
    page: list[tuple[int, float]]  # (entry id, rank) of the page's results, best first
    count: int
    facets: dict[str, list[tuple]]  # facet → (slug, label, ordinal, count) of listed values
    omitted: dict[str, int]  # facet → values with results left out of `facets`


def _tally(
    full_text: _FullText, filters: dict[str, set[str]], *, offset: int, limit: int
) -> _Tally:
    """The page's entries, the number of results and the facet counts (one query).

    `matches` holds every entry the query finds, found once: both databases materialise a
    common table expression that is read more than once. The page (filtered, best first,
    LIMIT/OFFSET), the count and one GROUP BY per facet are read from it; only the listed
    facet values are joined to their names.
    """
    params = _Params()
    everything = _passing(filters)
    sql = (
        "WITH matches AS ("
        "SELECT e.id, e.kind, e.document_pk, e.framework_pk, e.level_pk, e.activity_pk, "
        f"{params(full_text.rank)} AS rank FROM {full_text.tables} "
        f"WHERE {params(full_text.match)}), "
        f"tallies AS ({params(_tallies_sql(filters))}), "
        "ranked AS (SELECT facet, kind, pk, n, "
        "row_number() OVER (PARTITION BY facet ORDER BY n DESC, kind, pk) AS position, "
        "count(*) OVER (PARTITION BY facet) AS value_count FROM tallies), "
        f"page AS (SELECT id, rank FROM matches WHERE {params(everything)} "
        f"ORDER BY rank DESC, id LIMIT {int(limit)} OFFSET {int(offset)}) "
        # The first SELECT of a UNION gives its columns their types on PostgreSQL.
        "SELECT 'page', id, rank, CAST(NULL AS text), CAST(NULL AS text), "
        "CAST(NULL AS integer), CAST(NULL AS bigint), CAST(NULL AS bigint) FROM page "
        "UNION ALL SELECT 'count', NULL, NULL, NULL, NULL, NULL, count(*), NULL FROM matches "
        f"WHERE {params(everything)} "
        f"UNION ALL {params(_listed_sql(filters))}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    tally = _Tally(page=[], count=0, facets={name: [] for name in FACETS}, omitted={})
    for part, entry_id, rank, slug, label, ordinal, count, value_count in rows:
        if part == "page":
            tally.page.append((entry_id, float(rank)))
        elif part == "count":
            tally.count = count
        else:
            tally.facets[part].append((slug, label, ordinal, count))
            tally.omitted[part] = value_count
    # A UNION keeps no order: the page is put back in the order of its ORDER BY.
    tally.page.sort(key=lambda item: (-item[1], item[0]))
    for name, values in tally.facets.items():
        tally.omitted[name] = tally.omitted.get(name, 0) - len(values)
    return tally


def _entries(full_text: _FullText, entry_ids: list[int]) -> dict[int, tuple]:
    """What the page shows of each entry: its fields, the slug and name of each of its facet
    values, its highlighted snippet (one query)."""
    if not entry_ids:
        return {}
    params = _Params()
    named = [facet for facet in _FACETS if facet.model is not None]
    columns = ", ".join(f"{facet.name}.slug, {facet.name}.{facet.label}" for facet in named)
    joins = " ".join(
        f"LEFT JOIN {facet.model._meta.db_table} {facet.name} ON {facet.name}.id = e.{facet.column}"
        for facet in named
    )
    ids = _Sql(", ".join(["%s"] * len(entry_ids)), tuple(entry_ids))
    sql = (
        f"SELECT e.id, e.kind, e.object_id, e.title, e.slug, {columns}, "
        f"{params(full_text.snippet)} FROM {full_text.tables} {joins} "
        f"WHERE {params(full_text.match)} AND e.id IN ({params(ids)})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: row for row in cursor.fetchall()}


def _result(row: tuple, rank: float) -> Result:
    """A result from its row of `_entries` and its rank; its page linked from the slugs."""
    entry_id, kind, object_id, title, slug, doc_slug, doc_title, fw_slug, fw_name = row[:9]
    level_slug, _level_name, activity_slug, _activity_name, snippet = row[9:]
    if kind == EntryKind.CELL:
        url = link("engagement:cell-detail", slug=fw_slug, activity=activity_slug, level=level_slug)
        context = fw_name
    elif kind == EntryKind.PASSAGE:
        url = passage_url(doc_slug, slug)
        title, context = plain(title) or doc_title, doc_title
    elif kind == EntryKind.INSTITUTION:
        url = link("institutions:institution-detail", slug=slug)
        context = "Institution"
    else:
        url = link("sources:document-detail", slug=slug)
        context = "Document"
    return Result(
        type=kind,
        object_id=object_id,
        title=title,
        context=context,
        url=url,
        rank=rank,
        document=doc_slug,
        framework=fw_slug,
        level=level_slug,
        activity=activity_slug,
        snippet=highlight(snippet or ""),
        entry_id=entry_id,
    )


def highlight(marked: str) -> SafeString:
    """Source text with the database's match delimiters: escaped, then the matches in <mark>."""
    text = escape(plain(marked))
    text = _MARKED.sub(r"<mark>\1</mark>", text)
    return mark_safe(text.replace(_START, "").replace(_STOP, ""))  # escaped above


_TYPE_ORDER = {kind: position for position, kind in enumerate(EntryKind.values)}


def _facet_values(
    name: str,
    found: list[tuple],
    selected: set[str],
    labels: dict[tuple[str, str], str],
) -> list[FacetValue]:
    """A facet's listed values in its own order (a type's, a title, an ordinal then a name);
    selected values without results last, named by `labels`."""
    values = []
    for slug, label, ordinal, count in found:
        if name == "type":
            label, ordinal = EntryKind(slug).label, _TYPE_ORDER[slug]
        values.append(FacetValue(slug, label, count, slug in selected, (0, ordinal, label)))
    listed = {value.slug for value in values}
    for slug in selected - listed:
        label = labels.get((name, slug), slug)
        values.append(FacetValue(slug, label, 0, True, (1, 0, label)))
    return sorted(values, key=lambda value: (value.order, value.label))


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
    filters = {name: set(values) for name, values in (filters or {}).items() if values}
    full_text = _full_text(parsed)
    tally = _tally(full_text, filters, offset=(page - 1) * page_size, limit=page_size)
    entries = _entries(full_text, [entry_id for entry_id, _rank in tally.page])
    # An entry deleted between the two queries is left out rather than shown half.
    results = [
        _result(entries[entry_id], rank) for entry_id, rank in tally.page if entry_id in entries
    ]
    facets = {
        name: _facet_values(name, tally.facets[name], filters.get(name, set()), labels or {})
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
