"""Writes to frameworks and their cells. Each is atomic and validates first."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.db.models.functions import Lower
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

from core.scopes import scopes_move
from core.text import stored_text_problem
from core.writes import changed_fields
from engagement import drafting
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
from sources.models import Citation, CitationRole, Document
from sources.tables import NotATable, Table, document_table


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
# Slugs that name a route under /api/v1/frameworks/, so never a framework's.
RESERVED_SLUGS = frozenset({"drafts"})


def _framework_texts_check(values: dict) -> None:
    errors = {
        name: [problem]
        for name in _FRAMEWORK_TEXTS
        if isinstance(values.get(name), str)
        for problem in [stored_text_problem(values[name])]
        if problem
    }
    if values.get("slug") in RESERVED_SLUGS:
        errors.setdefault("slug", []).append(
            f"“{values['slug']}” names a route of the API; choose another slug."
        )
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


@dataclass(frozen=True)
class TableDraft:
    """What the draft of a table would be, read but not written: the table, its columns
    with the levels proposed, and the levels to choose from."""

    table: Table
    columns: tuple[drafting.Column, ...]
    levels: tuple[EngagementLevel, ...]


def table_draft_read(*, document: Document, table: str) -> TableDraft:
    """The table of `document` that holds the passage `table`, its columns and the levels
    their headings name; a ValidationError on `table` when it names no table with a header
    row."""
    try:
        found = document_table(document, table)
    except NotATable as error:
        raise ValidationError({"table": [str(error)]}) from None
    levels = tuple(EngagementLevel.objects.order_by("ordinal"))
    rows = [drafting.Row(row.shown, row.is_table_header) for row in found.rows]
    try:
        headings = drafting.headings_of(rows)
    except drafting.DraftError as error:
        raise ValidationError({error.field: [error.message]}) from None
    named = [drafting.Level(level.slug, level.name) for level in levels]
    return TableDraft(found, drafting.columns_proposed(headings, named), levels)


@transaction.atomic
def framework_draft(
    *,
    document: Document,
    table: str,
    levels: Mapping[str, str | None] | None = None,
    institutions: Iterable[Institution] = (),
    slug: str = "",
    name: str = "",
    changed_by=None,
) -> Framework:
    """A draft framework from a table of `document` (`table`: the anchor of any of its
    rows), as `engagement.drafting` plans it: existing activities by name or slug, new ones
    created, every body cell a cell of a level column, each cell's words cited in its row.

    Validated whole before anything is written (a ValidationError naming `table`, `levels`
    or `slug`); the history of every row written names `changed_by`."""
    read = table_draft_read(document=document, table=table)
    rows = read.table.rows
    try:
        plan = drafting.draft_plan(
            [drafting.Row(row.shown, row.is_table_header) for row in rows],
            anchors=[row.anchor for row in rows],
            levels=[drafting.Level(level.slug, level.name) for level in read.levels],
            mapping=levels,
            before=read.table.before,
            after=read.table.after,
        )
    except drafting.DraftError as error:
        raise ValidationError({error.field: [error.message]}) from None
    framework = _draft_framework(document, read.table, slug=slug, name=name)
    framework._history_user = changed_by  # type: ignore[attr-defined]
    framework.save()
    members = list(institutions)
    if members:
        framework.institutions.set(members)
    activities = _draft_activities(plan, rows, changed_by=changed_by)
    by_level = {level.slug: level for level in read.levels}
    cells = [
        Cell(
            framework=framework,
            activity=activities[cell.row],
            level=by_level[cell.level],
            kind=CellKind.VERBATIM if cell.text else CellKind.EMPTY,
            evidence=CellEvidence.STATED if cell.text else CellEvidence.NONE_STATED,
            text=cell.text,
        )
        for cell in plan.cells
    ]
    for cell in cells:
        cell.full_clean(
            exclude=["framework", "activity", "level"],
            validate_unique=False,
            validate_constraints=False,
        )
    reason = f"drafted from {document.slug}#{rows[0].anchor}"
    cells = bulk_create_with_history(
        cells, Cell, default_user=changed_by, default_change_reason=reason
    )
    quotes = [
        (cell, rows[planned.row], planned.quote)
        for cell, planned in zip(cells, plan.cells, strict=True)
        if planned.quote is not None
    ]
    _draft_citations(quotes, changed_by=changed_by, reason=reason)
    return framework


def _draft_framework(document: Document, table: Table, *, slug: str, name: str) -> Framework:
    """The draft's framework, validated, not yet saved: `slug` and `name` as given, or
    made from the document and the table's caption (the slug made free with a number)."""
    title = table.caption or table.key
    if not name:
        name = f"{title} ({document.title})"[:200]
    values = {
        "slug": slug,
        "name": name,
        "description": f"Drafted from {title} of {document.title}.",
    }
    _framework_texts_check(values)
    if not slug:
        base = slugify(f"{document.slug}-{table.key}")[:90].strip("-")
        taken = set(Framework.objects.filter(slug__startswith=base).values_list("slug", flat=True))
        values["slug"] = drafting.free_slug(base, taken)
    framework = Framework(**values, document=document, status=FrameworkStatus.DRAFT)
    framework.full_clean()
    return framework


