"""`/institutions/compare/export.<csv|xlsx>?a=&b=`: two institutions' functions side by side."""

from __future__ import annotations

from django.urls import reverse
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
from institutions import exports
from institutions.selectors import institution_comparison
from institutions.views import institution_pair


class ComparisonExportView(ExportView):
    query_parameters = frozenset({"a", "b", "excel"})

    def get(self, request, fmt: str):
        write = exports.COMPARISON_FORMATS.writer(fmt)
        form = institution_pair(request.GET)
        errors = {} if form.is_valid() else {n: list(e) for n, e in form.errors.items()}
        excel = excel_flag(request, errors)
        if errors:
            return bad_request(errors)
        version = dataset_version().version
        comparison = institution_comparison(form.cleaned_data["a"], form.cleaned_data["b"])
        meta = ExportMeta(
            title=f"Functions: {comparison.a.name} and {comparison.b.name}",
            dataset_version=version,
            exported_at=timezone.now(),
            site_url=request.build_absolute_uri("/"),
            page_url=page_url(request, reverse("institutions:institution-compare")),
            filters=query_filters(request),
        )
        stem = f"functions-{comparison.a.slug}-{comparison.b.slug}-v{version}"
        response = write(exports.ComparisonExport(comparison, meta, excel=excel))
        return provenance(response, version=version, filename=f"{stem}.{fmt}")
