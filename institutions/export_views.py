"""`/institutions/compare/export.<csv|xlsx>?a=&b=`: two institutions' functions side by side;
with `?release=<tag>`, as they stood at that release."""

from __future__ import annotations

from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from core.at_release import (
    PARAMETER,
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
from institutions import exports
from institutions.selectors import institution_comparison
from institutions.views import institution_pair


class ComparisonExportView(ExportView):
    query_parameters = frozenset({"a", "b", "excel", PARAMETER})

    def get(self, request, fmt: str):
        write = exports.COMPARISON_FORMATS.writer(fmt)
        try:
            release = release_param(request.GET)
        except ReleaseParameterError as error:
            return bad_request({PARAMETER: [str(error)]})
        with at_release(release):
            response = self.export(request, fmt, write, release)
        if isinstance(response, StreamingHttpResponse):
            response.streaming_content = streamed_at(release, response.streaming_content)
        return response

    def export(self, request, fmt: str, write, release):
        at = state(release)
        form = institution_pair(request.GET, state=at)
        errors = {} if form.is_valid() else {n: list(e) for n, e in form.errors.items()}
        excel = excel_flag(request, errors)
        if errors:
            return bad_request(errors)
        version = release.version if release is not None else dataset_version().version
        comparison = institution_comparison(
            form.cleaned_data["a"], form.cleaned_data["b"], state=at
        )
        meta = ExportMeta(
            title=f"Functions: {comparison.a.name} and {comparison.b.name}",
            dataset_version=version,
            exported_at=timezone.now(),
            site_url=request.build_absolute_uri("/"),
            page_url=page_url(request, reverse("institutions:institution-compare")),
            filters=query_filters(request, exclude=("excel", PARAMETER)),
            release=release.tag if release is not None else "",
            release_url=request.build_absolute_uri(release.get_absolute_url())
            if release is not None
            else "",
        )
        state_name = release.tag if release is not None else f"v{version}"
        stem = f"functions-{comparison.a.slug}-{comparison.b.slug}-{state_name}"
        response = write(exports.ComparisonExport(comparison, meta, excel=excel))
        return provenance(response, version=version, filename=f"{stem}.{fmt}")
