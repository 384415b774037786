"""Writes to frameworks and their cells. Each is atomic and validates first."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from core.scopes import scopes_move
from core.text import stored_text_problem
from core.writes import changed_fields
from engagement.models import (
    Activity,
    Cell,
    CellEvidence,
    CellKind,
    EngagementLevel,
    Framework,
    FrameworkStatus,
)
from institutions.models import Institution
from sources.models import Citation, Document


@transaction.atomic
def framework_cells_complete(*, framework: Framework, changed_by=None) -> list[Cell]:
    """Give `framework` a cell for every activity and level it lacks, as an empty cell.

    Such a cell is `not_assessed` (nobody has looked yet), told apart from a cell the source
    leaves blank (`none_stated`), until an editor fills it with text and a citation.
    Returns the cells created.
    """
    taken = set(Cell.objects.filter(framework=framework).values_list("activity_id", "level_id"))
    cells = [
        Cell(
            framework=framework,
            activity=activity,
            level=level,
            kind=CellKind.EMPTY,
            evidence=CellEvidence.NOT_ASSESSED,
            text="",
        )
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


# A framework's own text fields, checked as every stored text is (`core.text`).
_FRAMEWORK_TEXTS = ("slug", "name", "description")


def _framework_texts_check(values: dict) -> None:
    errors = {
        name: [problem]
        for name in _FRAMEWORK_TEXTS
        if isinstance(values.get(name), str)
        for problem in [stored_text_problem(values[name])]
        if problem
    }
    if errors:
        raise ValidationError(errors)


def _institutions_check(institutions) -> list[Institution]:
    institutions = list(institutions)
    if not institutions:
        raise ValidationError({"institutions": ["A framework has at least one institution."]})
    return institutions


@transaction.atomic
def framework_create(
    *,
    slug: str,
    name: str,
    document: Document,
    institutions: Iterable[Institution],
    description: str = "",
    status: str = FrameworkStatus.PUBLISHED,
    changed_by=None,
) -> Framework:
    """A new framework (a matrix without cells yet) of `institutions`, from `document`;
    a draft (`status`), seen by editors only until published, or published at once.

    Validated whole (`full_clean()`: the slug free, the lengths) before anything is written;
    `changed_by` (a user) is named in its history."""
    values = {"slug": slug, "name": name, "description": description}
    _framework_texts_check(values)
    members = _institutions_check(institutions)
    framework = Framework(**values, document=document, status=status)
    framework.full_clean()
    framework._history_user = changed_by  # type: ignore[attr-defined]
    framework.save()
    framework.institutions.set(members)
    return framework


@transaction.atomic
def framework_update(
    *,
    framework: Framework,
    slug: str | None = None,
    name: str | None = None,
    description: str | None = None,
    document: Document | None = None,
    institutions: Iterable[Institution] | None = None,
    changed_by=None,
) -> Framework:
    """`framework` with the values given (None: unchanged), validated before anything is
    written; saved only when something differs, so an identical write adds no history."""
    given = {"slug": slug, "name": name, "description": description, "document": document}
    values = {field: value for field, value in given.items() if value is not None}
    _framework_texts_check(values)
    members = None if institutions is None else _institutions_check(institutions)
    framework._history_user = changed_by  # type: ignore[attr-defined]
    if changed_fields(framework, values):
        framework.full_clean()
        framework.save()
    if members is not None and {i.pk for i in members} != set(
        framework.institutions.values_list("pk", flat=True)
    ):
        framework.institutions.set(members)
    return framework


class AlreadyPublished(Exception):
    """The framework to publish is published already."""


@transaction.atomic
def framework_publish(*, framework: Framework, changed_by=None) -> Framework:
    """Publish the draft `framework`: it, its cells, their citations and the activities only
    it held appear to everyone at once, in one transaction that writes the framework alone
    (the changes feed's one event, `status` draft -> published), named after `changed_by`.
    AlreadyPublished if it is published."""
    framework = Framework._base_manager.select_for_update().get(pk=framework.pk)
    if framework.status == FrameworkStatus.PUBLISHED:
        raise AlreadyPublished(f"The framework “{framework.slug}” is published already.")
    framework.status = FrameworkStatus.PUBLISHED
    framework._history_user = changed_by  # type: ignore[attr-defined]
    framework.full_clean()
    framework.save(update_fields=["status", "updated_at"])
    # Its activities join the shared vocabulary on every page, its name the lists of its
    # document and institutions: each page that lists them is built again.
    scopes_move(
        "vocabulary",
        "frameworks",
        "documents",
        "institutions",
        f"document:{framework.document_id}",
        *(f"institution:{pk}" for pk in framework.institutions.values_list("pk", flat=True)),
    )
    return framework


@transaction.atomic
def framework_delete(*, framework: Framework, changed_by=None) -> int:
    """Delete `framework` with its cells and their citations, all or nothing.

    A framework owns its cells (they exist only in it, as a document's passages exist
    only in it), so deleting the matrix deletes them rather than leaving a half-deleted
    one behind; every row deleted keeps its history, named after `changed_by`, and stays
    retrievable at any release made before. Returns the number of cells deleted."""
    cells = list(framework.cells.all())
    citations = list(Citation.objects.filter(cell__in=cells)) if cells else []
    for row in (*citations, *cells, framework):
        row._history_user = changed_by  # type: ignore[attr-defined]
    for citation in citations:
        citation.delete()
    for cell in cells:
        cell.delete()
    framework.delete()
    return len(cells)
