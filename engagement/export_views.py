"""Export and citation endpoints of the framework: what a page shows, as files.

Each export takes the same query string as the page it reproduces and validates it with
the same filter, so a bad value is a 400 naming the parameter, as on the page.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.dataset import dataset_version
from core.exports import (
    ExportMeta,
    ExportView,
    bad_request,
    excel_flag,
    page_url,
    provenance,
    query_filters,
)
from engagement import exports
from engagement.citations import cell_references
from engagement.models import Cell, Framework
from engagement.selectors import cell_filter
from engagement.views import MATRIX_QUERY, view_errors
from sources.citing import CITE_FORMATS, cite_response, document_reference, to_text


class FrameworkExportView(ExportView):
    """`/frameworks/<slug>/export.<fmt>`: the matrix as the page filters it, in any format
    of `exports.FRAMEWORK_FORMATS`."""

    query_parameters = MATRIX_QUERY | {"excel"}

    def get(self, request, slug: str, fmt: str):
        write = exports.FRAMEWORK_FORMATS.writer(fmt)
        framework = get_object_or_404(Framework.objects.for_index(), slug=slug)
        filterset = cell_filter(request.GET, queryset=exports.export_cells(framework))
        errors = {} if filterset.is_valid() else dict(filterset.errors)
        errors.update(view_errors(request.GET))
        excel = excel_flag(request, errors)
        if errors:
            return bad_request(errors)

        version = dataset_version().version
        filters = query_filters(request)
        export = exports.FrameworkExport(
            request=request,
            framework=framework,
            filterset=filterset,
            meta=ExportMeta(
                title=framework.name,
                dataset_version=version,
                exported_at=timezone.now(),
                site_url=request.build_absolute_uri("/"),
                page_url=page_url(request, framework.get_absolute_url()),
                filters=filters,
            ),
            how_to_cite=to_text(
                document_reference(
                    framework.document,
                    site_url=request.build_absolute_uri("/"),
                    accessed=timezone.localdate(),
                    version=version,
                    note=f"Engagement matrix “{framework.name}”",
                )
            ),
            excel=excel,
        )
        stem = f"{framework.slug}{'-filtered' if filters else ''}-v{version}"
        return provenance(write(export), version=version, filename=f"{stem}.{fmt}")


class CellCiteView(ExportView):
    """`/frameworks/<slug>/cells/<activity>/<level>/cite.<bib|json|ris|txt>`: a cell,
    pinpointed (`engagement.citations`)."""

    def get(self, request, slug: str, activity: str, level: str, fmt: str):
        CITE_FORMATS.writer(fmt)
        cell = get_object_or_404(
            Cell.objects.for_list()
            .select_related("framework__document")
            .defer("framework__document__text"),
            framework__slug=slug,
            activity__slug=activity,
            level__slug=level,
        )
        version = dataset_version().version
        (reference,) = cell_references(
            [cell],
            site_url=request.build_absolute_uri("/"),
            accessed=timezone.localdate(),
            version=version,
        )
        return cite_response(reference, fmt, filename=f"{slug}-{activity}-{level}")
