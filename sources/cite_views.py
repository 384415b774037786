"""`/documents/<slug>/cite.<bib|json|ris|txt>`: a document as a reference, in four formats."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.dataset import dataset_version
from core.exports import ExportView
from sources.citing import CITE_FORMATS, cite_response, document_reference
from sources.models import Document


class DocumentCiteView(ExportView):
    def get(self, request, slug: str, fmt: str):
        CITE_FORMATS.writer(fmt)
        document = get_object_or_404(Document.objects.defer("text", "reader"), slug=slug)
        reference = document_reference(
            document,
            site_url=request.build_absolute_uri("/"),
            accessed=timezone.localdate(),
            version=dataset_version().version,
        )
        return cite_response(reference, fmt, filename=slug)
