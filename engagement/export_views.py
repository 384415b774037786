"""Export and citation endpoints: what a page shows, as files for spreadsheets, reports and papers.

Each export takes the same query string as the page it reproduces and validates it with
the same FilterSet, so a bad value is a 400 naming the parameter, as on the page.
"""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views import View

from config.filtering import StrictBooleanField
from engagement import datapackage, exports
from engagement.filters import CellFilter
from engagement.models import Cell, Framework
from engagement.serializers import CellSerializer
from institutions.models import Institution
from sources.citing import cite_response, document_reference, to_text
from sources.models import CitationRole
from sources.versioning import dataset_version

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def bad_request(errors: dict[str, list[str]]) -> HttpResponse:
    """A 400 naming each parameter and what is wrong with it, as plain text."""
    lines = [f"{name}: {' '.join(str(m) for m in messages)}" for name, messages in errors.items()]
    return HttpResponse(
        "The export could not be made:\n" + "\n".join(lines) + "\n",
        status=400,
        content_type="text/plain; charset=utf-8",
    )


def _excel_flag(request, errors: dict) -> bool:
    """`?excel=1` asks for the CSV variant Excel on Windows reads (UTF-8 with a BOM)."""
    try:
        return bool(StrictBooleanField(required=False).clean(request.GET.get("excel")))
    except ValidationError as error:
        errors["excel"] = error.messages
        return False


def _provenance(response, *, version: int, filename: str):
    response["X-Dataset-Version"] = str(version)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _filters(request, *, exclude: tuple[str, ...] = ("excel",)) -> dict[str, str]:
    return {
        name: ",".join(request.GET.getlist(name)) for name in request.GET if name not in exclude
    }


def _page_url(request, path: str, *, exclude: tuple[str, ...] = ("excel",)) -> str:
    query = request.GET.copy()
    for name in exclude:
        query.pop(name, None)
    encoded = query.urlencode()
    return request.build_absolute_uri(path + (f"?{encoded}" if encoded else ""))


class FrameworkExportView(View):
    """`/frameworks/<slug>/export.<csv|xlsx|json|md>`: the matrix as the page filters it."""

    formats = ("csv", "xlsx", "json", "md")

    def get(self, request, slug: str, fmt: str):
        if fmt not in self.formats:
            raise Http404(f"No export as .{fmt}; use one of {', '.join(self.formats)}.")
        framework = get_object_or_404(Framework.objects.for_index(), slug=slug)
        filterset = CellFilter(request.GET, queryset=exports.export_cells(framework))
        errors = {} if filterset.is_valid() else dict(filterset.errors)
        excel = _excel_flag(request, errors)
        if errors:
            return bad_request(errors)

        version = dataset_version()
        now = timezone.now()
        filters = _filters(request)
        meta = exports.ExportMeta(
            title=framework.name,
            dataset_version=version.version,
            exported_at=now,
            site_url=request.build_absolute_uri("/"),
            page_url=_page_url(request, framework.get_absolute_url()),
            filters=filters,
        )
        stem = f"{framework.slug}{'-filtered' if filters else ''}-v{version.version}"
        how_to_cite = to_text(
            document_reference(
                request,
                framework.document,
                version=version.version,
                subject=f"Engagement matrix “{framework.name}”",
            )
        )
        if fmt == "csv":
            rows = (
                exports.cell_row(cell, site_url=meta.site_url)
                for cell in exports.iter_cells(filterset.qs)
            )
            response = StreamingHttpResponse(
                exports.csv_lines(exports.CELL_COLUMNS, rows, bom=excel),
                content_type="text/csv; charset=utf-8; header=present",
            )
            return _provenance(response, version=version.version, filename=f"{stem}.csv")
        if fmt == "xlsx":
            spool = exports.framework_xlsx(
                framework, filterset, filterset.qs, meta=meta, how_to_cite=how_to_cite
            )
            response = FileResponse(spool, content_type=XLSX)
            return _provenance(response, version=version.version, filename=f"{stem}.xlsx")

        cells = list(filterset.qs)
        if fmt == "json":
            body = {
                "meta": {**meta.as_dict(), "framework": framework.slug, "how_to_cite": how_to_cite},
                "cells": CellSerializer(cells, many=True, context={"request": request}).data,
            }
            response = HttpResponse(
                json.dumps(body, ensure_ascii=False, indent=2, default=str) + "\n",
                content_type="application/json",
            )
            return _provenance(response, version=version.version, filename=f"{stem}.json")
        matrix = exports.export_matrix(framework, filterset, cells)
        response = HttpResponse(
            exports.framework_markdown(matrix, meta=meta, how_to_cite=how_to_cite),
            content_type="text/markdown; charset=utf-8",
        )
        return _provenance(response, version=version.version, filename=f"{stem}.md")


