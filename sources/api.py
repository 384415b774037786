"""API viewsets of sources/: documents and passages (read-only), citations (editable)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.errors import Conflict, ErrorSerializer
from core.api.permissions import EditorPermissions
from core.api.viewsets import AtlasViewSetMixin
from sources.filters import CitationFilter, DocumentFilter, PassageFilter
from sources.models import Citation, Document, Passage
from sources.serializers import (
    CitationResourceSerializer,
    DocumentDetailSerializer,
    DocumentSerializer,
    PassageSerializer,
    ReanchorSerializer,
)
from sources.services import CandidateStale, DocumentTexts, citation_reanchor


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


class RepairPermissions(EditorPermissions):
    """Re-anchoring changes a citation: the `change` permission, whatever the method."""

    perms_map = {**EditorPermissions.perms_map, "POST": ["%(app_label)s.change_%(model_name)s"]}


class CitationViewSet(AtlasViewSetMixin, viewsets.ModelViewSet):
    """Citations: which passage, and which words of it, support a claim.

    Editors create, correct and remove them; a quote that is not in the passage (or not at
    the `start` given) is refused with a 400 naming `exact`. An orphaned citation carries
    `suggestions` (`?orphaned=true` lists those), which an editor accepts with `reanchor`.
    """

    serializer_class = CitationResourceSerializer
    filterset_class = CitationFilter
    ordering_fields = ["id", "created_at"]
    lookup_field = "pk"
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return Citation.objects.with_passage().select_related("content_type").order_by("pk")

    document_texts: DocumentTexts | None = None

    def get_serializer_context(self):
        # One per request: each document's current passages are read once for all the
        # suggestions of the citations shown.
        if self.document_texts is None:
            self.document_texts = DocumentTexts()
        return {**super().get_serializer_context(), "document_texts": self.document_texts}

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            self.get_serializer_context()["document_texts"].preload(page)
        return page

    @extend_schema(
        request=ReanchorSerializer,
        responses={
            200: CitationResourceSerializer,
            409: OpenApiResponse(
                ErrorSerializer,
                description="The suggestion is no longer one (the document changed since it "
                "was proposed, the passage was retired, the offsets fall outside it), or the "
                "citation is not orphaned: nothing was changed. Read its suggestions again.",
            ),
        },
        filters=False,
    )
    @action(detail=True, methods=["post"], permission_classes=[RepairPermissions])
    def reanchor(self, request, pk: str):
        """Re-anchor an orphaned citation on one of its `suggestions` (its `passage`, `start`
        and `end`): the quote becomes the words there, and the history names the editor."""
        citation = self.get_object()
        serializer = ReanchorSerializer(data=request.data, context={"citation": citation})
        serializer.is_valid(raise_exception=True)
        try:
            self.written = citation_reanchor(
                citation=citation, editor=request.user, **serializer.validated_data
            )
        except CandidateStale as error:
            raise Conflict(str(error)) from None
        return Response(status=200)
