"""Reads that the framework's pages, their exports and the API share.

A rule the user sees (which cells a filter keeps, which rows the grid then shows, how two
matrices compare) is written here once; the matrix page, every export of it and the
comparison page ask these functions and so always answer the same query with the same rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from core.history import State, objects_of
from core.links import linker
from engagement.filters import CellFilter
from engagement.matrix import Matrix, PlacedCell, build_matrix, grid_cells
from engagement.models import Activity, Cell, CellKind, EngagementLevel, Framework


@dataclass(frozen=True)
class MatrixSelection:
    """Which rows and columns of the grid a valid filter shows."""

    levels: list[EngagementLevel]
    activities: list[Activity]
    # A filter that narrows the cells themselves (kind, keyword, emphasised only) drops the
    # rows left without a matching cell; choosing levels or activities alone keeps them.
    keep_empty_rows: bool


def matrix_selection(
    filterset: CellFilter | None,
    *,
    levels: list[EngagementLevel] | None = None,
    activities: list[Activity] | None = None,
) -> MatrixSelection:
    """The grid a valid `filterset` shows: the chosen levels and activities (all when none
    is chosen), in order; every row and column without a filter (None). `levels` and
    `activities`, when the caller has them, save a query."""
    data = filterset.form.cleaned_data if filterset is not None else {}
    chosen_levels, chosen_activities = data.get("level"), data.get("activity")
    if chosen_levels:
        levels = _chosen(chosen_levels, levels)
    elif levels is None:
        levels = list(EngagementLevel.objects.order_by("ordinal"))
    if chosen_activities:
        activities = _chosen(chosen_activities, activities)
    elif activities is None:
        activities = list(Activity.objects.order_by("ordinal"))
    narrowed = bool(data.get("kind") or (data.get("q") or "").strip() or data.get("emphasised"))
    return MatrixSelection(list(levels), list(activities), keep_empty_rows=not narrowed)


def _chosen(chosen, given: list | None) -> list:
    """The chosen levels or activities in order; as the caller's own objects where it gave
    them (at a release, as they stood then), and only those it gave."""
    if given is None:
        return sorted(chosen, key=lambda obj: obj.ordinal)
    wanted = {obj.pk for obj in chosen}
    return [obj for obj in given if obj.pk in wanted]


def framework_matrix(
    framework: Framework, cells: Iterable[PlacedCell], selection: MatrixSelection
) -> Matrix:
    """The grid of `framework` the filter shows, from the cells the filter kept."""
    return build_matrix(
        framework,
        cells,
        levels=selection.levels,
        activities=selection.activities,
        keep_empty_rows=selection.keep_empty_rows,
    )


@dataclass(frozen=True)
class ComparedCell:
    """One position of two matrices: each framework's cell (None where it has none), and
    which of them alone fills it ("a", "b" or "")."""

    level: EngagementLevel
    a: PlacedCell | None
    b: PlacedCell | None

    @property
    def only(self) -> str:
        filled_a = self.a is not None and self.a.kind != CellKind.EMPTY
        filled_b = self.b is not None and self.b.kind != CellKind.EMPTY
        return "a" if filled_a and not filled_b else "b" if filled_b and not filled_a else ""


@dataclass(frozen=True)
class ComparedActivity:
    activity: Activity
    pairs: list[ComparedCell]


@dataclass(frozen=True)
class FrameworkComparison:
    a: Framework
    b: Framework
    levels: list[EngagementLevel]
    rows: list[ComparedActivity]

    def _only(self, side: str) -> int:
        return sum(pair.only == side for row in self.rows for pair in row.pairs)

    @property
    def only_a(self) -> int:
        return self._only("a")

    @property
    def only_b(self) -> int:
        return self._only("b")


def framework_comparison(
    a: Framework, b: Framework, *, state: State | None = None
) -> FrameworkComparison:
    """Two matrices position by position, now or as they stood in `state` (three queries:
    levels, activities, cells, the cells as linked `GridCell`s; six at a release, whose
    relations are loaded apart)."""
    levels = list(objects_of(EngagementLevel, state).order_by("ordinal"))
    activities = list(objects_of(Activity, state).order_by("ordinal"))
    cells: dict[tuple[int, int, int], PlacedCell] = {}
    if state is None:
        level_of = {level.pk: level for level in levels}
        activity_of = {activity.pk: activity for activity in activities}
        framework_of = {a.pk: a, b.pk: b}
        cell_link = linker("engagement:cell-detail", "slug", "activity", "level")
        for cell in grid_cells(Cell.objects.filter(framework__in=[a, b]).grid_rows()):
            framework = framework_of[cell.framework_id]
            activity, level = activity_of[cell.activity_id], level_of[cell.level_id]
            cell.framework, cell.activity, cell.level = framework, activity, level
            cell.url = cell_link(slug=framework.slug, activity=activity.slug, level=level.slug)
            cells[(cell.framework_id, cell.activity_id, cell.level_id)] = cell
    else:
        found = state.objects(Cell).filter(framework_id__in=[a.pk, b.pk])
        for cell in found.prefetch_state("framework", "activity", "level"):
            cell.url = cell.get_absolute_url()
            cells[(cell.framework_id, cell.activity_id, cell.level_id)] = cell
    rows = [
        ComparedActivity(
            activity,
            [
                ComparedCell(
                    level,
                    cells.get((a.pk, activity.pk, level.pk)),
                    cells.get((b.pk, activity.pk, level.pk)),
                )
                for level in levels
            ],
        )
        for activity in activities
    ]
    return FrameworkComparison(a, b, levels, rows)
