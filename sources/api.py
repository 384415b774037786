"""API viewsets of sources/: documents and passages (read-only), citations (editable)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.errors import Conflict, ErrorSerializer
from core.api.permissions import EditorPermissions
from core.api.renderers import JSONRenderer
from core.api.viewsets import AtlasViewSetMixin
from sources.filters import CitationFilter, DocumentFilter, PassageFilter
from sources.models import Citation, Document, Passage, Upload
from sources.serializers import (
    CitationResourceSerializer,
    DocumentDetailSerializer,
    DocumentSerializer,
    JobSerializer,
    PassageSerializer,
    ReanchorSerializer,
    UploadSerializer,
    VersionUploadSerializer,
)
from sources.services import CandidateStale, citation_reanchor
from sources.suggestions import SuggestionBook
from sources.uploads import (
    document_plan,
    document_plan_write,
    upload_create,
    upload_inline,
    upload_start,
    upload_state,
    validation_fields,
)

PLAN = inline_serializer(
    "UploadPreview",
    {
        "slug": serializers.CharField(),
        "created": serializers.BooleanField(),
        "outline": serializers.ListField(child=serializers.DictField()),
        "pages": serializers.IntegerField(
            allow_null=True, help_text="A PDF's number of pages; null for other files."
        ),
        "passages": serializers.ListField(
            child=serializers.DictField(),
            help_text="Each with its anchor, kind, level, html, header and, in a PDF, the "
            "pages it starts and ends on (`source_page`, `source_page_end`).",
        ),
        "passages_added": serializers.ListField(child=serializers.CharField()),
        "passages_removed": serializers.ListField(child=serializers.CharField()),
        "passages_changed": serializers.ListField(child=serializers.CharField()),
        "citations_orphaned": serializers.ListField(
            child=serializers.DictField(), help_text="Each with its id, quote and claim."
        ),
    },
)
UPLOAD_RESPONSES = {
    200: OpenApiResponse(PLAN, description="`preview=true`: what would be written; nothing is."),
    201: OpenApiResponse(
        DocumentDetailSerializer, description="Written at once (a small file): the document."
    ),
    202: OpenApiResponse(
        JobSerializer,
        description="A large file: written by a background task; `Location` is the job.",
    ),
}


class DocumentViewSet(AtlasViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Source documents. The detail includes the canonical full text."""

    filterset_class = DocumentFilter
    ordering_fields = ["title", "published", "added_at", "slug"]

    def get_queryset(self):
        documents = Document.objects.for_index()
        # The detail shows the text that `for_index()` defers for lists.
        return documents if self.action == "list" else documents.defer(None)

    def get_serializer_class(self):
        return DocumentSerializer if self.action == "list" else DocumentDetailSerializer

    def get_parsers(self):
        # Called before `self.action` is set: the action is the one this method maps to.
        request = getattr(self, "request", None)
        action = (
            getattr(self, "action_map", {}).get(request.method.lower())
            if request is not None
            else getattr(self, "action", None)  # the schema's generator sets it
        )
        if action in ("create", "versions"):
            return [MultiPartParser(), FormParser()]
        return super().get_parsers()

    @extend_schema(request=UploadSerializer, responses=UPLOAD_RESPONSES)
    def create(self, request, *args, **kwargs):
        """Upload a document (multipart: `file` plus the metadata `ingest` takes); refused
        with a 400 naming the field as `ingest` refuses it. A small file is written at once
        (201); a large one by a background task (202, `Location` of the job)."""
        form = UploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        values = dict(form.validated_data)
        return self._upload(request, values, slug=values["slug"], update=False)

    @extend_schema(request=VersionUploadSerializer, responses=UPLOAD_RESPONSES)
    @action(detail=True, methods=["post"], url_path="versions")
    def versions(self, request, slug=None):
        """A new version of the document's text (multipart `file`), as `ingest --update`:
        unchanged passages keep their anchors, citations whose quote no longer stands are
        orphaned."""
        if not Document.objects.filter(slug=slug).exists():
            raise Http404
        form = VersionUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._upload(request, dict(form.validated_data), slug=slug, update=True)

    def _upload(self, request, values: dict, *, slug: str, update: bool) -> Response:
        file = values.pop("file")
        data = file.read()
        try:
            plan = document_plan(
                filename=file.name, data=data, slug=slug, update=update, metadata=values
            )
        except DjangoValidationError as error:
            raise exceptions.ValidationError(validation_fields(error)) from None
        if values.get("preview"):
            return Response(plan.as_json(), status=200)
        if upload_inline(len(data)):
            try:
                document, _ = document_plan_write(plan=plan, changed_by=request.user)
            except DjangoValidationError as error:
                raise exceptions.ValidationError(validation_fields(error)) from None
            self.written = document
            # The document and its `Location` (its `api_url`), as every create answers.
            return Response(status=201)
        upload = upload_create(
            owner=request.user,
            filename=file.name,
            data=data,
            slug=slug,
            update=update,
            metadata=values,
        )
        upload_start(upload)
        state = upload_state(upload)
        return Response(state, status=202, headers={"Location": state["url"]})


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

    suggestions: SuggestionBook | None = None

    def get_serializer_context(self):
        # One per request: the stored suggestions of the citations shown, read at once.
        if self.suggestions is None:
            self.suggestions = SuggestionBook()
        return {**super().get_serializer_context(), "suggestions": self.suggestions}

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            self.get_serializer_context()["suggestions"].preload(page)
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


class JobView(APIView):
    """A background upload: its status (queued, running, succeeded or failed), its progress,
    its result (the document's `api_url`) or its error (the field and the reason). Its owner
    and the editors see it; for anyone else it does not exist."""

    renderer_classes = [JSONRenderer]
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=JobSerializer)
    def get(self, request, pk):
        upload = Upload.objects.select_related("document").filter(pk=pk).first()
        if upload is None or not (
            upload.owner_id == request.user.pk or request.user.has_perm("sources.add_document")
        ):
            raise Http404
        return Response(upload_state(upload))
