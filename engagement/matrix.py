"""The matrix of a framework, built from flat queries into an {activity: {level: cell}} map."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType

from core.history import State
from engagement.models import Activity, Cell, EngagementLevel, Framework
from sources.models import Citation, CitationRole, citation_url


@dataclass
class MatrixRow:
    activity: Activity
    cells: list[Cell | None]

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
    def cells(self) -> list[Cell]:
        return [cell for row in self.rows for cell in row.cells if cell is not None]

    def placed(self) -> Iterator[tuple[Cell, Framework, Activity, EngagementLevel]]:
        """Each cell with the framework, activity and level of its position."""
        for row in self.rows:
            for level, cell in zip(self.levels, row.cells, strict=True):
                if cell is not None:
                    yield cell, self.framework, row.activity, level


def build_matrix(
    framework: Framework,
    cells: Iterable[Cell],
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
    """A cell's source citation as the matrix links it: the reader at the quote."""

    anchor: str
    url: str


def link_cells(
    placed: Iterable[tuple[Cell, Framework, Activity, EngagementLevel]],
    *,
    state: State | None = None,
) -> None:
    """Give each cell its position's objects and its `source_links`, in one query, from
    (cell, framework, activity, level) as a page has them placed; at a release (`state`),
    its source citations as they stood then (three queries).

    For cells loaded without their relations (`Cell.objects.for_matrix`): they get the page's
    own framework, activity and level objects (so `get_absolute_url` needs no query), and
    their source citations come as flat rows.
    """
    by_id: dict[int, Cell] = {}
    for cell, framework, activity, level in placed:
        cell.framework, cell.activity, cell.level = framework, activity, level
        cell.source_links = []
        by_id[cell.pk] = cell
    if not by_id:
        return
    if state is not None:
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
            anchor, document = citation.passage.anchor, citation.passage.document.slug
            by_id[citation.object_id].source_links.append(
                SourceLink(anchor, citation_url(document, citation.pk, anchor))
            )
        return
    citations = (
        Citation.objects.filter(
            content_type=ContentType.objects.get_for_model(Cell),
            object_id__in=by_id,
            role=CitationRole.SOURCE,
        )
        .order_by("object_id", "pk")
        .values_list(
            "object_id", "pk", "passage__anchor", "passage__document__slug", "passage__page"
        )
    )
    for cell_id, citation_id, anchor, document, page in citations:
        by_id[cell_id].source_links.append(
            SourceLink(anchor, citation_url(document, citation_id, anchor, page))
        )
