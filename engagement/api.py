"""API viewsets of engagement/: levels, activities, frameworks and cells."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.api.at_release import ReleaseReadsMixin
from core.api.conditional import object_etag
from core.api.errors import Conflict, UniqueConflict
from core.api.permissions import EditorPermissions
from core.api.renderers import JSONRenderer
from core.api.viewsets import AtlasViewSetMixin
from engagement.cell_history import CellHistorySerializer, cell_history
from engagement.filters import (
    KEYWORD_AT_RELEASE,
    ActivityFilter,
    CellFilter,
    FrameworkFilter,
    LevelFilter,
)
from engagement.models import Activity, Cell, EngagementLevel, Framework
from engagement.serializers import (
    CELL_ROW_VALUES,
    ActivitySerializer,
    CellSerializer,
    FrameworkDraftAnswerSerializer,
    FrameworkDraftSerializer,
    FrameworkSerializer,
    LevelSerializer,
    cell_rows,
)
from engagement.services import AlreadyPublished, framework_delete, framework_publish
from sources.models import citations_prefetch

CITATIONS = "citations__passage__document"
RACE = "Another write made a framework or activity with the same slug at the same time; retry."


class LevelViewSet(ReleaseReadsMixin, AtlasViewSetMixin, viewsets.ModelViewSet):
    """The four levels of engagement, deepest integration first, with definition and
    conditions (each cited). Editors may correct their texts; the set of levels is fixed.
    `?release=<tag>`: as they stood at that release."""

    serializer_class = LevelSerializer
    filterset_class = LevelFilter
    ordering_fields = ["ordinal", "name"]
    http_method_names = ["get", "put", "patch", "head", "options"]
    release_model = EngagementLevel
    release_lookups = (CITATIONS,)

    def get_queryset(self):
        if self.release is not None:
            return self.release_queryset().order_by("ordinal")
        return EngagementLevel.objects.with_citations()


class ActivityViewSet(ReleaseReadsMixin, AtlasViewSetMixin, viewsets.ModelViewSet):
    """The common activities of Table 1, in the brief's order. `?release=<tag>`: as they
    stood at that release."""

    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter
    ordering_fields = ["ordinal", "name"]
    release_model = Activity
    release_lookups = (CITATIONS,)

    def get_queryset(self):
        if self.release is not None:
            return self.release_queryset().order_by("ordinal")
        return Activity.objects.prefetch_related(citations_prefetch()).order_by("ordinal")


class PublishPermissions(EditorPermissions):
    """Publishing changes a framework: the `change` permission, whatever the method."""

    perms_map = {**EditorPermissions.perms_map, "POST": ["%(app_label)s.change_%(model_name)s"]}


class FrameworkViewSet(AtlasViewSetMixin, viewsets.ModelViewSet):
    """Matrices: a set of institutions and a source; their cells are under `cells`.

    Editors create, change and delete them (`engagement.services`). Deleting a framework
    deletes its cells and their citations with it, in one transaction, each recorded in
    the history."""

    serializer_class = FrameworkSerializer
    filterset_class = FrameworkFilter
    ordering_fields = ["ordinal", "name"]

    def get_queryset(self):
        return Framework.objects.for_index()

    def perform_destroy(self, instance):
        user = self.request.user
        framework_delete(framework=instance, changed_by=user if user.is_authenticated else None)

    @extend_schema(
        request=FrameworkDraftSerializer,
        responses={201: FrameworkDraftAnswerSerializer},
        filters=False,
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="drafts",
        pagination_class=None,
        renderer_classes=[JSONRenderer],
    )
    def drafts(self, request):
        """Draft a framework from a table of a source: its header row's cells matched to
        levels (or as `levels` maps them), its first column's to activities (new ones
        created), every body cell a cell cited to its row on exactly its words. The answer
        is the draft with its cells; its ETag is the framework's own."""
        serializer = FrameworkDraftSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        try:
            with transaction.atomic():
                drafted = serializer.save()
        except IntegrityError:
            # Another write took a slug this draft was to have (the framework's or a new
            # activity's) between the checks and the writes.
            raise UniqueConflict({"non_field_errors": [RACE]}) from None
        framework = self.get_queryset().get(pk=drafted.pk)
        self.object_tag = object_etag(self.get_serializer(framework).data)
        framework.drafted_cells = list(Cell.objects.filter(framework=framework).for_list())
        answer = FrameworkDraftAnswerSerializer(framework, context=self.get_serializer_context())
        return Response(answer.data, status=201)

    @extend_schema(request=None, responses=FrameworkSerializer)
    @action(detail=True, methods=["post"], permission_classes=[PublishPermissions])
    def publish(self, request, slug=None):
        """Publish a draft: it, its cells, their citations and the activities only it held
        appear everywhere at once. A 409 if it is published already; `If-Match` with its
        ETag refuses (412) a framework changed since it was read."""
        framework = self.get_object()
        try:
            self.written = framework_publish(framework=framework, changed_by=request.user)
        except AlreadyPublished as error:
            raise Conflict(str(error)) from None
        return Response(status=200)


class CellViewSet(ReleaseReadsMixin, AtlasViewSetMixin, viewsets.ModelViewSet):
    """The cells of every matrix (framework × activity × level), each with its citations.
    `?release=<tag>`: as they stood at that release (the keyword filter `q` searches the
    current text only, so it does not combine with `release`)."""

    serializer_class = CellSerializer
    filterset_class = CellFilter
    ordering_fields = ["id", "updated_at", "activity__ordinal", "level__ordinal"]
    lookup_field = "pk"
    lookup_value_regex = r"[0-9]+"
    release_model = Cell
    release_lookups = ("framework", "activity", "level", CITATIONS)
    list_values = CELL_ROW_VALUES

    def get_queryset(self):
        if self.release is not None:
            return self.release_queryset().order_by(
                "framework__ordinal", "framework__name", "activity__ordinal", "level__ordinal"
            )
        return Cell.objects.for_list()

    def filter_queryset(self, queryset):
        if self.release is not None and self.request.query_params.get("q", "").strip():
            raise ValidationError({"q": [KEYWORD_AT_RELEASE]})
        return super().filter_queryset(queryset)

    def get_list_queryset(self):
        return Cell.objects.in_grid_order()

    def list_rows(self, rows):
        return cell_rows(rows, origin=self.request.build_absolute_uri("/")[:-1])

    @extend_schema(responses=CellHistorySerializer(many=True), filters=False)
    @action(detail=True, pagination_class=None, renderer_classes=[JSONRenderer])
    def history(self, request, pk: str):
        """Every version of the cell, newest first: who, when, what changed (also once deleted)."""
        records, previous = cell_history(int(pk))
        if not records:
            raise Http404("No cell with this id, and none ever had it.")
        serializer = CellHistorySerializer(
            records, many=True, context={**self.get_serializer_context(), "previous": previous}
        )
        return Response(serializer.data)
