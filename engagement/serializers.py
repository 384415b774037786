"""Serializers of the engagement framework, shared by the API and the JSON export.

Related objects appear as slugs plus `<name>_api_url` and `<name>_html_url`; every object
carries its own `api_url` and `html_url`.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api import ModelCleanMixin, absolute, api_url
from engagement.models import Activity, Cell, CellKind, EngagementLevel, Framework
from sources.models import CitationRole
from sources.serializers import CitationSerializer, quote_check


def _request(serializer):
    return serializer.context.get("request")


def _cells_api_url(request, **query: str) -> str:
    return absolute(request, f"{reverse('api:cell-list')}?{urlencode(query)}")


class CellSerializer(ModelCleanMixin, serializers.ModelSerializer):
    """A cell with its position as slugs and its citations. Expects `Cell.objects.for_list()`.

    Writable by editors: the position (framework, activity, level) on creation, and the
    kind, text and emphasis. A verbatim cell's text must stay in the passage it cites.
    """

    framework = serializers.SlugRelatedField(slug_field="slug", queryset=Framework.objects.all())
    activity = serializers.SlugRelatedField(slug_field="slug", queryset=Activity.objects.all())
    level = serializers.SlugRelatedField(slug_field="slug", queryset=EngagementLevel.objects.all())
    citations = CitationSerializer(source="cited", many=True, read_only=True)
    html_url = serializers.SerializerMethodField(help_text="The cell's page.")
    api_url = serializers.SerializerMethodField()
    framework_api_url = serializers.SerializerMethodField()
    framework_html_url = serializers.SerializerMethodField()
    activity_api_url = serializers.SerializerMethodField()
    activity_html_url = serializers.SerializerMethodField()
    level_api_url = serializers.SerializerMethodField()
    level_html_url = serializers.SerializerMethodField()

    class Meta:
        model = Cell
        fields = [
            "id",
            "framework",
            "activity",
            "level",
            "kind",
            "text",
            "emphasised",
            "updated_at",
            "citations",
            "html_url",
            "api_url",
            "framework_api_url",
            "framework_html_url",
            "activity_api_url",
            "activity_html_url",
            "level_api_url",
            "level_html_url",
        ]
        read_only_fields = ["id", "updated_at"]

    def get_html_url(self, cell: Cell) -> str:
        return absolute(_request(self), cell.get_absolute_url())

    def get_api_url(self, cell: Cell) -> str:
        return api_url(_request(self), "cell", cell.pk)

    def get_framework_api_url(self, cell: Cell) -> str:
        return api_url(_request(self), "framework", cell.framework.slug)

    def get_framework_html_url(self, cell: Cell) -> str:
        return absolute(_request(self), cell.framework.get_absolute_url())

    def get_activity_api_url(self, cell: Cell) -> str:
        return api_url(_request(self), "activity", cell.activity.slug)

    def get_activity_html_url(self, cell: Cell) -> str:
        return absolute(_request(self), cell.activity.get_absolute_url())

    def get_level_api_url(self, cell: Cell) -> str:
        return api_url(_request(self), "level", cell.level.slug)

    def get_level_html_url(self, cell: Cell) -> str:
        return absolute(_request(self), cell.level.get_absolute_url())

    def update(self, instance: Cell, validated_data) -> Cell:
        instance = super().update(instance, validated_data)
        # As DRF drops a prefetch cache after a write: the answer shows the citations as now.
        instance.__dict__.pop("prefetched_citations", None)
        return instance

    def validate(self, attrs):
        if self.instance is not None:
            for name in ("framework", "activity", "level"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise serializers.ValidationError(
                        {name: ["A cell's position cannot change; create another cell."]}
                    )
        kind = attrs.get("kind", getattr(self.instance, "kind", None))
        if kind == CellKind.VERBATIM and "text" in attrs:
            quote_check(self.instance, "text", attrs["text"], roles=(CitationRole.SOURCE,))
        return super().validate(attrs)


class LevelSerializer(ModelCleanMixin, serializers.ModelSerializer):
    """A level with its definition and conditions, each cited. Expects `with_citations()`."""

    definition_citations = serializers.SerializerMethodField(
        help_text="Where the definition is quoted from (footnote 2 of the brief)."
    )
    conditions_citations = serializers.SerializerMethodField(
        help_text="Where the conditions are quoted from."
    )
    citations = CitationSerializer(many=True, read_only=True, help_text="Every citation.")
    api_url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()
    cells_api_url = serializers.SerializerMethodField(help_text="Its cells in every framework.")

    class Meta:
        model = EngagementLevel
        fields = [
            "id",
            "slug",
            "name",
            "ordinal",
            "definition",
            "definition_citations",
            "conditions",
            "conditions_citations",
            "citations",
            "updated_at",
            "api_url",
            "html_url",
            "cells_api_url",
        ]
        read_only_fields = ["id", "slug", "ordinal", "updated_at"]

    def _cited(self, level: EngagementLevel, role: str) -> list:
        citations = [c for c in level.citations.all() if c.role == role]
        return CitationSerializer(citations, many=True, context=self.context).data

    @extend_schema_field(CitationSerializer(many=True))
    def get_definition_citations(self, level: EngagementLevel) -> list[dict]:
        return self._cited(level, CitationRole.DEFINITION)

    @extend_schema_field(CitationSerializer(many=True))
    def get_conditions_citations(self, level: EngagementLevel) -> list[dict]:
        return self._cited(level, CitationRole.CONDITIONS)

    def get_api_url(self, level: EngagementLevel) -> str:
        return api_url(_request(self), "level", level.slug)

    def get_html_url(self, level: EngagementLevel) -> str:
        return absolute(_request(self), level.get_absolute_url())

    def get_cells_api_url(self, level: EngagementLevel) -> str:
        return _cells_api_url(_request(self), level=level.slug)

    def validate(self, attrs):
        if "definition" in attrs:
            quote_check(
                self.instance, "definition", attrs["definition"], roles=(CitationRole.DEFINITION,)
            )
        return super().validate(attrs)


class ActivitySerializer(ModelCleanMixin, serializers.ModelSerializer):
    """A common activity of Table 1. Expects citations prefetched."""

    citations = CitationSerializer(many=True, read_only=True)
    api_url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()
    cells_api_url = serializers.SerializerMethodField(help_text="Its cells in every framework.")

    class Meta:
        model = Activity
        fields = [
            "id",
            "slug",
            "name",
            "ordinal",
            "citations",
            "updated_at",
            "api_url",
            "html_url",
            "cells_api_url",
        ]
        read_only_fields = ["id", "updated_at"]

    def get_api_url(self, activity: Activity) -> str:
        return api_url(_request(self), "activity", activity.slug)

    def get_html_url(self, activity: Activity) -> str:
        return absolute(_request(self), activity.get_absolute_url())

    def get_cells_api_url(self, activity: Activity) -> str:
        return _cells_api_url(_request(self), activity=activity.slug)


class FrameworkSerializer(serializers.ModelSerializer):
    """A matrix: its institutions and source. Expects `Framework.objects.for_index()`."""

    document = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    document_api_url = serializers.SerializerMethodField()
    document_html_url = serializers.SerializerMethodField()
    institutions = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True, help_text="Slugs of its institutions."
    )
    api_url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField(help_text="The matrix page.")
    cells_api_url = serializers.SerializerMethodField(help_text="Its cells.")

    class Meta:
        model = Framework
        fields = [
            "id",
            "slug",
            "name",
            "description",
            "ordinal",
            "document",
            "document_api_url",
            "document_html_url",
            "institutions",
            "updated_at",
            "api_url",
            "html_url",
            "cells_api_url",
        ]
        read_only_fields = fields

    def get_document_api_url(self, framework: Framework) -> str:
        return api_url(_request(self), "document", framework.document.slug)

    def get_document_html_url(self, framework: Framework) -> str:
        return absolute(_request(self), framework.document.get_absolute_url())

    def get_api_url(self, framework: Framework) -> str:
        return api_url(_request(self), "framework", framework.slug)

    def get_html_url(self, framework: Framework) -> str:
        return absolute(_request(self), framework.get_absolute_url())

    def get_cells_api_url(self, framework: Framework) -> str:
        return _cells_api_url(_request(self), framework=framework.slug)
