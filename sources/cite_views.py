"""`/documents/<slug>/cite.<bib|json|txt>`: a document as a reference, in three formats."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views import View

from sources.citing import CITE_FORMATS, cite_response, document_reference
from sources.models import Document
from sources.versioning import dataset_version


class DocumentCiteView(View):
    def get(self, request, slug: str, fmt: str):
        if fmt not in CITE_FORMATS:
            raise Http404(f"No citation as .{fmt}; use {', '.join(CITE_FORMATS)}.")
        document = get_object_or_404(Document.objects.defer("text"), slug=slug)
        reference = document_reference(request, document, version=dataset_version().version)
        return cite_response(reference, fmt, filename=slug)
