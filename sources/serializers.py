"""The shape of a citation, shared by every API resource and export that carries one."""

from __future__ import annotations

from rest_framework import serializers

from sources.models import Citation


class CitationSerializer(serializers.ModelSerializer):
    """A W3C text quote selector and text position selector into a passage.

    Expects citations fetched with `Citation.objects.with_passage()`.
    """

    document = serializers.SlugRelatedField(
        source="passage.document", slug_field="slug", read_only=True
    )
    passage = serializers.SlugRelatedField(slug_field="anchor", read_only=True)
    valid = serializers.BooleanField(read_only=True)
    url = serializers.SerializerMethodField(
        help_text="The reader at the passage, quote highlighted."
    )

    class Meta:
        model = Citation
        fields = [
            "id",
            "role",
            "document",
            "passage",
            "exact",
            "prefix",
            "suffix",
            "start",
            "end",
            "valid",
            "orphaned",
            "url",
        ]
        read_only_fields = fields

    def get_url(self, citation: Citation) -> str:
        request = self.context.get("request")
        url = citation.get_absolute_url()
        return request.build_absolute_uri(url) if request else url
