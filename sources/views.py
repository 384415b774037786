"""The reader: a document as its passages, each with an anchor."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from sources.models import Document, Passage


class DocumentDetailView(TemplateView):
    template_name = "sources/document_detail.html"

    def get_context_data(self, **kwargs):
        document = get_object_or_404(Document.objects.defer("text"), slug=self.kwargs["slug"])
        return {"document": document, "passages": Passage.objects.for_reader(document)}
