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
from django.views import View

from core.dataset import dataset_version
from core.exports import ExportMeta, bad_request, excel_flag, page_url, provenance, query_filters
from core.releases import (
    PARAMETER as RELEASE,
)
from core.releases import (
    ReleaseParameterError,
    at_release,
    release_param,
    state,
    streamed_at,
)
from engagement import exports
from engagement.filters import KEYWORD_AT_RELEASE
from engagement.models import Cell, Framework
from engagement.selectors import cell_filter
from engagement.views import _framework_at, cell_at
from sources.citing import CITE_FORMATS, cite_response, document_reference, to_text
from sources.models import CitationRole


class FrameworkExportView(View):
    """`/frameworks/<slug>/export.<fmt>`: the matrix as the page filters it, in any format
    of `exports.FRAMEWORK_FORMATS`."""

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
        if at is not None:
            framework = _framework_at(at, slug)
        else:
            framework = get_object_or_404(Framework.objects.for_index(), slug=slug)
        filterset = cell_filter(request.GET, queryset=exports.export_cells(framework, state=at))
        errors = {} if filterset.is_valid() else dict(filterset.errors)
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
                    request,
                    framework.document,
                    version=version,
                    subject=f"Engagement matrix “{framework.name}”",
                    release=release,
                )
            ),
            excel=excel,
        )
        state_name = release.tag if release is not None else f"v{version}"
        stem = f"{framework.slug}{'-filtered' if filters else ''}-{state_name}"
        return provenance(write(export), version=version, filename=f"{stem}.{fmt}")


class CellCiteView(View):
    """`/frameworks/<slug>/cells/<activity>/<level>/cite.<bib|json|txt>`: a cell, pinpointed;
    at `?release=<tag>`, as it stood then, naming the release."""

    def get(self, request, slug: str, activity: str, level: str, fmt: str):
        CITE_FORMATS.writer(fmt)
        try:
            release = release_param(request.GET)
        except ReleaseParameterError as error:
            return bad_request({RELEASE: [str(error)]})
        at = state(release)
        if at is not None:
            cell, _ = cell_at(at, slug=slug, activity=activity, level=level)
        else:
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
        version = release.version if release is not None else dataset_version().version
        if primary is None:
            reference = document_reference(
                request, cell.framework.document, version=version, subject=subject, release=release
            )
        else:
            reference = document_reference(
                request,
                primary.passage.document,
                version=version,
                passage=primary.passage,
                quote=primary.exact,
                subject=subject,
                release=release,
            )
        suffix = f"-{release.tag}" if release is not None else ""
        return cite_response(reference, fmt, filename=f"{slug}-{activity}-{level}{suffix}")
