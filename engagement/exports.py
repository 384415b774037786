"""A framework's matrix, as the page filters it, in every export format.

Each format is a writer registered in `FRAMEWORK_FORMATS`; the view validates the query
string with the page's own filter, and the grid comes from the page's own selectors
(`engagement.selectors`), so every export holds exactly the rows the page shows. Tables are
built here as rows of plain values; `core.exports` lays them out. Large tables stream:
rows come from `.iterator(chunk_size=...)` with their citations prefetched per chunk, so
queries and memory stay flat as data grows.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook

from core.exports import (
    CSV,
    LICENCE_NOTE,
    XLSX,
    ExportMeta,
    Formats,
    about_sheet,
    append_row,
    csv_lines,
    new_sheet,
    spool,
    text_cell,
)
from core.history import State
from core.models import Release
from engagement.cell_references import framework_bibliography
from engagement.filters import CellFilter
from engagement.matrix import Matrix
from engagement.models import EVIDENCE_SHOWN, Cell, CellEvidence, Framework
from engagement.selectors import framework_matrix, matrix_selection
from engagement.serializers import CellSerializer
from sources.models import Citation, Passage
from sources.references import bibliography, control_picture, passage_link

CHUNK_SIZE = 2000

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
    # Added after the first published columns, so that none of those moves.
    "source_pages",
    "evidence",
    "note",
]
# Columns that hold one line per citation, in the same order in each.
CITATION_COLUMNS = ["citation_role", "document", "passage", "quote", "source_url"]
SOURCE_COLUMNS = [
    "activity",
    "level",
    "citation_role",
    "document_title",
    "document",
    "passage",
    "section",
    "quote",
    "source_url",
    "source_pages",
]

# The pages' level colours (static/css/atlas.css); the level's name is always written in
# the header, never colour alone.
LEVEL_FILLS = {
    "collaboration": "DBEAFE",
    "coordination": "DCFCE7",
    "communication": "FEF3C7",
    "separation": "FDE2E2",
}


@dataclass
class FrameworkExport:
    """What every format of a framework export is written from."""

    request: HttpRequest
    framework: Framework
    filterset: CellFilter  # valid; its `qs` is the cells the page shows
    meta: ExportMeta
    how_to_cite: str
    excel: bool = False  # CSV only: UTF-8 with a BOM, for Excel on Windows
    release: Release | None = None  # the release it shows (`meta` names it too)

    @property
    def cells(self):
        return self.filterset.qs

    def matrix(self, cells) -> Matrix:
        """The grid the page shows for this filter, of `cells` (the filter's, as read)."""
        return framework_matrix(self.framework, cells, matrix_selection(self.filterset))


FRAMEWORK_FORMATS = Formats("export")


def export_cells(framework: Framework, *, state: State | None = None):
    """The queryset an export filters: a framework's cells as the API serializes them, now
    or as they stood in `state`."""
    if state is not None:
        return (
            state.objects(Cell)
            .filter(framework_id=framework.pk)
            .order_by("activity__ordinal", "level__ordinal")
            .prefetch_state("framework", "activity", "level", "citations__passage__document")
        )
    return Cell.objects.for_list().filter(framework=framework)


def citation_url(site_url: str, citation: Citation) -> str:
    """The reader at the cited passage, the quote highlighted by a text fragment."""
    return passage_link(
        site_url, citation.passage, citation.exact, prefix=citation.prefix, suffix=citation.suffix
    )


def source_pages(passage: Passage) -> str:
    """The pages of the source (a PDF) a passage is on, "2" or "2-3"; empty without pages."""
    first, last = passage.source_page, passage.source_page_end
    if first is None:
        return ""
    return str(first) if last in (None, first) else f"{first}-{last}"


def cited_pages(citations: list[Citation]) -> str:
    """The `source_pages` column: one line per citation, as the citation columns are; empty
    when no citation is into a source with pages."""
    pages = [source_pages(c.passage) for c in citations]
    return "\n".join(pages) if any(pages) else ""


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
        site_url.rstrip("/") + cell.get_absolute_url(),
        cited_pages(citations),
        cell.evidence,
        cell.note,
    ]


def iter_cells(queryset) -> Iterator[Cell]:
    """Cells in chunks, each chunk's citations prefetched in one query."""
    return queryset.iterator(chunk_size=CHUNK_SIZE)


