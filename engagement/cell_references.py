"""A cell as a reference: one rule for its `cite.*` files and a framework's bibliography.

A cell is cited as the passage its text comes from (its `source` citation, else its first
one): that passage's pinpoint is the reference's title, the document its container, and the
link lands on the quote. An empty cell, which cites nothing, is cited as its framework's
source document, with a note that the source has no entry there. Either way the key is the
cell's own (`thurnherr2025-eu-ai-office-uk-aisi-incident-reporting-collaboration`), so two
cells of one table row are two entries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date

from engagement.models import Cell, CellKind, Framework
from sources.models import Citation, CitationRole
from sources.references import (
    Reference,
    citation_key,
    document_reference,
    passage_link,
    passage_pinpoint,
    release_fields,
    table_headers,
)


def cell_subject(cell: Cell) -> str:
    """The cell in words: "Engagement matrix “…”, Incident Reporting at Coordination"."""
    return f"Engagement matrix “{cell.framework.name}”, {cell.activity.name} at {cell.level.name}"


def primary_citation(cell: Cell) -> Citation | None:
    """The citation a cell is cited by: the source of its text, else its first."""
    citations = cell.cited
    return next((c for c in citations if c.role == CitationRole.SOURCE), None) or (
        citations[0] if citations else None
    )


def cell_reference(
    cell: Cell,
    *,
    site_url: str,
    accessed: date,
    version: int,
    headers: dict[int, str],
    release=None,
) -> Reference:
    """`cell` as a reference. Expects `Cell.objects.for_list()` with the framework's document
    loaded, and `headers` from `sources.references.table_headers` for its passages."""
    framework = cell.framework
    key = citation_key(framework.document, framework.slug, cell.activity.slug, cell.level.slug)
    citation = primary_citation(cell)
    if citation is None:
        empty = ": no entry in the source" if cell.kind == CellKind.EMPTY else ""
        reference = document_reference(
            framework.document,
            site_url=site_url,
            accessed=accessed,
            version=version,
            note=cell_subject(cell) + empty,
            release=release,
        )
        return replace(reference, key=key)
    passage = citation.passage
    return Reference(
        key=key,
        document=passage.document,
        url=passage_link(
            site_url, passage, citation.exact, prefix=citation.prefix, suffix=citation.suffix
        ),
        accessed=accessed,
        dataset_version=version,
        part=passage_pinpoint(passage, quote=citation.exact, header=headers.get(passage.pk, "")),
        note=f"{cell_subject(cell)}: “{citation.exact}”",
        page=passage.source_page,
        page_end=passage.source_page_end,
        **release_fields(release, site_url=site_url),
    )


def cell_references(
    cells: Iterable[Cell], *, site_url: str, accessed: date, version: int, release=None
) -> list[Reference]:
    """Each cell as a reference, in order; the tables' header rows in one query."""
    cells = list(cells)
    primaries = [primary_citation(cell) for cell in cells]
    headers = table_headers(c.passage for c in primaries if c is not None)
    return [
        cell_reference(
            cell,
            site_url=site_url,
            accessed=accessed,
            version=version,
            headers=headers,
            release=release,
        )
        for cell in cells
    ]


def framework_bibliography(
    framework: Framework,
    cells: Iterable[Cell],
    *,
    site_url: str,
    accessed: date,
    version: int,
    release=None,
) -> list[Reference]:
    """A framework's source document, then each of `cells` (as the page filters them), as
    they stand today or at `release`."""
    return [
        document_reference(
            framework.document,
            site_url=site_url,
            accessed=accessed,
            version=version,
            release=release,
        ),
        *cell_references(
            cells, site_url=site_url, accessed=accessed, version=version, release=release
        ),
    ]
