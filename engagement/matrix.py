"""The matrix of a framework, built from flat queries into an {activity: {level: cell}} map."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models.functions import Substr

from core.history import State
from core.links import linker
from engagement.models import Activity, Cell, EngagementLevel, Framework
from sources.models import Citation, CitationRole, citation_url, passage_place

# The start of a source passage a link is named by (a table row's first cell).
SHOWN_START = 200


@dataclass(slots=True, eq=False)
class GridCell:
    """A cell as a grid shows it, made from a row of `Cell.objects.grid_rows()` rather than
    a model instance (a grid shows up to 60 on every request, and the page has the
    framework, activities and levels already). `link_cells` gives it those objects and
    its `source_links`; it then answers `get_absolute_url()` as a Cell does."""

    pk: int
    framework_id: int
    activity_id: int
    level_id: int
    kind: str
    text: str
    emphasised: bool
    # The page's own objects: models, or the plain ones of `engagement.grid`.
    framework: Any = None
    activity: Any = None
    level: Any = None
    source_links: list = field(default_factory=list)
    url: str = ""

    def get_absolute_url(self) -> str:
        assert self.url, "placed by link_cells()"
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
    by_position = {(cell.activity_id, cell.level_id): cell for cell in cells}
    levels = list(levels)
    matrix = Matrix(framework=framework, levels=levels)
    for activity in activities:
        row = MatrixRow(activity, [by_position.get((activity.pk, level.pk)) for level in levels])
        if keep_empty_rows or row.matching:
            matrix.rows.append(row)
    return matrix


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
    placed: Iterable[tuple[GridCell, Framework, Activity, EngagementLevel]],
    *,
    state: State | None = None,
) -> set[int]:
    """Give each cell its position's objects and its `source_links`, in one query, from
    (cell, framework, activity, level) as a page has them placed; the ids of the documents
    the links point into (what the page shows of them, for the response cache). At a
    release (`state`), its source citations as they stood then (three queries).

    For cells loaded without their relations (`Cell.objects.for_matrix`): they get the page's
    own framework, activity and level objects (so `get_absolute_url` needs no query), and
    their source citations come as flat rows.
    """
    by_id: dict[int, GridCell] = {}
    cell_link = linker("engagement:cell-detail", "slug", "activity", "level")
    for cell, framework, activity, level in placed:
        cell.framework, cell.activity, cell.level = framework, activity, level
        cell.url = cell_link(slug=framework.slug, activity=activity.slug, level=level.slug)
        cell.source_links = []
        by_id[cell.pk] = cell
    if not by_id:
        return set()
    if state is not None:
        documents = set()
        for citation in (
            state.objects(Citation)
            .filter(
                content_type=ContentType.objects.get_for_model(Cell),
                object_id__in=list(by_id),
                role=CitationRole.SOURCE,
            )
            .order_by("object_id", "pk")
            .prefetch_state("passage__document")
        ):
            passage = citation.passage
            anchor, document = passage.anchor, passage.document
            by_id[citation.object_id].source_links.append(
                SourceLink(
                    anchor,
                    citation_url(document.slug, citation.pk, anchor, passage.page),
                    place=passage_place(
                        section=passage.section,
                        kind=passage.kind,
                        shown=passage.shown,
                        anchor=anchor,
                    ),
                    document_id=passage.document_id,
                    document=document.title,
                )
            )
            documents.add(citation.passage.document_id)
        return documents
    citations = (
        Citation.objects.filter(
            content_type=ContentType.objects.get_for_model(Cell),
            object_id__in=by_id,
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
    documents = set()
    for (
        cell_id,
        citation_id,
        anchor,
        document,
        document_id,
        page,
        section,
        kind,
        shown,
        title,
    ) in citations:
        url = citation_url(document, citation_id, anchor, page)
        place = passage_place(section=section, kind=kind, shown=shown, anchor=anchor)
        by_id[cell_id].source_links.append(SourceLink(anchor, url, place, document_id, title))
        documents.add(document_id)
    return documents
