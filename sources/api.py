"""API viewsets of sources/: documents and passages (read-only), citations (editable)."""

from __future__ import annotations

from rest_framework import viewsets

from core.api.viewsets import AtlasViewSetMixin
from sources.filters import CitationFilter, DocumentFilter, PassageFilter
from sources.models import Citation, Document, Passage
from sources.serializers import (
    CitationResourceSerializer,
    DocumentDetailSerializer,
    DocumentSerializer,
    PassageSerializer,
)


class DocumentViewSet(AtlasViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Source documents. The detail includes the canonical full text."""

    filterset_class = DocumentFilter
    ordering_fields = ["title", "published", "added_at", "slug"]

    def get_queryset(self):
        documents = Document.objects.for_index()
        # The detail shows the text that `for_index()` defers for lists.
        return documents.defer(None) if self.action == "retrieve" else documents

    def get_serializer_class(self):
        return DocumentDetailSerializer if self.action == "retrieve" else DocumentSerializer


class PassageViewSet(AtlasViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Passages of the documents, in reading order; each has a stable anchor."""

    serializer_class = PassageSerializer
    filterset_class = PassageFilter
    ordering_fields = ["ordinal", "anchor", "start"]
    lookup_field = "pk"
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return (
            Passage.objects.select_related("document")
            .defer("document__text", "document__reader")
            .order_by("document__title", "ordinal")
        )


class CitationViewSet(AtlasViewSetMixin, viewsets.ModelViewSet):
    """Citations: which passage, and which words of it, support a claim.

    Editors create, correct and remove them; a quote that is not in the passage (or not at
    the `start` given) is refused with a 400 naming `exact`.
    """

    serializer_class = CitationResourceSerializer
    filterset_class = CitationFilter
    ordering_fields = ["id", "created_at"]
    lookup_field = "pk"
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return Citation.objects.with_passage().select_related("content_type").order_by("pk")