def grid_label(cell: Cell | None) -> str:
    """A position of the grid in words, as the matrix page shows it."""
    if cell is None:
        return "Not addressed"
    if cell.kind == "empty":
        # None stated in the source, or not assessed: told apart, as on the page.
        return EVIDENCE_SHOWN.get(cell.evidence, EVIDENCE_SHOWN[CellEvidence.NONE_STATED])
    return cell.text + ("\n\n★ Emphasised by the source" if cell.emphasised else "")


@FRAMEWORK_FORMATS.register("csv")
def framework_csv(export: FrameworkExport) -> StreamingHttpResponse:
    """The long table, one row per cell, streamed."""
    site_url = export.meta.site_url
    rows = (cell_row(cell, site_url=site_url) for cell in iter_cells(export.cells))
    return StreamingHttpResponse(csv_lines(CELL_COLUMNS, rows, bom=export.excel), content_type=CSV)


@FRAMEWORK_FORMATS.register("xlsx")
def framework_xlsx(export: FrameworkExport) -> FileResponse:
    """The matrix as a workbook: grid, long table, sources, about."""
    meta = export.meta
    workbook = Workbook(write_only=True)
    grid = new_sheet(workbook, "matrix", [34, 40, 40, 40, 40], freeze="B2")
    cells_sheet = new_sheet(
        workbook, "cells", [22, 26, 30, 14, 14, 10, 11, 50, 14, 30, 30, 50, 60, 60, 12, 14, 50]
    )
    sources = new_sheet(workbook, "sources", [26, 14, 12, 50, 30, 30, 40, 60, 60, 12])
    about_sheet(
        workbook,
        meta,
        [
            ("Framework", export.framework.name),
            ("Source document", export.framework.document.title),
            ("How to cite", export.how_to_cite),
        ],
    )
    append_row(cells_sheet, CELL_COLUMNS, bold=True)
    append_row(sources, SOURCE_COLUMNS, bold=True)
    kept: list[Cell] = []
    for cell in iter_cells(export.cells):
        kept.append(cell)
        append_row(cells_sheet, cell_row(cell, site_url=meta.site_url))
        for citation in cell.cited:
            passage = citation.passage
            append_row(
                sources,
                [
                    cell.activity.name,
                    cell.level.name,
                    citation.role,
                    passage.document.title,
                    passage.document.slug,
                    passage.anchor,
                    passage.section,
                    citation.exact,
                    citation_url(meta.site_url, citation),
                    source_pages(passage),
                ],
            )

    matrix = export.matrix(kept)
    header = [text_cell(grid, "Common activity", bold=True)]
    header += [
        text_cell(grid, level.name, bold=True, fill=LEVEL_FILLS.get(level.slug))
        for level in matrix.levels
    ]
    grid.append(header)
    for row in matrix.rows:
        values = [text_cell(grid, row.activity.name, bold=True)]
        values += [
            text_cell(grid, grid_label(cell), fill=LEVEL_FILLS.get(level.slug))
            for level, cell in zip(matrix.levels, row.cells, strict=True)
        ]
        grid.append(values)
    return FileResponse(spool(workbook), content_type=XLSX)


@FRAMEWORK_FORMATS.register("json")
def framework_json(export: FrameworkExport) -> HttpResponse:
    """`{"meta": ..., "cells": [...]}`, the cells in the API's shape."""
    body = {
        "meta": {
            **export.meta.as_dict(),
            "framework": export.framework.slug,
            "how_to_cite": export.how_to_cite,
        },
        "cells": CellSerializer(
            list(export.cells), many=True, context={"request": export.request}
        ).data,
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, indent=2, default=str) + "\n",
        content_type="application/json",
    )


@FRAMEWORK_FORMATS.register("md")
def framework_md(export: FrameworkExport) -> HttpResponse:
    """A pipe table of the grid, each cell's citations as numbered footnotes."""
    matrix = export.matrix(list(export.cells))
    return HttpResponse(
        framework_markdown(matrix, meta=export.meta, how_to_cite=export.how_to_cite),
        content_type="text/markdown; charset=utf-8",
    )


