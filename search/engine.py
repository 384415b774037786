"""Full-text search over cells, passages, institutions and documents, on either database.

The query syntax is PostgreSQL's `websearch_to_tsquery`: words are AND-ed, a "quoted
phrase" matches its words in sequence, `-word` or `-"a phrase"` excludes, `or` between
words gives alternatives (AND binds tighter than `or`, as in PostgreSQL). The query is
parsed here on both databases, to refuse what cannot be searched with the same reasons
everywhere; PostgreSQL then receives the raw text through `websearch_to_tsquery`, SQLite
an FTS5 expression built from the parse (every word quoted, so user text is never FTS5
syntax).

A search is a constant number of queries, whatever the number of results:
1. (only when facet filters are given) one query checking that the slugs exist;
2. every match with its rank and facet keys (facet slugs and names joined in);
3. the highlighted snippets of the page's results.
Facet counts and filtering are done in Python over the rows of query 2.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from django.db import connection
from django.db.models.expressions import RawSQL
from django.urls import NoReverseMatch
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from engagement.models import Activity, Cell, EngagementLevel, Framework
from institutions.models import Institution
from search.index import ENTRY_TABLE, FTS_TABLE, TEXT_CONFIG, VECTOR_COLUMN
from search.models import EntryKind
from sources.markdown import plain
from sources.models import Document, Passage

MAX_QUERY_LENGTH = 200
PAGE_SIZE = 20
FACETS = ("type", "document", "framework", "level", "activity")

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


def cell_ids_matching(text: str) -> RawSQL | None:
    """A subquery of the ids of the cells `text` finds; None when `text` has nothing to find."""
    try:
        parsed = parse_query(text)
    except QueryError:
        return None
    if connection.vendor == "postgresql":
        return RawSQL(
            f"SELECT object_id FROM {ENTRY_TABLE} WHERE kind = 'cell' "
            f"AND {VECTOR_COLUMN} @@ websearch_to_tsquery('{TEXT_CONFIG}', %s)",
            [parsed.text],
        )
    return RawSQL(
        f"SELECT e.object_id FROM {FTS_TABLE} JOIN {ENTRY_TABLE} e ON e.id = {FTS_TABLE}.rowid "
        f"WHERE e.kind = 'cell' AND {FTS_TABLE} MATCH %s",
        [parsed.fts5],
    )


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


def _with_fallback(instance, path: str) -> str:
    # The detail pages of cells and institutions belong to other parts of the project; until
    # their URLs exist the path the design fixes for them is used.
    try:
        return instance.get_absolute_url()
    except NoReverseMatch:
        return path


def _result(row) -> Result:
    (entry_id, kind, object_id, title, slug, rank) = row[:6]
    (doc_slug, doc_title, fw_slug, fw_name, level_slug) = row[6:11]
    activity_slug = row[14]
    if kind == EntryKind.CELL:
        cell = Cell(
            framework=Framework(slug=fw_slug),
            activity=Activity(slug=activity_slug),
            level=EngagementLevel(slug=level_slug),
        )
        url = _with_fallback(cell, f"/frameworks/{fw_slug}/cells/{activity_slug}/{level_slug}/")
        context = fw_name
    elif kind == EntryKind.PASSAGE:
        url = Passage(anchor=slug, document=Document(slug=doc_slug)).get_absolute_url()
        title, context = plain(title) or doc_title, doc_title
    elif kind == EntryKind.INSTITUTION:
        url = _with_fallback(Institution(slug=slug), f"/institutions/{slug}/")
        context = "Institution"
    else:
        url = Document(slug=slug).get_absolute_url()
        context = "Document"
    return Result(
        type=kind,
        object_id=object_id,
        title=title,
        context=context,
        url=url,
        rank=float(rank),
        document=doc_slug,
        framework=fw_slug,
        level=level_slug,
        activity=activity_slug,
        entry_id=entry_id,
    )


_FACET_JOINS = (
    "LEFT JOIN sources_document d ON d.id = e.document_pk "
    "LEFT JOIN engagement_framework f ON f.id = e.framework_pk "
    "LEFT JOIN engagement_engagementlevel l ON l.id = e.level_pk "
    "LEFT JOIN engagement_activity a ON a.id = e.activity_pk"
)
_FACET_COLUMNS = (
    "d.slug, d.title, f.slug, f.name, l.slug, l.name, l.ordinal, f.ordinal, a.slug, a.name, "
    "a.ordinal"
)


def _matches(parsed: ParsedQuery) -> list[tuple]:
    """Every entry the query finds, best first, with its facet slugs and names (one query)."""
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT e.id, e.kind, e.object_id, e.title, e.slug, "
            f"ts_rank(e.{VECTOR_COLUMN}, query) AS rank, {_FACET_COLUMNS} "
            f"FROM websearch_to_tsquery('{TEXT_CONFIG}', %s) query, {ENTRY_TABLE} e "
            f"{_FACET_JOINS} WHERE e.{VECTOR_COLUMN} @@ query ORDER BY rank DESC, e.id"
        )
        params = [parsed.text]
    else:
        # bm25() is lower for better matches; the weights follow ts_rank's defaults (A 1.0,
        # B 0.4, C 0.2).
        sql = (
            f"SELECT e.id, e.kind, e.object_id, e.title, e.slug, "
            f"-bm25({FTS_TABLE}, 1.0, 0.4, 0.2) AS rank, {_FACET_COLUMNS} "
            f"FROM {FTS_TABLE} JOIN {ENTRY_TABLE} e ON e.id = {FTS_TABLE}.rowid "
            f"{_FACET_JOINS} WHERE {FTS_TABLE} MATCH %s ORDER BY rank DESC, e.id"
        )
        params = [parsed.fts5]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # Row layout for _result: id, kind, object_id, title, slug, rank, doc slug, doc title,
    # framework slug, framework name, level slug, level name, level ordinal, framework
    # ordinal, activity slug, activity name, activity ordinal.
    return rows


def _snippets(parsed: ParsedQuery, entry_ids: list[int]) -> dict[int, SafeString]:
    """The highlighted snippet of each entry (one query), escaped, matches in <mark>."""
    if not entry_ids:
        return {}
    placeholders = ", ".join(["%s"] * len(entry_ids))
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT id, ts_headline('{TEXT_CONFIG}', concat_ws(' … ', NULLIF(weight_a, ''), "
            "NULLIF(weight_b, ''), NULLIF(weight_c, '')), "
            f"websearch_to_tsquery('{TEXT_CONFIG}', %s), %s) "
            f"FROM {ENTRY_TABLE} WHERE id IN ({placeholders})"
        )
        params = [parsed.text, _HEADLINE_OPTIONS, *entry_ids]
    else:
        sql = (
            f"SELECT rowid, snippet({FTS_TABLE}, -1, %s, %s, '…', 32) FROM {FTS_TABLE} "
            f"WHERE {FTS_TABLE} MATCH %s AND rowid IN ({placeholders})"
        )
        params = [_START, _STOP, parsed.fts5, *entry_ids]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {entry_id: highlight(text or "") for entry_id, text in cursor.fetchall()}


def highlight(marked: str) -> SafeString:
    """Source text with the database's match delimiters: escaped, then the matches in <mark>."""
    text = escape(plain(marked))
    text = _MARKED.sub(r"<mark>\1</mark>", text)
    return mark_safe(text.replace(_START, "").replace(_STOP, ""))  # escaped above


