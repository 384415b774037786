"""`/institutions/compare/export.<csv|xlsx>?a=&b=`: two institutions' functions side by side;
with `?release=<tag>`, as they stood at that release."""

from __future__ import annotations

from django.urls import reverse

from core.at_release import PARAMETER, state
from core.exports import (
    ReleaseExportView,
    bad_request,
    excel_flag,
    export_meta,
    provenance,
    shown_version,
    state_label,
)
from institutions import exports
from institutions.selectors import institution_comparison
from institutions.views import institution_pair


class ComparisonExportView(ReleaseExportView):
    formats = exports.COMPARISON_FORMATS
    query_parameters = frozenset({"a", "b", "excel", PARAMETER})

    def export(self, request, *, write, release, fmt: str):
        at = state(release)
        form = institution_pair(request.GET, state=at)
        errors = {} if form.is_valid() else {n: list(e) for n, e in form.errors.items()}
        excel = excel_flag(request, errors)
        if errors:
            return bad_request(errors)
        version = shown_version(release)
        comparison = institution_comparison(
            form.cleaned_data["a"], form.cleaned_data["b"], state=at
        )
        meta = export_meta(
            request,
            title=f"Functions: {comparison.a.name} and {comparison.b.name}",
            page_path=reverse("institutions:institution-compare"),
            version=version,
            release=release,
        )
        stem = f"functions-{comparison.a.slug}-{comparison.b.slug}-{state_label(release, version)}"
        response = write(exports.ComparisonExport(comparison, meta, excel=excel))
        return provenance(response, version=version, filename=f"{stem}.{fmt}")
