"""`/export/datapackage.zip`: the whole knowledge base, one CSV per table."""

from __future__ import annotations

from django.http import FileResponse
from django.utils import timezone

from atlas import datapackage
from core.dataset import dataset_version
from core.exports import ExportView, provenance


class DataPackageView(ExportView):
    def get(self, request):
        version = dataset_version().version
        spool = datapackage.write_datapackage(
            version=version, created=timezone.now(), site_url=request.build_absolute_uri("/")
        )
        return provenance(
            FileResponse(spool, content_type="application/zip"),
            version=version,
            filename=f"engagement-atlas-v{version}-datapackage.zip",
        )