_TYPE_ORDER = {kind: position for position, kind in enumerate(EntryKind.values)}


def _facet_keys(row) -> dict[str, tuple[str, str, tuple] | None]:
    kind = row[1]
    keys = {"type": (kind, EntryKind(kind).label, (_TYPE_ORDER[kind],))}
    keys["document"] = (row[6], row[7], (row[7],)) if row[6] else None
    keys["framework"] = (row[8], row[9], (row[13], row[9])) if row[8] else None
    keys["level"] = (row[10], row[11], (row[12],)) if row[10] else None
    keys["activity"] = (row[14], row[15], (row[16],)) if row[14] else None
    return keys


def search(
    parsed: ParsedQuery,
    *,
    filters: dict[str, list[str]] | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
    labels: dict[tuple[str, str], str] | None = None,
) -> SearchResults:
    """The page `page` of the results, best first, and facet counts.

    The count of a facet value is the number of results with that value under every other
    filter: choosing the value alone on that facet gives exactly that many results.
    `labels` names filter values that may have no match (to show them selected).
    """
    filters = {name: set(values) for name, values in (filters or {}).items() if values}
    rows = _matches(parsed)
    keyed = [(row, _facet_keys(row)) for row in rows]

    def passes(keys, skip: str | None = None) -> bool:
        for name, wanted in filters.items():
            if name == skip:
                continue
            key = keys[name]
            if key is None or key[0] not in wanted:
                return False
        return True

    facets: dict[str, list[FacetValue]] = {}
    for name in FACETS:
        values: dict[str, FacetValue] = {}
        for _row, keys in keyed:
            key = keys[name]
            if key is None or not passes(keys, skip=name):
                continue
            slug, label, order = key
            value = values.setdefault(
                slug, FacetValue(slug, label, 0, slug in filters.get(name, ()), (0, *order))
            )
            value.count += 1
        for slug in filters.get(name, ()):
            if slug not in values:
                label = (labels or {}).get((name, slug), slug)
                values[slug] = FacetValue(slug, label, 0, True, (1, label))
        facets[name] = sorted(values.values(), key=lambda v: (v.order, v.label))

    selected = [row for row, keys in keyed if passes(keys)]
    pages = max(1, math.ceil(len(selected) / page_size))
    page_rows = selected[(page - 1) * page_size : page * page_size]
    results = [_result(row) for row in page_rows]
    snippets = _snippets(parsed, [result.entry_id for result in results])
    for result in results:
        result.snippet = snippets.get(result.entry_id, mark_safe(""))
    return SearchResults(
        query=parsed.text,
        count=len(selected),
        page=page,
        pages=pages,
        results=results,
        facets=facets,
    )
