"""One FilterSet per resource of institutions/, shared by the pages and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from core.filtering import (
    CheckboxMultiple,
    ChoiceMultipleFilter,
    NameFilterSet,
    SlugMultipleFilter,
)
from core.history import state_of
from institutions.models import (
    Function,
    Institution,
    InstitutionAlias,
    InstitutionKind,
    Mandate,
    MandateStatus,
    Relationship,
    RelationshipKind,
)


class InstitutionFilter(django_filters.FilterSet):
    kind = ChoiceMultipleFilter(field_name="kind", choices=InstitutionKind.choices, label="Kind")
    jurisdiction = django_filters.AllValuesMultipleFilter(
        field_name="jurisdiction", widget=CheckboxMultiple, label="Jurisdiction"
    )
    parent = SlugMultipleFilter(
        field_name="parent", queryset=Institution.objects.all(), label="Part of"
    )
    q = django_filters.CharFilter(method="filter_q", label="Name contains")

    class Meta:
        model = Institution
        fields = ["kind", "jurisdiction", "parent", "q"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        state = state_of(queryset)
        if state is not None:
            # As they stood: the names of that state (history has no reverse relations).
            names = state.objects(InstitutionAlias).filter(name__icontains=value)
            return queryset.filter(
                Q(name__icontains=value)
                | Q(short_name__icontains=value)
                | Q(id__in=names.values("institution_id"))
            )
        return queryset.filter(
            Q(name__icontains=value)
            | Q(short_name__icontains=value)
            | Q(aliases__name__icontains=value)
        ).distinct()


class FunctionFilter(NameFilterSet):
    class Meta:
        model = Function
        fields = ["q"]


class MandateFilter(django_filters.FilterSet):
    institution = SlugMultipleFilter(
        field_name="institution", queryset=Institution.objects.all(), label="Institution"
    )
    function = SlugMultipleFilter(
        field_name="function", queryset=Function.objects.all(), label="Function"
    )
    status = ChoiceMultipleFilter(
        field_name="status", choices=MandateStatus.choices, label="Status"
    )

    class Meta:
        model = Mandate
        fields = ["institution", "function", "status"]


class RelationshipFilter(django_filters.FilterSet):
    institution = SlugMultipleFilter(
        queryset=Institution.objects.all(),
        method="filter_institution",
        label="Involving (either party)",
    )
    subject = SlugMultipleFilter(
        field_name="subject", queryset=Institution.objects.all(), label="Subject"
    )
    object = SlugMultipleFilter(
        field_name="object", queryset=Institution.objects.all(), label="Object"
    )
    kind = ChoiceMultipleFilter(field_name="kind", choices=RelationshipKind.choices, label="Kind")

    class Meta:
        model = Relationship
        fields = ["institution", "subject", "object", "kind"]

    def filter_institution(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Q(subject__in=value) | Q(object__in=value))
