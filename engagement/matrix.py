"""The matrix of a framework, built from flat queries into an {activity: {level: cell}} map."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models.functions import Substr

from core.history import State
from core.links import linker
from engagement.models import Activity, Cell, EngagementLevel, Framework
from sources.models import (
    Citation,
    CitationRole,
    citation_linker,
    passage_place,
    visible_claims_citations,
)

# The start of a source passage a link is named by (a table row's first cell).
SHOWN_START = 200


@dataclass(slots=True, eq=False)
class GridCell:
    """A cell as a grid shows it, made from a row of `Cell.objects.grid_rows()` rather than
    a model instance (a grid shows up to 60 on every request, and the page has the
    framework, activities and levels already). `placer()` gives it those objects and its
    URL, `add_source_links()` its `source_links`; it then answers `get_absolute_url()` as
    a Cell does."""

    pk: int
    framework_id: int
    activity_id: int
    level_id: int
    kind: str
    text: str
    emphasised: bool
    evidence: str = ""
    # The page's own objects: models, or the plain ones of `engagement.grid`.
    framework: Any = None
    activity: Any = None
    level: Any = None
    source_links: list = field(default_factory=list)
    url: str = ""

    def get_absolute_url(self) -> str:
        assert self.url, "placed by placer()"
        return self.url


# A cell placed on a grid: a model instance, or a row made into a GridCell.
PlacedCell = Cell | GridCell


def grid_cells(rows: Iterable[tuple]) -> list[GridCell]:
    """Grid cells of `Cell.objects.grid_rows()` rows (any filter applied before)."""
    return [GridCell(*row) for row in rows]


@dataclass
class MatrixRow:
    activity: Activity
    cells: list[PlacedCell | None]

    @property
    def matching(self) -> int:
        return sum(cell is not None for cell in self.cells)


@dataclass
class Matrix:
    framework: Framework
    levels: list[EngagementLevel]
    rows: list[MatrixRow] = field(default_factory=list)

    @property
    def cell_count(self) -> int:
        return sum(row.matching for row in self.rows)

    @property
    def cells(self) -> list[PlacedCell]:
        return [cell for row in self.rows for cell in row.cells if cell is not None]

    def placed(self) -> Iterator[tuple[PlacedCell, Framework, Activity, EngagementLevel]]:
        """Each cell with the framework, activity and level of its position."""
        for row in self.rows:
            for level, cell in zip(self.levels, row.cells, strict=True):
                if cell is not None:
                    yield cell, self.framework, row.activity, level


def build_matrix(
    framework: Framework,
    cells: Iterable[PlacedCell],
    *,
    levels: Iterable[EngagementLevel],
    activities: Iterable[Activity],
    keep_empty_rows: bool = True,
) -> Matrix:
    """Place `cells` on a grid of `activities` x `levels` (both already in order).

    A position with no cell is None: the framework says nothing there, which the pages show
    differently from an `empty` cell (the source's table left it blank).
    """
    grid = cell_grid(cells)
    levels = list(levels)
    matrix = Matrix(framework=framework, levels=levels)
    for activity in activities:
        at = grid.get(activity.pk, {})
        row = MatrixRow(activity, [at.get(level.pk) for level in levels])
        if keep_empty_rows or row.matching:
            matrix.rows.append(row)
    return matrix


# One framework's cells by position: {activity id: {level id: cell}}.
CellGrid = dict[int, dict[int, PlacedCell]]


def cell_grid(cells: Iterable[PlacedCell]) -> CellGrid:
    """The {activity id: {level id: cell}} map of one framework's `cells`: the one place a
    cell is put at its position, which every grid, row and column is then read from."""
    grid: CellGrid = {}
    for cell in cells:
        grid.setdefault(cell.activity_id, {})[cell.level_id] = cell
    return grid


def placer() -> Callable[[Any, Any, Any, Any], Any]:
    """`place(cell, framework, activity, level)`: give `cell` the page's own objects of its
    position, so that its `get_absolute_url()` (made here, once) and the page's links to
    them need no query; answers the cell. The cell link's pieces are read once per page."""
    cell_link = linker("engagement:cell-detail", "slug", "activity", "level")

    def place(cell, framework, activity, level):
        cell.framework, cell.activity, cell.level = framework, activity, level
        cell.url = cell_link(slug=framework.slug, activity=activity.slug, level=level.slug)
        return cell

    return place


def place_cells(
    cells: Iterable[PlacedCell],
    *,
    frameworks: Iterable[Any],
    activities: Iterable[Any],
    levels: Iterable[Any],
) -> dict[int, CellGrid]:
    """`cells` placed (`placer()`) on the grids of `frameworks`, with the objects given for
    their positions: {framework id: {activity id: {level id: cell}}}. A cell whose
    framework, activity or level is not among those given is left out."""
    framework_of = {framework.pk: framework for framework in frameworks}
    activity_of = {activity.pk: activity for activity in activities}
    level_of = {level.pk: level for level in levels}
    place = placer()
    placed: dict[int, list[PlacedCell]] = {}
    for cell in cells:
        framework = framework_of.get(cell.framework_id)
        activity = activity_of.get(cell.activity_id)
        level = level_of.get(cell.level_id)
        if framework is None or activity is None or level is None:
            continue
        placed.setdefault(framework.pk, []).append(place(cell, framework, activity, level))
    return {pk: cell_grid(found) for pk, found in placed.items()}


@dataclass(frozen=True)
class SourceLink:
    """A cell's source citation as the matrix links it: the reader at the quote, named by
    the passage's place in its document (`sources.models.passage_place`)."""

    anchor: str
    url: str
    place: str = ""
    document_id: int | None = None
    document: str = ""  # its title


def link_cells(
    placed: Iterable[tuple[PlacedCell, Any, Any, Any]],
    *,
    state: State | None = None,
) -> set[int]:
    """Place each cell (`placer()`) from (cell, framework, activity, level) as a page has
    them, and give it its `source_links` (`add_source_links`); the ids of the documents the
    links point into."""
    place = placer()
    return add_source_links(
        [place(cell, framework, activity, level) for cell, framework, activity, level in placed],
        state=state,
    )


def add_source_links(cells: Iterable[PlacedCell], *, state: State | None = None) -> set[int]:
    """Give each cell its `source_links`, now in one query of flat rows, at a release
    (`state`) as its source citations stood then (three queries); the ids of the documents
    the links point into (what the page shows of them, for the response cache). The cells
    are the visible ones, read through `Cell.objects`: their citations are read without
    the visibility rule (`sources.models.visible_claims_citations`)."""
    by_id: dict[int, PlacedCell] = {}
    for cell in cells:
        cell.source_links = []
        by_id[cell.pk] = cell
    if not by_id:
        return set()
    rows = _source_rows(list(by_id)) if state is None else _source_rows_at(state, list(by_id))
    documents = set()
    # Many cells cite the same passages: each one's URL and place are made once.
    url_of = citation_linker()
    places: dict[tuple, str] = {}
    for cell_id, citation_id, anchor, document, document_id, page, *where, title in rows:
        url = url_of(document, citation_id, anchor, page)
        key = (anchor, *where)
        place = places.get(key)
        if place is None:
            section, kind, shown = where
            place = passage_place(section=section, kind=kind, shown=shown, anchor=anchor)
            places[key] = place
        by_id[cell_id].source_links.append(SourceLink(anchor, url, place, document_id, title))
        documents.add(document_id)
    return documents


def _source_rows(cell_ids: list[int]) -> Iterable[tuple]:
    """The source citations of the cells, as (cell, citation, anchor, document slug,
    document id, page, section, kind, start of the shown text, document title) rows in the
    cells' order."""
    return (
        visible_claims_citations()
        .filter(
            content_type=ContentType.objects.get_for_model(Cell),
            object_id__in=cell_ids,
            role=CitationRole.SOURCE,
        )
        .order_by("object_id", "pk")
        .annotate(shown_start=Substr("passage__shown", 1, SHOWN_START))
        .values_list(
            "object_id",
            "pk",
            "passage__anchor",
            "passage__document__slug",
            "passage__document_id",
            "passage__page",
            "passage__section",
            "passage__kind",
            "shown_start",
            "passage__document__title",
        )
    )


def _source_rows_at(state: State, cell_ids: list[int]) -> Iterator[tuple]:
    """`_source_rows()` as the citations, passages and documents stood in `state`."""
    citations = (
        state.objects(Citation)
        .filter(
            content_type=ContentType.objects.get_for_model(Cell),
            object_id__in=cell_ids,
            role=CitationRole.SOURCE,
        )
        .order_by("object_id", "pk")
        .prefetch_state("passage__document")
    )
    for citation in citations:
        passage = citation.passage
        yield (
            citation.object_id,
            citation.pk,
            passage.anchor,
            passage.document.slug,
            passage.document_id,
            passage.page,
            passage.section,
            passage.kind,
            passage.shown[:SHOWN_START],
            passage.document.title,
        )
