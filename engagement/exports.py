"""Exports of exactly what a page shows: a framework's (filtered) matrix and a functions comparison.

Tables are built here as rows of plain values; the writers (CSV, XLSX, Markdown) only
lay them out. Every CSV and XLSX value goes through `config.csv_safety.neutralise`, and
nothing else is changed. Large tables stream: rows come from `.iterator(chunk_size=...)`
with their citations prefetched per chunk, so queries and memory stay flat as data grows.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from config.csv_safety import neutralise
from engagement.matrix import Matrix, build_matrix
from engagement.models import Activity, Cell, EngagementLevel, Framework
from institutions.models import Function, Institution, Mandate
from sources.citing import passage_link
from sources.models import Citation

CHUNK_SIZE = 2000
# A spooled export stays in memory up to this size, then moves to a temporary file.
SPOOL_MAX_BYTES = 8 * 1024 * 1024

LICENCE_NOTE = (
    "Quotes are reproduced verbatim from the source documents for citation; the source "
    "documents remain under their publishers' terms. Cite the source document and the "
    "passage, not only this export."
)

CELL_COLUMNS = [
    "framework",
    "activity",
    "activity_name",
    "level",
    "level_name",
    "kind",
    "emphasised",
    "text",
    "citation_role",
    "document",
    "passage",
    "quote",
    "source_url",
    "permalink",
]
# Columns that hold one line per citation, in the same order in each.
CITATION_COLUMNS = ["citation_role", "document", "passage", "quote", "source_url"]

# The pages' level colours (static/css/atlas.css); the level's name is always written in
# the header, never colour alone.
LEVEL_FILLS = {
    "collaboration": "DBEAFE",
    "coordination": "DCFCE7",
    "communication": "FEF3C7",
    "separation": "FDE2E2",
}


@dataclass(frozen=True)
class ExportMeta:
    """The provenance every export carries."""

    title: str
    dataset_version: int
    exported_at: datetime
    site_url: str  # e.g. "https://atlas.example/"
    page_url: str  # the page this export reproduces, with its query string
    filters: dict[str, str] = field(default_factory=dict)

    @property
    def filter_text(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.filters.items()) or "none (every cell)"

    def as_dict(self) -> dict:
        return {
            "title": self.title,
            "dataset_version": self.dataset_version,
            "exported_at": self.exported_at.isoformat(),
            "page": self.page_url,
            "filters": self.filters,
            "licence": LICENCE_NOTE,
        }


def export_cells(framework: Framework):
    """The queryset an export filters: a framework's cells as the API serializes them."""
    return Cell.objects.for_list().filter(framework=framework)


def export_matrix(framework: Framework, filterset, cells: Iterable[Cell]) -> Matrix:
    """The grid the matrix page shows for this filter (FrameworkDetailView's rules)."""
    data = filterset.form.cleaned_data
    levels = data.get("level") or EngagementLevel.objects.order_by("ordinal")
    activities = data.get("activity") or Activity.objects.order_by("ordinal")
    narrowed = any(data.get(name) for name in ("kind", "q")) or data.get("emphasised") is not None
    return build_matrix(
        framework,
        cells,
        levels=sorted(levels, key=lambda level: level.ordinal),
        activities=sorted(activities, key=lambda activity: activity.ordinal),
        keep_empty_rows=not narrowed,
    )


def _absolute(site_url: str, path: str) -> str:
    return site_url.rstrip("/") + path


def citation_url(site_url: str, citation: Citation) -> str:
    """The reader at the cited passage, the quote highlighted by a text fragment."""
    return passage_link(site_url, citation.passage, citation.exact)


def cell_row(cell: Cell, *, site_url: str) -> list[str]:
    """One cell as the long table's values (unguarded; writers neutralise)."""
    citations = cell.cited
    lines = {
        "citation_role": [c.role for c in citations],
        "document": [c.passage.document.slug for c in citations],
        "passage": [c.passage.anchor for c in citations],
        "quote": [c.exact for c in citations],
        "source_url": [citation_url(site_url, c) for c in citations],
    }
    return [
        cell.framework.slug,
        cell.activity.slug,
        cell.activity.name,
        cell.level.slug,
        cell.level.name,
        cell.kind,
        "true" if cell.emphasised else "false",
        cell.text,
        *("\n".join(lines[name]) for name in CITATION_COLUMNS),
        _absolute(site_url, cell.get_absolute_url()),
    ]


