"""API viewsets of institutions/: institutions, functions, mandates, relationships."""

from __future__ import annotations

from django.db.models import Prefetch
from rest_framework import viewsets

from core.api.at_release import ReleaseReadsMixin
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

CITATIONS = "citations__passage__document"


class InstitutionViewSet(ReleaseReadsMixin, AtlasViewSetMixin, viewsets.ModelViewSet):
    """Institutions, with their names (aliases), mandates and citations. `?release=<tag>`:
    as they stood at that release."""

    serializer_class = InstitutionSerializer
    filterset_class = InstitutionFilter
    ordering_fields = ["name", "slug", "jurisdiction", "kind"]
    release_model = Institution
    release_lookups = (
        "parent",
        f"aliases__{CITATIONS}",
        "mandates__function",
        f"mandates__{CITATIONS}",
        CITATIONS,
    )

    def get_queryset(self):
        if self.release is not None:
            return self.release_queryset().order_by("name")
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


class MandateViewSet(ReleaseReadsMixin, AtlasViewSetMixin, viewsets.ModelViewSet):
    """Each institution's status for each function, in the source's own words.
    `?release=<tag>`: as they stood at that release."""

    serializer_class = MandateSerializer
    filterset_class = MandateFilter
    ordering_fields = ["status", "function__ordinal", "institution__name"]
    lookup_field = "pk"
    lookup_value_regex = r"[0-9]+"
    release_model = Mandate
    release_lookups = ("function", "institution", CITATIONS)

    def get_queryset(self):
        if self.release is not None:
            return self.release_queryset().order_by("function__ordinal", "institution__name")
        return (
            Mandate.objects.select_related("function", "institution")
            .prefetch_related(citations_prefetch())
            .order_by("function__ordinal", "institution__name")
        )


class RelationshipViewSet(ReleaseReadsMixin, AtlasViewSetMixin, viewsets.ModelViewSet):
    """Dated ties between institutions that the sources report. `?release=<tag>`: as they
    stood at that release."""

    serializer_class = RelationshipSerializer
    filterset_class = RelationshipFilter
    ordering_fields = ["date", "kind", "slug"]
    release_model = Relationship
    release_lookups = ("subject", "object", CITATIONS)

    def get_queryset(self):
        if self.release is not None:
            return self.release_queryset().order_by("subject__name", "kind", "object__name")
        return Relationship.objects.for_list().order_by("subject__name", "kind", "object__name")
