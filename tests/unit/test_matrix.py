"""`engagement.matrix.build_matrix` and `engagement.charts.counts_by_level` on plain objects."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from engagement.charts import counts_by_level
from engagement.matrix import Matrix, MatrixRow, build_matrix

FRAMEWORK = SimpleNamespace(pk=1, slug="a-and-b", name="A and B")
LEVELS = [
    SimpleNamespace(pk=pk, slug=slug, name=slug.title(), ordinal=ordinal)
    for ordinal, (pk, slug) in enumerate(
        [(11, "collaboration"), (12, "coordination"), (13, "communication")], 1
    )
]
ACTIVITIES = [
    SimpleNamespace(pk=pk, slug=f"activity-{pk}", name=f"Activity {pk}", ordinal=ordinal)
    for ordinal, pk in enumerate([21, 22, 23], 1)
]


def cell(pk: int, activity: int, level: int, kind: str = "verbatim") -> SimpleNamespace:
    return SimpleNamespace(pk=pk, activity_id=activity, level_id=level, kind=kind)


# Activity 21 has a cell at every level but the last, 22 none, 23 one empty cell.
CELLS = [cell(1, 21, 11), cell(2, 21, 12, "analyst"), cell(3, 23, 13, "empty")]


def grid(matrix: Matrix) -> list[list[int | None]]:
    return [[c.pk if c is not None else None for c in row.cells] for row in matrix.rows]


def test_cells_are_placed_by_activity_and_level():
    matrix = build_matrix(FRAMEWORK, CELLS, levels=LEVELS, activities=ACTIVITIES)
    assert matrix.framework is FRAMEWORK
    assert matrix.levels == LEVELS
    assert [row.activity for row in matrix.rows] == ACTIVITIES
    assert grid(matrix) == [[1, 2, None], [None, None, None], [None, None, 3]]


def test_rows_and_columns_follow_the_order_given_not_the_cells():
    matrix = build_matrix(
        FRAMEWORK, reversed(CELLS), levels=LEVELS[::-1], activities=ACTIVITIES[::-1]
    )
    assert grid(matrix) == [[3, None, None], [None, None, None], [None, 2, 1]]


def test_keep_empty_rows_false_drops_rows_without_a_cell():
    matrix = build_matrix(
        FRAMEWORK, CELLS, levels=LEVELS, activities=ACTIVITIES, keep_empty_rows=False
    )
    assert [row.activity.pk for row in matrix.rows] == [21, 23]
    assert grid(matrix) == [[1, 2, None], [None, None, 3]]


def test_an_empty_cell_is_a_cell_a_missing_one_is_none():
    # An `empty` cell (the source left it blank) keeps its row; no cell at all does not.
    (row,) = build_matrix(
        FRAMEWORK,
        [cell(3, 23, 13, "empty")],
        levels=LEVELS,
        activities=ACTIVITIES,
        keep_empty_rows=False,
    ).rows
    assert row.activity.pk == 23
    assert row.matching == 1


def test_cells_outside_the_levels_or_activities_given_are_left_out():
    matrix = build_matrix(
        FRAMEWORK, [*CELLS, cell(9, 99, 11), cell(8, 21, 99)], levels=LEVELS, activities=ACTIVITIES
    )
    assert grid(matrix) == [[1, 2, None], [None, None, None], [None, None, 3]]
    assert matrix.cell_count == 3


def test_counts_and_cells():
    matrix = build_matrix(FRAMEWORK, CELLS, levels=LEVELS, activities=ACTIVITIES)
    assert [row.matching for row in matrix.rows] == [2, 0, 1]
    assert matrix.cell_count == 3
    assert [c.pk for c in matrix.cells] == [1, 2, 3]


def test_placed_gives_each_cell_its_position():
    matrix = build_matrix(FRAMEWORK, CELLS, levels=LEVELS, activities=ACTIVITIES)
    placed = [(c.pk, f is FRAMEWORK, a.pk, level.pk) for c, f, a, level in matrix.placed()]
    assert placed == [(1, True, 21, 11), (2, True, 21, 12), (3, True, 23, 13)]


def test_no_cells_no_levels_no_activities():
    empty = build_matrix(FRAMEWORK, [], levels=LEVELS, activities=ACTIVITIES)
    assert grid(empty) == [[None] * 3] * 3
    assert (empty.cell_count, empty.cells, list(empty.placed())) == (0, [], [])
    assert build_matrix(FRAMEWORK, CELLS, levels=LEVELS, activities=[]).rows == []
    no_levels = build_matrix(FRAMEWORK, CELLS, levels=[], activities=ACTIVITIES)
    assert grid(no_levels) == [[], [], []]


def test_levels_may_be_any_iterable():
    matrix = build_matrix(FRAMEWORK, CELLS, levels=iter(LEVELS), activities=iter(ACTIVITIES))
    assert matrix.levels == LEVELS
    assert matrix.cell_count == 3


def test_a_matrix_row_counts_its_cells():
    assert MatrixRow(ACTIVITIES[0], [None, CELLS[0], None, CELLS[1]]).matching == 2
    assert MatrixRow(ACTIVITIES[0], []).matching == 0


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ([], {}),
        (CELLS, {11: 1, 12: 1}),  # the empty cell is not counted
        ([None, cell(1, 21, 11), None], {11: 1}),
        ([cell(1, 21, 11), cell(2, 22, 11, "analyst"), cell(3, 23, 12)], {11: 2, 12: 1}),
        ([cell(1, 21, 11, "empty"), cell(2, 22, 11, "empty")], {}),
    ],
)
def test_counts_by_level_counts_filled_cells(cells, expected):
    assert counts_by_level(cells) == expected


def test_counts_by_level_of_a_matrix_grid():
    matrix = build_matrix(FRAMEWORK, CELLS, levels=LEVELS, activities=ACTIVITIES)
    every_position = [c for row in matrix.rows for c in row.cells]
    assert counts_by_level(every_position) == {11: 1, 12: 1}
