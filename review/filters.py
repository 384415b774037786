"""The filters of the flags: one FilterSet, shared by the queue page and the API."""

from __future__ import annotations

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from engagement.models import Framework
from review.models import Flag, FlagReason, FlagStatus
from review.selectors import of_framework


@extend_schema_field(OpenApiTypes.STR)
class FrameworkSlugFilter(django_filters.ModelChoiceFilter):
    """A framework by its slug (the flags on its claims: `selectors.of_framework`)."""


class FlagFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        field_name="status", lookup_expr="exact", choices=FlagStatus.choices
    )
    reason = django_filters.ChoiceFilter(
        field_name="reason", lookup_expr="exact", choices=FlagReason.choices
    )
    framework = FrameworkSlugFilter(
        queryset=Framework.objects.all(),
        to_field_name="slug",
        method="framework_filter",
        help_text="The slug of a framework: flags on its cells.",
    )

    class Meta:
        model = Flag
        fields = ["status", "reason", "framework"]

    def framework_filter(self, queryset, name, value):
        return queryset.filter(of_framework(value.pk)) if value is not None else queryset
