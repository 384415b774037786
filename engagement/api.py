"""API viewsets of engagement/: levels, activities, frameworks and cells."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from core.api.viewsets import AtlasViewSetMixin
from engagement.filters import ActivityFilter, CellFilter, FrameworkFilter, LevelFilter
from engagement.history import CellHistorySerializer, cell_history
from engagement.models import Activity, Cell, EngagementLevel, Framework
from engagement.serializers import (
    ActivitySerializer,
    CellSerializer,
    FrameworkSerializer,
    LevelSerializer,
)
from sources.models import citations_prefetch


class LevelViewSet(AtlasViewSetMixin, viewsets.ModelViewSet):
    """The four levels of engagement, deepest integration first, with definition and
    conditions (each cited). Editors may correct their texts; the set of levels is fixed."""

    serializer_class = LevelSerializer
    filterset_class = LevelFilter
    ordering_fields = ["ordinal", "name"]
    http_method_names = ["get", "put", "patch", "head", "options"]

    def get_queryset(self):
        return EngagementLevel.objects.with_citations()


class ActivityViewSet(AtlasViewSetMixin, viewsets.ModelViewSet):
    """The common activities of Table 1, in the brief's order."""

    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter
    ordering_fields = ["ordinal", "name"]

    def get_queryset(self):
        return Activity.objects.prefetch_related(citations_prefetch()).order_by("ordinal")


class FrameworkViewSet(AtlasViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Matrices: a set of institutions and a source; their cells are under `cells`."""

    serializer_class = FrameworkSerializer
    filterset_class = FrameworkFilter
    ordering_fields = ["ordinal", "name"]

    def get_queryset(self):
        return Framework.objects.for_index()


class CellViewSet(AtlasViewSetMixin, viewsets.ModelViewSet):
    """The cells of every matrix (framework × activity × level), each with its citations."""

    serializer_class = CellSerializer
    filterset_class = CellFilter
    ordering_fields = ["id", "updated_at", "activity__ordinal", "level__ordinal"]
    lookup_field = "pk"
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return Cell.objects.for_list()

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