def iter_cells(queryset) -> Iterator[Cell]:
    """Cells in chunks, each chunk's citations prefetched in one query."""
    return queryset.iterator(chunk_size=CHUNK_SIZE)


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: list[str], rows: Iterable[list], *, bom: bool = False) -> Iterator[bytes]:
    """RFC 4180 CSV (CRLF, minimal quoting), UTF-8; with `bom` the variant Excel on Windows reads."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    first = writer.writerow([neutralise(value) for value in header])
    yield (("\ufeff" if bom else "") + first).encode("utf-8")
    for row in rows:
        yield writer.writerow([neutralise(value) for value in row]).encode("utf-8")


def xlsx_text(value) -> str:
    """`value` as an XLSX cell holds it: line breaks as "\n", then guarded against formulas.

    An XLSX sheet is XML, and every XML reader turns "\r\n" and "\r" into "\n" (XML 1.0,
    section 2.11); writing "\n" ourselves makes that explicit, and the guard is then
    decided on the text a reader will see.
    """
    text = "" if value is None else str(value)
    return neutralise(text.replace("\r\n", "\n").replace("\r", "\n"))


def _text_cell(sheet, value, *, bold: bool = False, fill: str | None = None, wrap: bool = True):
    """A cell that holds `value` as a string, never a formula, whatever it starts with."""
    cell = WriteOnlyCell(sheet, value=xlsx_text(value))
    cell.data_type = "s"
    if wrap:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    if bold:
        cell.font = Font(bold=True)
    if fill:
        cell.fill = PatternFill("solid", start_color=fill, end_color=fill)
    return cell


def _sheet(workbook: Workbook, title: str, widths: list[int], *, freeze: str | None = "A2"):
    sheet = workbook.create_sheet(title)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    if freeze:
        sheet.freeze_panes = freeze
    return sheet


def _about_sheet(workbook: Workbook, meta: ExportMeta, extra: list[tuple[str, str]]) -> None:
    sheet = _sheet(workbook, "about", [22, 100], freeze=None)
    rows = [
        ("Title", meta.title),
        ("Filter", meta.filter_text),
        ("Dataset version", str(meta.dataset_version)),
        ("Exported at", meta.exported_at.isoformat()),
        ("Page", meta.page_url),
        *extra,
        ("Licence", LICENCE_NOTE),
    ]
    for label, value in rows:
        sheet.append([_text_cell(sheet, label, bold=True), _text_cell(sheet, value)])


def _spool(workbook: Workbook):
    # Handed to FileResponse, which closes it once sent.
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_BYTES)  # noqa: SIM115
    workbook.save(spool)
    spool.seek(0)
    return spool


def _grid_label(cell: Cell | None) -> str:
    if cell is None:
        return "Not addressed"
    if cell.kind == "empty":
        return "No entry in the source"
    return cell.text + ("\n\n★ Emphasised by the source" if cell.emphasised else "")


def framework_xlsx(
    framework: Framework, filterset, queryset, *, meta: ExportMeta, how_to_cite: str
):
    """The matrix as a workbook: grid, long table, sources, about. Returns a file to stream."""
    workbook = Workbook(write_only=True)
    grid = _sheet(workbook, "matrix", [34, 40, 40, 40, 40], freeze="B2")
    cells_sheet = _sheet(
        workbook, "cells", [22, 26, 30, 14, 14, 10, 11, 50, 14, 30, 30, 50, 60, 60]
    )
    sources = _sheet(workbook, "sources", [26, 14, 12, 50, 30, 30, 40, 60, 60])
    _about_sheet(
        workbook,
        meta,
        [
            ("Framework", framework.name),
            ("Source document", framework.document.title),
            ("How to cite", how_to_cite),
        ],
    )
    cells_sheet.append([_text_cell(cells_sheet, name, bold=True) for name in CELL_COLUMNS])
    source_header = [
        "activity",
        "level",
        "citation_role",
        "document_title",
        "document",
        "passage",
        "section",
        "quote",
        "source_url",
    ]
    sources.append([_text_cell(sources, name, bold=True) for name in source_header])
    kept: list[Cell] = []
    for cell in iter_cells(queryset):
        kept.append(cell)
        cells_sheet.append(
            [_text_cell(cells_sheet, v) for v in cell_row(cell, site_url=meta.site_url)]
        )
        for citation in cell.cited:
            passage = citation.passage
            values = [
                cell.activity.name,
                cell.level.name,
                citation.role,
                passage.document.title,
                passage.document.slug,
                passage.anchor,
                passage.section,
                citation.exact,
                citation_url(meta.site_url, citation),
            ]
            sources.append([_text_cell(sources, v) for v in values])

    matrix = export_matrix(framework, filterset, kept)
    header = [_text_cell(grid, "Common activity", bold=True)]
    header += [
        _text_cell(grid, level.name, bold=True, fill=LEVEL_FILLS.get(level.slug))
        for level in matrix.levels
    ]
    grid.append(header)
    for row in matrix.rows:
        values = [_text_cell(grid, row.activity.name, bold=True)]
        values += [
            _text_cell(grid, _grid_label(cell), fill=LEVEL_FILLS.get(level.slug))
            for level, cell in zip(matrix.levels, row.cells, strict=True)
        ]
        grid.append(values)
    return _spool(workbook)


def _md_escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\").replace("|", "\\|").replace("\r\n", "\n").replace("\n", "<br>")
    )


def framework_markdown(matrix: Matrix, *, meta: ExportMeta, how_to_cite: str) -> str:
    """A pipe table of the grid, each cell's citations as numbered footnotes."""
    lines = [
        f"# {meta.title}",
        "",
        f"- Filter: {meta.filter_text}",
        f"- Dataset version: {meta.dataset_version}",
        f"- Exported at: {meta.exported_at.isoformat()}",
        f"- Page: <{meta.page_url}>",
        f"- How to cite: {how_to_cite.strip()}",
        f"- Licence: {LICENCE_NOTE}",
        "",
        "| Common activity | "
        + " | ".join(_md_escape(level.name) for level in matrix.levels)
        + " |",
        "| --- |" + " --- |" * len(matrix.levels),
    ]
    notes: list[str] = []
    for row in matrix.rows:
        values = [_md_escape(row.activity.name)]
        for cell in row.cells:
            text = _md_escape(_grid_label(cell).replace("\n\n★", " ★"))
            if cell is not None:
                for citation in cell.cited:
                    notes.append(
                        f"[^{len(notes) + 1}]: {citation.get_role_display()}: "
                        f"“{_md_escape(citation.exact)}”, {citation.passage.document.title}, "
                        f"passage `{citation.passage.anchor}`, "
                        f"<{citation_url(meta.site_url, citation)}>"
                    )
                    text += f"[^{len(notes)}]"
            values.append(text)
        lines.append("| " + " | ".join(values) + " |")
    return "\n".join([*lines, "", *notes, ""])


