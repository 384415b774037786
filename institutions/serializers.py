"""Serializers of institutions, functions, mandates and relationships, for the API.

Related objects appear as slugs plus `<name>_api_url` and `<name>_html_url`; every object
carries its own `api_url` (and `html_url` where it has a page) and its `citations`.
"""

from __future__ import annotations

from rest_framework import serializers

from core.api.fields import ApiListUrlField, ApiUrlField, HtmlUrlField
from core.api.serializers import ModelCleanSerializer
from institutions.models import Function, Institution, InstitutionAlias, Mandate, Relationship
from sources.models import CitationRole
from sources.serializers import CitationSerializer
from sources.services import claim_quote_check


class AliasSerializer(serializers.ModelSerializer):
    citations = CitationSerializer(many=True, read_only=True)

    class Meta:
        model = InstitutionAlias
        fields = ["id", "name", "is_former", "valid_from", "valid_until", "note", "citations"]
        read_only_fields = fields

    @staticmethod
    def csv_summary(item: dict) -> str:
        return item["name"]


class InstitutionMandateSerializer(serializers.ModelSerializer):
    """A mandate as part of its institution: the function and the source's words."""

    function = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    function_name = serializers.CharField(source="function.name", read_only=True)
    citations = CitationSerializer(many=True, read_only=True)

    class Meta:
        model = Mandate
        fields = ["id", "function", "function_name", "status", "statement", "citations"]
        read_only_fields = fields

    @staticmethod
    def csv_summary(item: dict) -> str:
        return f"{item['function']}: {item['statement']}"


class InstitutionSerializer(ModelCleanSerializer):
    """An institution with its names, mandates and citations. Expects `for_detail()`."""

    parent = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Institution.objects.all(),
        allow_null=True,
        required=False,
        help_text="The body it belongs to.",
    )
    parent_api_url = ApiUrlField("institution", source="parent.slug", allow_null=True)
    parent_html_url = HtmlUrlField(source="parent", allow_null=True)
    aliases = AliasSerializer(many=True, read_only=True)
    mandates = InstitutionMandateSerializer(many=True, read_only=True)
    citations = CitationSerializer(many=True, read_only=True)
    api_url = ApiUrlField("institution", source="slug")
    html_url = HtmlUrlField()
    relationships_api_url = ApiListUrlField(
        "relationship",
        filter="institution",
        source="slug",
        help_text="The relationships it is a party to.",
    )

    class Meta:
        model = Institution
        fields = [
            "id",
            "slug",
            "name",
            "short_name",
            "kind",
            "jurisdiction",
            "parent",
            "parent_api_url",
            "parent_html_url",
            "aliases",
            "mandates",
            "citations",
            "updated_at",
            "api_url",
            "html_url",
            "relationships_api_url",
        ]
        read_only_fields = ["id", "updated_at"]

    # A parent that would make it its own ancestor is refused by `Institution.clean()`,
    # which `ModelCleanSerializer` runs.


class FunctionMandateSerializer(serializers.ModelSerializer):
    """A mandate as part of its function: who holds it, in the source's words."""

    institution = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    institution_api_url = ApiUrlField("institution", source="institution.slug")
    citations = CitationSerializer(many=True, read_only=True)

    class Meta:
        model = Mandate
        fields = ["id", "institution", "institution_api_url", "status", "statement", "citations"]
        read_only_fields = fields

    @staticmethod
    def csv_summary(item: dict) -> str:
        return f"{item['institution']}: {item['statement']}"


class FunctionSerializer(serializers.ModelSerializer):
    """A row of the "Comparisons of Functions" table, with each institution's mandate."""

    mandates = FunctionMandateSerializer(many=True, read_only=True)
    citations = CitationSerializer(many=True, read_only=True)
    api_url = ApiUrlField("function", source="slug")

    class Meta:
        model = Function
        fields = ["id", "slug", "name", "ordinal", "mandates", "citations", "api_url"]
        read_only_fields = fields


class MandateSerializer(ModelCleanSerializer):
    """An institution's status for one function. Expects function, institution, citations."""

    institution = serializers.SlugRelatedField(
        slug_field="slug", queryset=Institution.objects.all()
    )
    institution_api_url = ApiUrlField("institution", source="institution.slug")
    institution_html_url = HtmlUrlField(source="institution")
    function = serializers.SlugRelatedField(slug_field="slug", queryset=Function.objects.all())
    function_name = serializers.CharField(source="function.name", read_only=True)
    function_api_url = ApiUrlField("function", source="function.slug")
    citations = CitationSerializer(many=True, read_only=True)
    api_url = ApiUrlField("mandate", source="pk")

    class Meta:
        model = Mandate
        fields = [
            "id",
            "institution",
            "institution_api_url",
            "institution_html_url",
            "function",
            "function_name",
            "function_api_url",
            "status",
            "statement",
            "citations",
            "updated_at",
            "api_url",
        ]
        read_only_fields = ["id", "updated_at"]

    def validate(self, attrs):
        # The statement is the source's own words: it must stay in the passage it cites.
        if "statement" in attrs:
            claim_quote_check(
                self.instance, "statement", attrs["statement"], roles=(CitationRole.SOURCE,)
            )
        return super().validate(attrs)


class RelationshipSerializer(ModelCleanSerializer):
    """A tie between two institutions. Expects `Relationship.objects.for_list()`."""

    subject = serializers.SlugRelatedField(slug_field="slug", queryset=Institution.objects.all())
    subject_api_url = ApiUrlField("institution", source="subject.slug")
    subject_html_url = HtmlUrlField(source="subject")
    object = serializers.SlugRelatedField(slug_field="slug", queryset=Institution.objects.all())
    object_api_url = ApiUrlField("institution", source="object.slug")
    object_html_url = HtmlUrlField(source="object")
    citations = CitationSerializer(many=True, read_only=True)
    api_url = ApiUrlField("relationship", source="slug")

    class Meta:
        model = Relationship
        fields = [
            "id",
            "slug",
            "kind",
            "subject",
            "subject_api_url",
            "subject_html_url",
            "object",
            "object_api_url",
            "object_html_url",
            "description",
            "date",
            "date_note",
            "citations",
            "updated_at",
            "api_url",
        ]
        read_only_fields = ["id", "updated_at"]

    def validate(self, attrs):
        subject = attrs.get("subject", getattr(self.instance, "subject", None))
        obj = attrs.get("object", getattr(self.instance, "object", None))
        if subject is not None and subject == obj:
            raise serializers.ValidationError({"object": ["A relationship needs two parties."]})
        return super().validate(attrs)
