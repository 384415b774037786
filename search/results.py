"""What a search returns, and how it is shown: results, facet values, highlighted snippets.

Listed facet values keep the facet's own order (kind, document title,
framework/level/activity ordinal), selected values without a match last.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from search.models import EntryKind
from sources.markdown import plain

# Snippet delimiters, which the back ends ask the database to put around each match:
# control characters, turned into <mark> only after the text is escaped.
MARK_START, MARK_STOP = "\x02", "\x03"
_MARKED = re.compile(f"{MARK_START}([^{MARK_START}{MARK_STOP}]*){MARK_STOP}")

_TYPE_LABELS: dict[str, str] = {
    EntryKind.CELL: "Cell",
    EntryKind.PASSAGE: "Passage",
    EntryKind.INSTITUTION: "Institution",
    EntryKind.DOCUMENT: "Document",
}
_TYPE_ORDER = {kind: position for position, kind in enumerate(EntryKind.values)}


def highlight(marked: str) -> SafeString:
    """Source text with the database's match delimiters: escaped, then the matches in <mark>."""
    text = _MARKED.sub(r"<mark>\1</mark>", escape(plain(marked)))
    return mark_safe(text.replace(MARK_START, "").replace(MARK_STOP, ""))  # escaped above


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
        return _TYPE_LABELS[self.type]


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
class FacetCount:
    """A facet value the search listed, as the database found it."""

    slug: str
    label: str  # the value's name (a type's is its kind, named by `facet_values`)
    ordinal: int  # its place in the facet's own order (0 for facets without one)
    count: int  # results with this value, under the other facets' filters


def facet_values(
    name: str,
    found: list[FacetCount],
    selected: set[str],
    labels: dict[tuple[str, str], str],
) -> list[FacetValue]:
    """A facet's listed values in its own order (a type's, a title, an ordinal then a name);
    selected values without results last, named by `labels`."""
    values = []
    for value in found:
        label, ordinal = value.label, value.ordinal
        if name == "type":
            label, ordinal = EntryKind(value.slug).label, _TYPE_ORDER[value.slug]
        values.append(
            FacetValue(value.slug, label, value.count, value.slug in selected, (0, ordinal, label))
        )
    listed = {value.slug for value in values}
    for slug in selected - listed:
        label = labels.get((name, slug), slug)
        values.append(FacetValue(slug, label, 0, True, (1, 0, label)))
    return sorted(values, key=lambda value: (value.order, value.label))
