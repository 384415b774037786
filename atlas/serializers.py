"""Serializers of the knowledge base over time: its changes and its releases."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from core import registry
from core.api.fields import ApiUrlField, HtmlUrlField, UrlField
from core.models import Release

ACTIONS = ["created", "changed", "deleted"]


class FieldChangeSerializer(serializers.Serializer):
    """A field's value before and after the change (null where it had none)."""

    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "integer"}]})
class KeyField(serializers.Field):
    def to_representation(self, value):
        return value


class DatasetChangeSerializer(serializers.Serializer):
    """One creation, change or deletion of one object. Expects `core.changes.Change`."""

    version = serializers.IntegerField(
        help_text="The dataset version of the transaction that made it; keep the last one "
        "you saw and ask `?since=` it next time."
    )
    time = serializers.DateTimeField()
    action = serializers.ChoiceField(choices=ACTIONS)
    type = serializers.ChoiceField(choices=[])
    key = KeyField(help_text="The object's slug, or its id where it has no slug.")
    label = serializers.CharField(help_text="The object in words, as it was.")
    editor = serializers.CharField(
        allow_null=True, help_text="The editor's public name; null for imports and commands."
    )
    reason = serializers.CharField(help_text="Why, where the history says (an import).")
    api_url = UrlField(allow_null=True)
    html_url = UrlField(allow_null=True, help_text="Its page; null once it is deleted.")
    fields = serializers.DictField(
        child=FieldChangeSerializer(),
        source="fields_dict",
        help_text="Each changed field: {name: {before, after}}; related objects by key.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = list(registry.tracked_types())

    class Meta:
        fields = [
            "version",
            "time",
            "action",
            "type",
            "key",
            "label",
            "editor",
            "reason",
            "api_url",
            "html_url",
            "fields",
        ]


@extend_schema_serializer(component_name="PaginatedDatasetChangeList")
class DatasetChangePageSerializer(serializers.Serializer):
    """A page of changes, oldest first: a cursor page (`next`), without a count."""

    since = serializers.IntegerField()
    next = serializers.URLField(
        allow_null=True, help_text="The next page; null when there is none (yet)."
    )
    results = DatasetChangeSerializer(many=True)


class ReleaseSerializer(serializers.ModelSerializer):
    """A release: a frozen state of the knowledge base. Expects `Release.objects.listing()`."""

    dataset_version = serializers.IntegerField(source="version")
    datapackage_sha256 = serializers.CharField(source="package.sha256")
    datapackage_bytes = serializers.IntegerField(source="package.size")
    datapackage_url = UrlField(
        source="datapackage_path", help_text="Its data package: the same bytes at every download."
    )
    api_url = ApiUrlField("release", source="tag")
    html_url = HtmlUrlField()

    class Meta:
        model = Release
        fields = [
            "tag",
            "title",
            "notes",
            "created_at",
            "dataset_version",
            "counts",
            "datapackage_url",
            "datapackage_sha256",
            "datapackage_bytes",
            "api_url",
            "html_url",
        ]
        read_only_fields = fields