class ComparisonExportView(View):
    """`/institutions/compare/export.<csv|xlsx>?a=&b=`: two institutions' functions side by side."""

    formats = ("csv", "xlsx")

    def get(self, request, fmt: str):
        if fmt not in self.formats:
            raise Http404(f"No export as .{fmt}; use one of {', '.join(self.formats)}.")
        chosen, errors = {}, {}
        for name in ("a", "b"):
            slug = request.GET.get(name, "").strip()
            if not slug:
                errors[name] = ["This parameter is required: the slug of an institution."]
                continue
            chosen[name] = Institution.objects.filter(slug=slug).first()
            if chosen[name] is None:
                errors[name] = [f"“{slug}” is not an institution."]
        excel = _excel_flag(request, errors)
        if errors:
            return bad_request(errors)
        version = dataset_version()
        result = exports.comparison(chosen["a"], chosen["b"])
        meta = exports.ExportMeta(
            title=f"Functions: {result.a.name} and {result.b.name}",
            dataset_version=version.version,
            exported_at=timezone.now(),
            site_url=request.build_absolute_uri("/"),
            page_url=_page_url(request, "/institutions/compare/"),
            filters=_filters(request),
        )
        stem = f"functions-{result.a.slug}-{result.b.slug}-v{version.version}"
        if fmt == "csv":
            response = StreamingHttpResponse(
                exports.csv_lines(
                    exports.comparison_header(result),
                    exports.comparison_rows(result, site_url=meta.site_url),
                    bom=excel,
                ),
                content_type="text/csv; charset=utf-8; header=present",
            )
            return _provenance(response, version=version.version, filename=f"{stem}.csv")
        response = FileResponse(exports.comparison_xlsx(result, meta=meta), content_type=XLSX)
        return _provenance(response, version=version.version, filename=f"{stem}.xlsx")


class DataPackageView(View):
    """`/export/datapackage.zip`: the whole knowledge base, one CSV per table."""

    def get(self, request):
        version = dataset_version()
        spool = datapackage.write_datapackage(
            version=version.version,
            created=timezone.now(),
            site_url=request.build_absolute_uri("/"),
        )
        response = FileResponse(spool, content_type="application/zip")
        return _provenance(
            response,
            version=version.version,
            filename=f"engagement-atlas-v{version.version}-datapackage.zip",
        )


class CellCiteView(View):
    """`/frameworks/<slug>/cells/<activity>/<level>/cite.<bib|json|txt>`: a cell, pinpointed."""

    def get(self, request, slug: str, activity: str, level: str, fmt: str):
        if fmt not in ("bib", "json", "txt"):
            raise Http404(f"No citation as .{fmt}; use bib, json or txt.")
        cell = get_object_or_404(
            Cell.objects.for_list().select_related("framework__document"),
            framework__slug=slug,
            activity__slug=activity,
            level__slug=level,
        )
        citations = cell.cited
        # The pinpoint is the passage the cell's text comes from; an empty cell has none and
        # is cited as the framework's source document.
        primary = next((c for c in citations if c.role == CitationRole.SOURCE), None)
        primary = primary or (citations[0] if citations else None)
        subject = (
            f"Engagement matrix “{cell.framework.name}”, activity “{cell.activity.name}”, "
            f"level {cell.level.name}"
            + (": no entry in the source" if cell.kind == "empty" else "")
        )
        version = dataset_version().version
        if primary is None:
            reference = document_reference(
                request, cell.framework.document, version=version, subject=subject
            )
        else:
            reference = document_reference(
                request,
                primary.passage.document,
                version=version,
                passage=primary.passage,
                quote=primary.exact,
                subject=subject,
            )
        return cite_response(reference, fmt, filename=f"{slug}-{activity}-{level}")
