"""The matrix page's reads, in two queries of plain SQL.

The matrix is the page read most, and uncached after every edit. Through the ORM it took
seven queries, and building each query cost Django several times what running it costs the
database (0.3 ms to compile the citations' query, 0.07 ms to run it), and a model instance
per cell, level and activity. Here:
1. `grid_page()`: the framework with its source document, its institutions, the levels and
   the activities, in one UNION ALL, as plain objects that carry their page's URL;
2. `grid_cells_with_sources()`: the framework's cells (those a filter kept, when one is
   given as a subquery) with their source citations joined, as `GridCell`s linked for the
   page.
The SQL is the same on PostgreSQL and SQLite, and only reads; the rest of the page (the
grid, the pictures) is built by `engagement.matrix` and `engagement.charts` as before, and
`tests/pages/test_grid.py` holds these reads equal to the ORM's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.db import connection

from core.links import link, linker
from core.visibility import private_hidden
from engagement.matrix import SHOWN_START, GridCell, SourceLink, place_cells
from engagement.models import Activity, Cell, EngagementLevel, Framework, FrameworkStatus
from institutions.models import Institution
from sources.models import (
    Citation,
    CitationRole,
    Document,
    Passage,
    citation_url,
    passage_place,
    reader_url,
)


class _Linked:
    """A plain object that carries its page's URL, and answers it as a model would."""

    __slots__ = ()
    url: str

    def get_absolute_url(self) -> str:
        return self.url


@dataclass(frozen=True, slots=True)
class Entry(_Linked):
    """A level, an activity or an institution as the page shows it: names and its link."""

    pk: int
    slug: str
    name: str
    ordinal: int
    url: str


@dataclass(frozen=True, slots=True)
class GridDocument(_Linked):
    pk: int
    slug: str
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class GridFramework:
    """A framework as its matrix page shows it, with its source and institutions."""

    pk: int
    slug: str
    name: str
    description: str
    document: GridDocument
    institutions: tuple[Entry, ...]
    status: str = FrameworkStatus.PUBLISHED

    @property
    def is_draft(self) -> bool:
        return self.status == FrameworkStatus.DRAFT

    @property
    def document_id(self) -> int:
        return self.document.pk

    def get_absolute_url(self) -> str:
        return link("engagement:framework-detail", slug=self.slug)


@dataclass(frozen=True)
class GridPage:
    framework: GridFramework
    levels: list[Entry]
    activities: list[Entry]


class _PageRow(NamedTuple):
    part: str
    id: int
    slug: str
    name: str
    ordinal: int
    description: str | None
    document_id: int | None
    document_slug: str | None
    document_title: str | None
    status: str | None


def _table(model) -> str:
    return model._meta.db_table


