"""One FilterSet per resource of sources/, shared by the pages and the API."""

from __future__ import annotations

import django_filters
from django.contrib.contenttypes.models import ContentType

from core import registry
from core.filtering import ChoiceMultipleFilter, SlugMultipleFilter, StrictBooleanFilter
from sources.models import (
    Citation,
    CitationRole,
    Document,
    DocumentKind,
    Passage,
    PassageKind,
)


class DocumentFilter(django_filters.FilterSet):
    kind = ChoiceMultipleFilter(field_name="kind", choices=DocumentKind.choices, label="Kind")
    q = django_filters.CharFilter(
        field_name="title", lookup_expr="icontains", label="Title contains"
    )

    class Meta:
        model = Document
        fields = ["kind", "q"]


class PassageFilter(django_filters.FilterSet):
    document = SlugMultipleFilter(
        field_name="document", queryset=Document.objects.all(), label="Document"
    )
    kind = ChoiceMultipleFilter(field_name="kind", choices=PassageKind.choices, label="Kind")
    anchor = django_filters.CharFilter(field_name="anchor", label="Anchor")
    cited = StrictBooleanFilter(method="filter_cited", label="Cited by some claim")
    q = django_filters.CharFilter(field_name="text", lookup_expr="icontains", label="Text contains")

    class Meta:
        model = Passage
        fields = ["document", "kind", "anchor", "cited", "q"]

    def filter_cited(self, queryset, name, value):
        if value is None:
            return queryset
        cited = Citation.objects.values("passage_id")
        return queryset.filter(pk__in=cited) if value else queryset.exclude(pk__in=cited)


class CitationFilter(django_filters.FilterSet):
    document = SlugMultipleFilter(
        field_name="passage__document", queryset=Document.objects.all(), label="Document"
    )
    role = ChoiceMultipleFilter(field_name="role", choices=CitationRole.choices, label="Role")
    claim_type = ChoiceMultipleFilter(
        choices=[(name, name) for name in registry.claim_types()],
        method="filter_claim_type",
        label="Kind of claim",
    )
    orphaned = StrictBooleanFilter(field_name="orphaned", label="Orphaned")

    class Meta:
        model = Citation
        fields = ["document", "role", "claim_type", "orphaned"]

    def filter_claim_type(self, queryset, name, value):
        if not value:
            return queryset
        claims = registry.claim_types()
        models = [claims[claim].model for claim in value]
        return queryset.filter(
            content_type__in=ContentType.objects.get_for_models(*models).values()
        )
