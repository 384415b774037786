"""The functions of two institutions side by side, as CSV and XLSX (`/institutions/compare/`).

The rows come from `institutions.selectors.institution_comparison`, the page's own.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.http import FileResponse, StreamingHttpResponse
from openpyxl import Workbook

from core.exports import (
    CSV,
    XLSX,
    ExportMeta,
    Formats,
    about_sheet,
    append_row,
    csv_lines,
    new_sheet,
    spool,
)
from institutions.selectors import InstitutionComparison
from sources.references import passage_link


@dataclass(frozen=True)
class ComparisonExport:
    comparison: InstitutionComparison
    meta: ExportMeta
    excel: bool = False


COMPARISON_FORMATS = Formats("export")


def comparison_header(comparison: InstitutionComparison) -> list[str]:
    columns = ["function"]
    for institution in (comparison.a, comparison.b):
        columns += [f"{institution.slug} {name}" for name in ("status", "statement", "source_url")]
    return columns


def comparison_rows(comparison: InstitutionComparison, *, site_url: str) -> Iterator[list[str]]:
    for row in comparison.rows:
        values = [row.function.name]
        for mandate in (row.a, row.b):
            if mandate is None:
                values += ["", "", ""]
                continue
            urls = [
                passage_link(site_url, c.passage, c.exact, prefix=c.prefix, suffix=c.suffix)
                for c in mandate.citations.all()
            ]
            values += [mandate.status, mandate.statement, "\n".join(urls)]
        yield values


@COMPARISON_FORMATS.register("csv")
def comparison_csv(export: ComparisonExport) -> StreamingHttpResponse:
    comparison = export.comparison
    return StreamingHttpResponse(
        csv_lines(
            comparison_header(comparison),
            comparison_rows(comparison, site_url=export.meta.site_url),
            bom=export.excel,
        ),
        content_type=CSV,
    )


@COMPARISON_FORMATS.register("xlsx")
def comparison_xlsx(export: ComparisonExport) -> FileResponse:
    comparison, meta = export.comparison, export.meta
    workbook = Workbook(write_only=True)
    sheet = new_sheet(workbook, "functions", [50, 12, 40, 60, 12, 40, 60], freeze="B2")
    append_row(sheet, comparison_header(comparison), bold=True)
    for row in comparison_rows(comparison, site_url=meta.site_url):
        append_row(sheet, row)
    about_sheet(workbook, meta, [("Institutions", f"{comparison.a.name}; {comparison.b.name}")])
    return FileResponse(spool(workbook), content_type=XLSX)
