"""Serializers of the engagement framework, shared by the API and the JSON export."""

from __future__ import annotations

from rest_framework import serializers

from engagement.models import Cell
from sources.serializers import CitationSerializer


class CellSerializer(serializers.ModelSerializer):
    """A cell with its position as slugs and its citations. Expects `Cell.objects.for_list()`."""

    framework = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    activity = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    level = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    citations = CitationSerializer(many=True, read_only=True)
    html_url = serializers.SerializerMethodField(help_text="The cell's page.")

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
        ]

    def get_html_url(self, cell: Cell) -> str:
        request = self.context.get("request")
        url = cell.get_absolute_url()
        return request.build_absolute_uri(url) if request else url
