"""`/documents/<slug>/cite.<bib|json|txt>`: a document as a reference, in three formats."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.views import View

from core.dataset import dataset_version
from sources.citing import CITE_FORMATS, cite_response, document_reference
from sources.models import Document


class DocumentCiteView(View):
    def get(self, request, slug: str, fmt: str):
        CITE_FORMATS.writer(fmt)
        document = get_object_or_404(Document.objects.defer("text", "reader"), slug=slug)
        reference = document_reference(request, document, version=dataset_version().version)
        return cite_response(reference, fmt, filename=slug)