def _draft_activities(plan: drafting.Plan, rows, *, changed_by=None) -> dict[int, Activity]:
    """Each body row's activity (by the row's index): an existing one its name or slug
    names, or a new one after the others, cited to the row's first cell."""
    names = [row.name for row in plan.rows]
    keys = {drafting.normalised(name) for name in names}
    slugs = {slugify(name) for name in names}
    existing = list(
        Activity.objects.annotate(lowered=Lower("name"))
        .filter(Q(slug__in=slugs) | Q(lowered__in={key.lower() for key in keys}))
        .only("slug", "name")
    )
    matched = drafting.activities_matched(names, [(a.slug, a.name) for a in existing])
    by_slug = {activity.slug: activity for activity in existing}
    new = [row for row, slug in zip(plan.rows, matched, strict=True) if slug is None]
    created: list[Activity] = []
    if new:
        bases = {slugify(row.name)[:90] or "activity" for row in new}
        taken = set(
            Activity.objects.filter(
                reduce(or_, (Q(slug__startswith=base) for base in bases))
            ).values_list("slug", flat=True)
        )
        ordinal = Activity.objects.aggregate(last=Max("ordinal"))["last"] or 0
        created = [
            Activity(name=row.name, slug=drafting.free_slug(row.name, taken), ordinal=ordinal + n)
            for n, row in enumerate(new, start=1)
        ]
        for activity in created:
            activity.full_clean(validate_unique=False, validate_constraints=False)
        created = bulk_create_with_history(
            created, Activity, default_user=changed_by, default_change_reason="drafted"
        )
        _draft_citations(
            [(a, rows[row.index], row.quote) for a, row in zip(created, new, strict=True)],
            changed_by=changed_by,
            reason="drafted",
        )
    made = iter(created)
    return {
        row.index: by_slug[slug] if slug is not None else next(made)
        for row, slug in zip(plan.rows, matched, strict=True)
    }


def _draft_citations(quotes, *, changed_by=None, reason: str = "") -> list[Citation]:
    """Cite each claim to its row, at its quote (`(claim, passage, sources.quotes.Anchor)`)."""
    citations = []
    for claim, passage, quote in quotes:
        citation = Citation(
            content_type=ContentType.objects.get_for_model(claim),
            object_id=claim.pk,
            role=CitationRole.SOURCE,
            passage=passage,
            exact=quote.exact,
            prefix=quote.prefix,
            suffix=quote.suffix,
            start=quote.start,
            end=quote.end,
        )
        # Not its foreign keys (a query each): the claim and passage were just read or written.
        citation.full_clean(
            exclude=["content_type", "passage"], validate_unique=False, validate_constraints=False
        )
        citations.append(citation)
    return bulk_create_with_history(
        citations, Citation, default_user=changed_by, default_change_reason=reason
    )
