"""API viewsets of institutions/: institutions, functions, mandates, relationships."""

from __future__ import annotations

from django.db.models import Prefetch
from rest_framework import viewsets

from core.api.viewsets import AtlasViewSetMixin
from institutions.filters import (
    FunctionFilter,
    InstitutionFilter,
    MandateFilter,
    RelationshipFilter,
)
from institutions.models import Function, Institution, Mandate, Relationship
from institutions.serializers import (
    FunctionSerializer,
    InstitutionSerializer,
    MandateSerializer,
    RelationshipSerializer,
)
from sources.models import citations_prefetch


class InstitutionViewSet(AtlasViewSetMixin, viewsets.ModelViewSet):
    """Institutions, with their names (aliases), mandates and citations."""

    serializer_class = InstitutionSerializer
    filterset_class = InstitutionFilter
    ordering_fields = ["name", "slug", "jurisdiction", "kind"]

    def get_queryset(self):
        return Institution.objects.for_detail().order_by("name")


class FunctionViewSet(AtlasViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The functions of the brief's "Comparisons of Functions" table, each with its mandates."""

    serializer_class = FunctionSerializer
    filterset_class = FunctionFilter
    ordering_fields = ["ordinal", "name"]

    def get_queryset(self):
        return Function.objects.prefetch_related(
            Prefetch(
                "mandates",
                queryset=Mandate.objects.select_related("institution")
                .prefetch_related(citations_prefetch())
                .order_by("institution__name"),
            ),
            citations_prefetch(),
        ).order_by("ordinal")


class MandateViewSet(AtlasViewSetMixin, viewsets.ModelViewSet):
    """Each institution's status for each function, in the source's own words."""

    serializer_class = MandateSerializer
    filterset_class = MandateFilter
    ordering_fields = ["status", "function__ordinal", "institution__name"]
    lookup_field = "pk"
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return (
            Mandate.objects.select_related("function", "institution")
            .prefetch_related(citations_prefetch())
            .order_by("function__ordinal", "institution__name")
        )


class RelationshipViewSet(AtlasViewSetMixin, viewsets.ModelViewSet):
    """Dated ties between institutions that the sources report."""

    serializer_class = RelationshipSerializer
    filterset_class = RelationshipFilter
    ordering_fields = ["date", "kind", "slug"]

    def get_queryset(self):
        return Relationship.objects.for_list().order_by("subject__name", "kind", "object__name")
