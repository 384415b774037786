"""Export and citation endpoints of the framework: what a page shows, as files.

Each export takes the same query string as the page it reproduces and validates it with
the same filter, so a bad value is a 400 naming the parameter, as on the page. With
`?release=<tag>` it exports the state of that release, and says so (file name, metadata,
how to cite).
"""

from __future__ import annotations

from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.at_release import PARAMETER as RELEASE
from core.at_release import (
    ReleaseParameterError,
    at_release,
    release_param,
    state,
    streamed_at,
)
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
from engagement.cell_references import cell_references
from engagement.filters import KEYWORD_AT_RELEASE, CellFilter
from engagement.models import Cell
from engagement.selectors import cell_with_neighbours, framework_with_source
from engagement.views import MATRIX_QUERY, view_errors
from sources.references import CITE_FORMATS, cite_response, document_reference, to_text


class FrameworkExportView(ExportView):
    """`/frameworks/<slug>/export.<fmt>`: the matrix as the page filters it, in any format
    of `exports.FRAMEWORK_FORMATS`."""

    query_parameters = MATRIX_QUERY | {"excel", RELEASE}

    def get(self, request, slug: str, fmt: str):
        write = exports.FRAMEWORK_FORMATS.writer(fmt)
        try:
            release = release_param(request.GET)
        except ReleaseParameterError as error:
            return bad_request({RELEASE: [str(error)]})
        with at_release(release):
            response = self.export(request, slug, fmt, write, release)
        if isinstance(response, StreamingHttpResponse):
            response.streaming_content = streamed_at(release, response.streaming_content)
        return response

    def export(self, request, slug: str, fmt: str, write, release):
        at = state(release)
        framework = framework_with_source(slug, state=at)
        filterset = CellFilter(
            request.GET, queryset=exports.export_cells(framework, state=at), one_framework=True
        )
        errors = {} if filterset.is_valid() else dict(filterset.errors)
        errors.update(view_errors(request.GET))
        if release is not None and request.GET.get("q", "").strip():
            errors["q"] = [KEYWORD_AT_RELEASE]
        excel = excel_flag(request, errors)
        if errors:
            return bad_request(errors)

        version = release.version if release is not None else dataset_version().version
        filters = query_filters(request, exclude=("excel", RELEASE))
        export = exports.FrameworkExport(
            request=request,
            framework=framework,
            filterset=filterset,
            meta=ExportMeta(
                title=framework.name,
                dataset_version=version,
                exported_at=timezone.now(),
                site_url=request.build_absolute_uri("/"),
                page_url=page_url(request, framework.get_absolute_url().split("?")[0]),
                filters=filters,
                release=release.tag if release is not None else "",
                release_url=request.build_absolute_uri(release.get_absolute_url())
                if release is not None
                else "",
            ),
            how_to_cite=to_text(
                document_reference(
                    framework.document,
                    site_url=request.build_absolute_uri("/"),
                    accessed=timezone.localdate(),
                    version=version,
                    note=f"Engagement matrix “{framework.name}”",
                    release=release,
                )
            ),
            excel=excel,
            release=release,
        )
        state_name = release.tag if release is not None else f"v{version}"
        stem = f"{framework.slug}{'-filtered' if filters else ''}-{state_name}"
        return provenance(write(export), version=version, filename=f"{stem}.{fmt}")


class CellCiteView(ExportView):
    """`/frameworks/<slug>/cells/<activity>/<level>/cite.<bib|json|ris|txt>`: a cell,
    pinpointed (`engagement.cell_references`); at `?release=<tag>`, as it stood then, naming the
    release."""

    query_parameters = frozenset({RELEASE})

    def get(self, request, slug: str, activity: str, level: str, fmt: str):
        CITE_FORMATS.writer(fmt)
        try:
            release = release_param(request.GET)
        except ReleaseParameterError as error:
            return bad_request({RELEASE: [str(error)]})
        at = state(release)
        if at is not None:
            cell, _ = cell_with_neighbours(slug=slug, activity=activity, level=level, state=at)
        else:
            cell = get_object_or_404(
                Cell.objects.for_list()
                .select_related("framework__document")
                .defer("framework__document__text"),
                framework__slug=slug,
                activity__slug=activity,
                level__slug=level,
            )
        version = release.version if release is not None else dataset_version().version
        (reference,) = cell_references(
            [cell],
            site_url=request.build_absolute_uri("/"),
            accessed=timezone.localdate(),
            version=version,
            release=release,
        )
        suffix = f"-{release.tag}" if release is not None else ""
        return cite_response(reference, fmt, filename=f"{slug}-{activity}-{level}{suffix}")
