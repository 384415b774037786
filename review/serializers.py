"""Flags in the API: what a reader sends, what the API answers, an editor's decision."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import ApiUrlField
from review.models import NOTE_MAX, PROPOSED_TEXT_MAX, Flag, FlagReason
from review.readers import public_name
from review.selectors import target_info
from sources.models import Passage

TARGET_MAX = 2000


class FlagCreateSerializer(serializers.Serializer):
    """A new flag: the claim (its `api_url`), why, a note, and optionally a correction."""

    target = serializers.CharField(
        max_length=TARGET_MAX,
        help_text="The flagged claim's `api_url` (absolute, or its path: `/api/v1/cells/12/`).",
    )
    reason = serializers.ChoiceField(choices=FlagReason.choices)
    note = serializers.CharField(
        max_length=NOTE_MAX, trim_whitespace=False, help_text="Plain text: what is amiss."
    )
    proposed_text = serializers.CharField(
        max_length=PROPOSED_TEXT_MAX,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="The claim's text as it should read (for a claim with a text).",
    )
    proposed_passage = serializers.PrimaryKeyRelatedField(
        queryset=Passage.objects.select_related("document").defer("document__text"),
        required=False,
        allow_null=True,
        help_text="The id of a passage that supports the claim (with `proposed_quote`).",
    )
    proposed_quote = serializers.CharField(
        max_length=NOTE_MAX,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="The exact words of `proposed_passage`, as the reader shows them.",
    )


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=NOTE_MAX,
        trim_whitespace=False,
        help_text="Why the flag is declined; its reader sees it.",
    )


class AcceptSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=NOTE_MAX,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="An optional word to the reader.",
    )


class FlagSerializer(serializers.ModelSerializer):
    """A flag as its reader and the editors see it. Expects `selectors.flags_for()`."""

    target = serializers.SerializerMethodField(help_text="The flagged claim's `api_url`.")
    target_type = serializers.SerializerMethodField(help_text="`cell`, `mandate`, `level`...")
    target_label = serializers.SerializerMethodField(help_text="The claim in words.")
    target_html_url = serializers.SerializerMethodField(help_text="The claim's page.")
    reader = serializers.SerializerMethodField(help_text="The reader's public name.")
    decided_by = serializers.SerializerMethodField(help_text="The deciding editor's name.")
    proposed_passage = serializers.PrimaryKeyRelatedField(read_only=True)
    api_url = ApiUrlField("flag", source="pk")

    class Meta:
        model = Flag
        fields = [
            "id",
            "target",
            "target_type",
            "target_label",
            "target_html_url",
            "reason",
            "note",
            "proposed_text",
            "proposed_passage",
            "proposed_quote",
            "status",
            "decision_reason",
            "reader",
            "decided_by",
            "created_at",
            "decided_at",
            "api_url",
        ]
        read_only_fields = fields

    def _info(self, flag: Flag):
        cache = self.context.setdefault("target_infos", {})
        if flag.pk not in cache:
            cache[flag.pk] = target_info(flag)
        return cache[flag.pk]

    def _absolute(self, url: str | None) -> str | None:
        request = self.context.get("request")
        return request.build_absolute_uri(url) if url and request is not None else url

    @extend_schema_field(OpenApiTypes.URI)
    def get_target(self, flag: Flag) -> str | None:
        info = self._info(flag)
        return self._absolute(info.api_path) if info else None

    def get_target_type(self, flag: Flag) -> str | None:
        info = self._info(flag)
        return info.type if info else None

    def get_target_label(self, flag: Flag) -> str | None:
        info = self._info(flag)
        return info.label if info else None

    @extend_schema_field(OpenApiTypes.URI)
    def get_target_html_url(self, flag: Flag) -> str | None:
        info = self._info(flag)
        return self._absolute(info.url) if info else None

    def get_reader(self, flag: Flag) -> str:
        return public_name(flag.reader, fallback="a reader")

    def get_decided_by(self, flag: Flag) -> str | None:
        if flag.decided_by is None:
            return None
        return public_name(flag.decided_by, fallback="an editor")