def _bibliography_writer(fmt: str):
    def write(export: FrameworkExport) -> HttpResponse:
        """The framework's source document and each cell shown, one entry each
        (`engagement.cell_references`)."""
        references = framework_bibliography(
            export.framework,
            # Each key begins with the framework's document's authors and year.
            export.cells.select_related("framework__document").defer("framework__document__text"),
            site_url=export.meta.site_url,
            accessed=timezone.localdate(export.meta.exported_at),
            version=export.meta.dataset_version,
            release=export.release,
        )
        return bibliography(references, fmt)

    return write


for _fmt in ("bib", "ris", "csl.json"):
    FRAMEWORK_FORMATS.register(_fmt)(_bibliography_writer(_fmt))


# Markdown syntax in stored text, written so that Markdown processors (pandoc with its
# `smart` extension, Python-Markdown, CommonMark) show the character itself. Backslash
# escapes where all of them take one; HTML character references where Python-Markdown
# takes none (quotes, which pandoc would curl; `~ ^ $ @`, pandoc's sub- and superscript,
# TeX and citations); `<` and `&` as references, so no HTML or entity is ever live.
_MD_REFERENCES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "'": "&#39;",
    "~": "&#126;",
    "^": "&#94;",
    "$": "&#36;",
    "@": "&#64;",
    "\t": "&#9;",
}
_MD_BACKSLASHED = set("\\`*_[]{}|#+!")
# A period before white space or another period (pandoc's smart extension turns "e.g. x"
# into "e.g.\u00a0x" and "..." into an ellipsis), a hyphen beside another (a dash).
_MD_SMART = re.compile(r"\.(?=\s|\.|$)|(?<=\.)\.|-(?=-)|(?<=-)-")
# White space a processor would collapse or trim: runs, and at either end of a line.
_MD_SPACES = re.compile(r"(?<= ) | (?= )|^ | $", re.MULTILINE)


def md_escape(text: str) -> str:
    """`text` as Markdown inline content that renders back to `text` itself: no markup, no
    HTML, no typography; line breaks as `<br>`; other control characters as their control
    pictures (they cannot be written in HTML)."""
    text = str(text).replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for index, char in enumerate(text):
        if char == "\n":
            out.append("<br>")
        elif char in _MD_REFERENCES:
            out.append(_MD_REFERENCES[char])
        elif char in _MD_BACKSLASHED or (char in ".-" and _MD_SMART.match(text, index)):
            out.append("\\" + char)
        elif char == " " and _MD_SPACES.match(text, index):
            out.append("&#32;")
        elif unicodedata.category(char) == "Cc":
            out.append(control_picture(char))
        else:
            out.append(char)
    return "".join(out)


def framework_markdown(matrix: Matrix, *, meta: ExportMeta, how_to_cite: str) -> str:
    """The preamble, the grid as a pipe table, the citations as footnotes. Every stored text
    goes through `md_escape`."""
    lines = [
        f"# {md_escape(meta.title)}",
        "",
        f"- Filter: {md_escape(meta.filter_text)}",
        *([f"- Release: {md_escape(meta.release_text)}"] if meta.release else []),
        f"- Dataset version: {meta.dataset_version}",
        f"- Exported at: {meta.exported_at.isoformat()}",
        f"- Page: <{meta.page_url}>",
        f"- How to cite: {md_escape(how_to_cite.strip())}",
        f"- Licence: {md_escape(LICENCE_NOTE)}",
        "",
        "| Common activity | "
        + " | ".join(md_escape(level.name) for level in matrix.levels)
        + " |",
        "| --- |" + " --- |" * len(matrix.levels),
    ]
    notes: list[str] = []
    for row in matrix.rows:
        values = [md_escape(row.activity.name)]
        for cell in row.cells:
            text = md_escape(grid_label(cell).replace("\n\n★", " ★"))
            if cell is not None:
                for citation in cell.cited:
                    pages = citation.passage.source_pages
                    notes.append(
                        f"[^{len(notes) + 1}]: {md_escape(citation.get_role_display())}: "
                        f"“{md_escape(citation.exact)}”, "
                        f"{md_escape(citation.passage.document.title)}, "
                        f"passage `{citation.passage.anchor}`, "
                        + (f"{md_escape(pages)}, " if pages else "")
                        + f"<{citation_url(meta.site_url, citation)}>"
                    )
                    text += f"[^{len(notes)}]"
            values.append(text)
        lines.append("| " + " | ".join(values) + " |")
    return "\n".join([*lines, "", *notes, ""])