def grid_page(slug: str) -> GridPage | None:
    """The framework `slug` with its document and institutions, and the levels and
    activities in order; None when there is no such framework, or it is a draft and drafts
    are hidden (`core.visibility`) (one query)."""
    framework, document = _table(Framework), _table(Document)
    through = _table(Framework.institutions.through)
    institution = _table(Institution)
    params: list = [slug, slug]
    shown, activities = "", ""
    if private_hidden():
        # Drafts, and the activities only drafts hold, as the models' managers leave them out.
        shown = " AND f.status = %s"
        params = [slug, FrameworkStatus.PUBLISHED, slug]
        visible, visible_params = Activity.objects.values("id").query.sql_with_params()
        activities = f" WHERE id IN ({visible})"
        params.extend(visible_params)
    sql = (
        "SELECT 'framework' AS part, f.id, f.slug, f.name, f.ordinal, f.description, "
        "d.id AS document_id, d.slug AS document_slug, d.title AS document_title, f.status "
        f"FROM {framework} f JOIN {document} d ON d.id = f.document_id WHERE f.slug = %s{shown} "
        "UNION ALL SELECT 'institution', i.id, i.slug, i.name, 0, NULL, NULL, NULL, NULL, NULL "
        f"FROM {institution} i JOIN {through} fi ON fi.institution_id = i.id "
        f"JOIN {framework} f ON f.id = fi.framework_id WHERE f.slug = %s "
        "UNION ALL SELECT 'level', id, slug, name, ordinal, NULL, NULL, NULL, NULL, NULL "
        f"FROM {_table(EngagementLevel)} "
        "UNION ALL SELECT 'activity', id, slug, name, ordinal, NULL, NULL, NULL, NULL, NULL "
        f"FROM {_table(Activity)}{activities}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [_PageRow(*row) for row in cursor.fetchall()]
    found = [row for row in rows if row.part == "framework"]
    if not found:
        return None
    (row,) = found
    level_link = linker("engagement:level-detail", "slug")
    activity_link = linker("engagement:activity-detail", "slug")
    institution_link = linker("institutions:institution-detail", "slug")

    def entries(part: str, make) -> list[Entry]:
        chosen = sorted(
            (r for r in rows if r.part == part), key=lambda r: (r.ordinal, r.name, r.id)
        )
        return [Entry(r.id, r.slug, r.name, r.ordinal, make(slug=r.slug)) for r in chosen]

    assert row.document_id is not None and row.document_slug and row.document_title is not None
    return GridPage(
        framework=GridFramework(
            pk=row.id,
            slug=row.slug,
            name=row.name,
            description=row.description or "",
            document=GridDocument(
                row.document_id,
                row.document_slug,
                row.document_title,
                reader_url(row.document_slug),
            ),
            # Institutions in name order, as their model orders them.
            institutions=tuple(entries("institution", institution_link)),
            status=row.status or FrameworkStatus.PUBLISHED,
        ),
        levels=entries("level", level_link),
        activities=entries("activity", activity_link),
    )


def grid_cells_with_sources(
    page: GridPage, *, only: tuple[str, list] | None = None
) -> tuple[list[GridCell], set[int]]:
    """The framework's cells, placed and linked for the page, each with its source links;
    and the ids of the documents those point into (one query). `only`, a subquery of cell
    ids with its parameters, keeps the cells a filter chose."""
    cell, citation, passage, document = (
        _table(Cell),
        _table(Citation),
        _table(Passage),
        _table(Document),
    )
    params: list = [ContentType.objects.get_for_model(Cell).pk, CitationRole.SOURCE]
    params.append(page.framework.pk)
    chosen = ""
    if only is not None:
        chosen = f" AND c.id IN ({only[0]})"
        params.extend(only[1])
    sql = (
        "SELECT c.id, c.framework_id, c.activity_id, c.level_id, c.kind, c.text, c.emphasised, "
        "c.evidence, "
        "ci.id, p.anchor, d.slug, d.id, p.page, p.section, p.kind, "
        f"substr(p.shown, 1, {SHOWN_START}), d.title "
        f"FROM {cell} c LEFT JOIN {citation} ci ON ci.object_id = c.id "
        "AND ci.content_type_id = %s AND ci.role = %s "
        f"LEFT JOIN {passage} p ON p.id = ci.passage_id "
        f"LEFT JOIN {document} d ON d.id = p.document_id "
        f"WHERE c.framework_id = %s{chosen} ORDER BY c.id, ci.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    cells: dict[int, GridCell] = {}
    documents: set[int] = set()
    for pk, framework_id, activity_id, level_id, kind, text, emphasised, evidence, *source in rows:
        grid_cell = cells.get(pk)
        if grid_cell is None:
            grid_cell = cells[pk] = GridCell(
                pk, framework_id, activity_id, level_id, kind, text, bool(emphasised), evidence
            )
        citation_id, anchor, document_slug, document_id, reader_page, *where, title = source
        if citation_id is None:
            continue
        url = citation_url(document_slug, citation_id, anchor, reader_page)
        section, passage_kind, shown = where
        grid_cell.source_links.append(
            SourceLink(
                anchor,
                url,
                passage_place(section=section, kind=passage_kind, shown=shown, anchor=anchor),
                document_id,
                title,
            )
        )
        documents.add(document_id)
    place_cells(
        cells.values(), frameworks=[page.framework], activities=page.activities, levels=page.levels
    )
    return list(cells.values()), documents
