"""Export and citation endpoints of the framework: what a page shows, as files.

Each export takes the same query string as the page it reproduces and validates it with
the same filter, so a bad value is a 400 naming the parameter, as on the page. With
`?release=<tag>` it exports the state of that release, and says so (file name, metadata,
how to cite).
"""

from __future__ import annotations

from core.at_release import PARAMETER as RELEASE
from core.at_release import state
from core.exports import (
    ReleaseExportView,
    bad_request,
    citing,
    excel_flag,
    export_meta,
    provenance,
    shown_version,
    state_label,
)
from engagement import exports
from engagement.cell_references import cell_references
from engagement.filters import KEYWORD_AT_RELEASE, CellFilter
from engagement.selectors import cell_to_cite, framework_with_source
from engagement.views import MATRIX_QUERY, view_errors
from sources.reference_views import CiteView
from sources.references import Reference, document_reference, to_text


class FrameworkExportView(ReleaseExportView):
    """`/frameworks/<slug>/export.<fmt>`: the matrix as the page filters it, in any format
    of `exports.FRAMEWORK_FORMATS`."""

    formats = exports.FRAMEWORK_FORMATS
    query_parameters = MATRIX_QUERY | {"excel", RELEASE}

    def export(self, request, *, write, release, slug: str, fmt: str):
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

        version = shown_version(release)
        meta = export_meta(
            request,
            title=framework.name,
            page_path=framework.get_absolute_url().split("?")[0],
            version=version,
            release=release,
        )
        how_to_cite = document_reference(
            framework.document,
            note=f"Engagement matrix “{framework.name}”",
            **citing(request, version=version, release=release),
        )
        export = exports.FrameworkExport(
            request=request,
            framework=framework,
            filterset=filterset,
            meta=meta,
            how_to_cite=to_text(how_to_cite),
            excel=excel,
            release=release,
        )
        stem = (
            f"{framework.slug}{'-filtered' if meta.filters else ''}-{state_label(release, version)}"
        )
        return provenance(write(export), version=version, filename=f"{stem}.{fmt}")


class CellCiteView(CiteView):
    """`/frameworks/<slug>/cells/<activity>/<level>/cite.<bib|json|ris|txt>`: a cell,
    pinpointed (`engagement.cell_references`); at `?release=<tag>`, as it stood then, naming the
    release."""

    def reference(
        self, request, *, release, slug: str, activity: str, level: str
    ) -> tuple[Reference, str]:
        cell = cell_to_cite(slug=slug, activity=activity, level=level, state=state(release))
        version = shown_version(release)
        (reference,) = cell_references([cell], **citing(request, version=version, release=release))
        return reference, f"{slug}-{activity}-{level}"
