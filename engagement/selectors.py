"""Reads that the framework's pages, their exports and the API share.

A rule the user sees (which cells a filter keeps, which rows the grid then shows, how two
matrices compare) is written here once; the matrix page, every export of it and the
comparison page ask these functions and so always answer the same query with the same rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import Model, Prefetch, Q, QuerySet
from django.http import QueryDict
from django.shortcuts import get_object_or_404

from core.at_release import PARAMETER as RELEASE
from core.history import State, objects_of
from core.links import linker
from core.paging import Page, filtered, only_parameters, paginate
from engagement.filters import CellFilter, FrameworkFilter
from engagement.grid import GridPage, grid_cells_with_sources, grid_page
from engagement.matrix import (
    Matrix,
    PlacedCell,
    add_source_links,
    build_matrix,
    grid_cells,
    place_cells,
)
from engagement.models import Activity, Cell, CellKind, EngagementLevel, Framework
from sources.models import Citation, claim_citations_prefetch

# Each selector reads the current state when `state` is None, else the state of the
# knowledge base at a release (`core.history.State`): a page asks once, either way.

Claim = TypeVar("Claim", bound=Model)
QS = TypeVar("QS", bound=QuerySet)


def levels_in_order(state: State | None = None) -> list[EngagementLevel]:
    return list(objects_of(EngagementLevel, state).order_by("ordinal"))


def activities_in_order(state: State | None = None) -> list[Activity]:
    return list(objects_of(Activity, state).order_by("ordinal"))


def claim_with_citations(model: type[Claim], *, slug: str, state: State | None = None) -> Claim:
    """The activity or level `slug` with its citations in their passages and documents; a
    404 where there is none (or was none in `state`)."""
    if state is None:
        queryset = model._default_manager.prefetch_related(claim_citations_prefetch())
    else:
        queryset = state.objects(model).prefetch_state("citations__passage__document")
    return get_object_or_404(queryset, slug=slug)


def framework_with_source(slug: str, *, state: State | None = None) -> Framework:
    """A framework with its source and institutions; a 404 where there is none (or was
    none in `state`). (Now, the matrix page reads it in plain SQL: `engagement.grid`.)"""
    if state is None:
        return get_object_or_404(Framework.objects.for_index(), slug=slug)
    return get_object_or_404(
        state.objects(Framework).prefetch_state("document", "institutions"), slug=slug
    )


def cells_of(state: State | None = None, **filters) -> Iterable[PlacedCell]:
    """The cells `filters` (on the cells' own columns) choose: now as `GridCell` rows, in
    `state` as the cells stood then. Neither is placed yet (`matrix.place_cells`)."""
    if state is None:
        return grid_cells(Cell.objects.filter(**filters).grid_rows())
    return state.objects(Cell).filter(**filters)


def listed_frameworks(params: QueryDict, *, state: State | None, per_page: int, path: str) -> Page:
    """The frameworks an activity or level page lists: filtered (institution, source, name)
    and a page at a time; in `state`, every framework of then, a page at a time."""
    if state is not None:
        only_parameters(params, allowed=("page", RELEASE))
        frameworks = list(state.objects(Framework).order_by("ordinal", "name"))
        return paginate(frameworks, params, per_page=per_page, path=path)
    filterset = filtered(
        FrameworkFilter,
        params,
        Framework.objects.order_by("ordinal", "name"),
        allowed=(RELEASE,),
    )
    return paginate(filterset.qs, params, per_page=per_page, path=path)


def framework_cards(params: QueryDict, *, per_page: int, path: str) -> Page:
    """The frameworks index's page, filtered (institution, source, name), its items card
    rows: values with their URLs (`core.links.linker`) and their institutions in one more
    query, no model instance per framework. Drafts are hidden as the default manager hides
    them (the values are read through it)."""
    filterset = filtered(FrameworkFilter, params, Framework.objects.order_by("ordinal", "name"))
    rows = filterset.qs.values(
        "pk", "slug", "name", "description", "document__slug", "document__title"
    )
    page = paginate(rows, params, per_page=per_page, path=path)
    framework_url = linker("engagement:framework-detail", "slug")
    document_url = linker("sources:document-detail", "slug")
    institution_url = linker("institutions:institution-detail", "slug")
    institutions: dict[int, list[tuple[str, str]]] = {}
    for framework_id, slug, name in (
        Framework.institutions.through.objects.filter(
            framework_id__in=[row["pk"] for row in page.items]
        )
        .order_by("institution__name", "institution_id")
        .values_list("framework_id", "institution__slug", "institution__name")
    ):
        institutions.setdefault(framework_id, []).append((institution_url(slug=slug), name))
    for row in page.items:
        row["url"] = framework_url(slug=row["slug"])
        row["document_url"] = document_url(slug=row["document__slug"])
        row["institutions"] = institutions.get(row["pk"], [])
    return page


@dataclass(frozen=True)
class MatrixPage:
    """What a matrix page shows around its grid: the framework, its source's URL, its
    institutions, the levels and the activities in order, each carrying its page's `url`.
    Now they are the plain objects of `engagement.grid` (`grid` the page read there); at a
    release, the models as they stood then."""

    framework: Any
    document_url: str
    institutions: Sequence[Any]
    levels: list[Any]
    activities: list[Any]
    grid: GridPage | None = None


def matrix_page(slug: str, *, state: State | None = None) -> MatrixPage | None:
    """The matrix page of the framework `slug`; None where there is none (or was none in
    `state`)."""
    if state is None:
        page = grid_page(slug)
        if page is None:
            return None
        framework = page.framework
        return MatrixPage(
            framework,
            framework.document.url,
            framework.institutions,
            page.levels,
            page.activities,
            grid=page,
        )
    found = list(
        state.objects(Framework).filter(slug=slug).prefetch_state("document", "institutions")
    )
    if not found:
        return None
    (framework,) = found
    return MatrixPage(
        framework,
        framework.document.get_absolute_url(),
        linked(framework.institutions.all()),
        linked(levels_in_order(state)),
        linked(activities_in_order(state)),
    )


def matrix_page_cells(
    page: MatrixPage, filterset: CellFilter | None, *, state: State | None = None
) -> tuple[list[PlacedCell], set[int]]:
    """The cells of the page's framework that a valid `filterset` keeps (all without one),
    placed for the page and with their source links; and the ids of the documents those
    point into. Now in one query of plain SQL (`engagement.grid`)."""
    if filterset is not None and filterset.qs.query.is_empty():
        # A keyword with nothing to search for chooses no cell: a query with no SQL.
        return [], set()
    if page.grid is not None:
        only = None
        if filterset is not None:
            only = filterset.qs.values("pk").order_by().query.sql_with_params()
        rows, documents = grid_cells_with_sources(page.grid, only=only)
        cells: list[PlacedCell] = list(rows)
        return cells, documents
    assert state is not None, "a page read now has its grid"
    found = (
        filterset.qs if filterset is not None else cells_of(state, framework_id=page.framework.pk)
    )
    grid = place_cells(
        found, frameworks=[page.framework], activities=page.activities, levels=page.levels
    )
    cells = [cell for row in grid.get(page.framework.pk, {}).values() for cell in row.values()]
    return cells, add_source_links(cells, state=state)


def linked(objects: Iterable[Model]) -> list[Any]:
    """`objects` with their page's URL as `url` (at a release, keeping it)."""
    objects = list(objects)
    for obj in objects:
        obj.url = obj.get_absolute_url()  # type: ignore[attr-defined]
    return objects


def cell_with_neighbours(
    *, slug: str, activity: str, level: str, state: State | None = None
) -> tuple[Cell, list[Cell]]:
    """A cell with its citations in their passages, its framework (source, institutions),
    and the other cells of its row and column; a 404 where there is none (or was none in
    `state`)."""
    if state is not None:
        cell = _cell_at(state, slug=slug, activity=activity, level=level)
        neighbours = list(
            _row_and_column(state.objects(Cell), cell).prefetch_state("activity", "level")
        )
        for neighbour in neighbours:
            neighbour.framework = cell.framework
        return cell, neighbours
    cell = get_object_or_404(
        Cell.objects.select_related("framework__document", "activity", "level")
        .defer("framework__document__text")
        .prefetch_related(
            Prefetch("citations", queryset=Citation.objects.with_passage().order_by("role", "pk")),
            "framework__institutions",
        ),
        framework__slug=slug,
        activity__slug=activity,
        level__slug=level,
    )
    around = _row_and_column(Cell.objects.all(), cell)
    return cell, list(around.select_related("framework", "activity", "level"))


def _row_and_column(cells: QS, cell: Cell) -> QS:
    """The other cells of `cell`'s row and column, in the grid's order."""
    return (
        cells.filter(framework_id=cell.framework_id)
        .filter(Q(activity_id=cell.activity_id) | Q(level_id=cell.level_id))
        .exclude(pk=cell.pk)
        .order_by("activity__ordinal", "level__ordinal")
    )


def cell_to_cite(*, slug: str, activity: str, level: str, state: State | None = None) -> Cell:
    """A cell with its citations in their passages, its framework and source, as
    `engagement.cell_references` reads them; a 404 where there is none (or was none in
    `state`)."""
    if state is not None:
        return _cell_at(state, slug=slug, activity=activity, level=level)
    return get_object_or_404(
        Cell.objects.for_list()
        .select_related("framework__document")
        .defer("framework__document__text"),
        framework__slug=slug,
        activity__slug=activity,
        level__slug=level,
    )


def _cell_at(state: State, *, slug: str, activity: str, level: str) -> Cell:
    framework = framework_with_source(slug, state=state)
    activity_at: Activity = get_object_or_404(state.objects(Activity), slug=activity)
    level_at: EngagementLevel = get_object_or_404(state.objects(EngagementLevel), slug=level)
    cell: Cell = get_object_or_404(
        state.objects(Cell).prefetch_state("citations__passage__document"),
        framework_id=framework.pk,
        activity_id=activity_at.pk,
        level_id=level_at.pk,
    )
    cell.framework, cell.activity, cell.level = framework, activity_at, level_at
    return cell


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
    narrowed = bool(
        data.get("kind")
        or data.get("evidence")
        or (data.get("q") or "").strip()
        or data.get("emphasised")
    )
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
    """Two matrices position by position, now or as they stood in `state`; the cells placed
    with the levels and activities read here."""
    levels, activities = levels_in_order(state), activities_in_order(state)
    grid = place_cells(
        cells_of(state, framework_id__in=[a.pk, b.pk]),
        frameworks=[a, b],
        activities=activities,
        levels=levels,
    )
    grid_a, grid_b = grid.get(a.pk, {}), grid.get(b.pk, {})
    rows = [
        ComparedActivity(
            activity,
            [
                ComparedCell(
                    level,
                    grid_a.get(activity.pk, {}).get(level.pk),
                    grid_b.get(activity.pk, {}).get(level.pk),
                )
                for level in levels
            ],
        )
        for activity in activities
    ]
    return FrameworkComparison(a, b, levels, rows)
