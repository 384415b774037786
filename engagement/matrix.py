"""The matrix of a framework, built from flat queries into an {activity: {level: cell}} map."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from engagement.models import Activity, Cell, EngagementLevel, Framework


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
