"""Writes to frameworks and their cells. Each is atomic and validates first."""

from __future__ import annotations

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from engagement.models import Activity, Cell, CellKind, EngagementLevel, Framework


@transaction.atomic
def framework_cells_complete(*, framework: Framework, changed_by=None) -> list[Cell]:
    """Give `framework` a cell for every activity and level it lacks, as an empty cell.

    An empty cell is data (the source is silent there) until an editor fills it with text
    and a citation. Returns the cells created.
    """
    taken = set(Cell.objects.filter(framework=framework).values_list("activity_id", "level_id"))
    cells = [
        Cell(framework=framework, activity=activity, level=level, kind=CellKind.EMPTY, text="")
        for activity in Activity.objects.order_by("ordinal")
        for level in EngagementLevel.objects.order_by("ordinal")
        if (activity.pk, level.pk) not in taken
    ]
    for cell in cells:
        cell.full_clean()
    return bulk_create_with_history(
        cells,
        Cell,
        default_user=changed_by,
        default_change_reason=f"grid completed for {framework.slug}",
    )