# The functions comparison of two institutions.


@dataclass
class Comparison:
    a: Institution
    b: Institution
    rows: list[tuple[Function, Mandate | None, Mandate | None]]


def comparison(a: Institution, b: Institution) -> Comparison:
    """Every function with each institution's mandate (None where the source is silent)."""
    mandates = {
        (m.function_id, m.institution_id): m for m in Mandate.objects.for_comparison([a, b])
    }
    rows = [
        (function, mandates.get((function.pk, a.pk)), mandates.get((function.pk, b.pk)))
        for function in Function.objects.order_by("ordinal")
    ]
    return Comparison(a, b, rows)


def comparison_header(result: Comparison) -> list[str]:
    columns = ["function"]
    for institution in (result.a, result.b):
        columns += [f"{institution.slug} {name}" for name in ("status", "statement", "source_url")]
    return columns


def comparison_rows(result: Comparison, *, site_url: str) -> Iterator[list[str]]:
    for function, *mandates in result.rows:
        row = [function.name]
        for mandate in mandates:
            if mandate is None:
                row += ["", "", ""]
                continue
            urls = [citation_url(site_url, c) for c in mandate.citations.all()]
            row += [mandate.status, mandate.statement, "\n".join(urls)]
        yield row


def comparison_xlsx(result: Comparison, *, meta: ExportMeta):
    workbook = Workbook(write_only=True)
    sheet = _sheet(workbook, "functions", [50, 12, 40, 60, 12, 40, 60], freeze="B2")
    sheet.append([_text_cell(sheet, name, bold=True) for name in comparison_header(result)])
    for row in comparison_rows(result, site_url=meta.site_url):
        sheet.append([_text_cell(sheet, value) for value in row])
    _about_sheet(workbook, meta, [("Institutions", f"{result.a.name}; {result.b.name}")])
    return _spool(workbook)
