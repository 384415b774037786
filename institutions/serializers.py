"""Serializers of institutions, functions, mandates and relationships, for the API.

Related objects appear as slugs plus `<name>_api_url` and `<name>_html_url`; every object
carries its own `api_url` (and `html_url` where it has a page) and its `citations`.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from rest_framework import serializers

from config.api import ModelCleanMixin, absolute, api_url
from institutions.models import Function, Institution, InstitutionAlias, Mandate, Relationship
from sources.serializers import CitationSerializer, quote_check


def _request(serializer):
    return serializer.context.get("request")


class InstitutionLinksMixin:
    """`<name>_api_url` and `<name>_html_url` of the institution in attribute `name`."""

    def institution_api(self, institution: Institution | None) -> str | None:
        if institution is None:
            return None
        return api_url(_request(self), "institution", institution.slug)

    def institution_html(self, institution: Institution | None) -> str | None:
        if institution is None:
            return None
        return absolute(_request(self), institution.get_absolute_url())


class AliasSerializer(serializers.ModelSerializer):
    citations = CitationSerializer(many=True, read_only=True)

    class Meta:
        model = InstitutionAlias
        fields = ["id", "name", "is_former", "valid_from", "valid_until", "note", "citations"]
        read_only_fields = fields


class InstitutionMandateSerializer(serializers.ModelSerializer):
    """A mandate as part of its institution: the function and the source's words."""

    function = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    function_name = serializers.CharField(source="function.name", read_only=True)
    citations = CitationSerializer(many=True, read_only=True)

    class Meta:
        model = Mandate
        fields = ["id", "function", "function_name", "status", "statement", "citations"]
        read_only_fields = fields


class InstitutionSerializer(InstitutionLinksMixin, ModelCleanMixin, serializers.ModelSerializer):
    """An institution with its names, mandates and citations. Expects `for_detail()`."""

    parent = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Institution.objects.all(),
        allow_null=True,
        required=False,
        help_text="The body it belongs to.",
    )
    parent_api_url = serializers.SerializerMethodField()
    parent_html_url = serializers.SerializerMethodField()
    aliases = AliasSerializer(many=True, read_only=True)
    mandates = InstitutionMandateSerializer(many=True, read_only=True)
    citations = CitationSerializer(many=True, read_only=True)
    api_url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()
    relationships_api_url = serializers.SerializerMethodField(
        help_text="The relationships it is a party to."
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

    def get_parent_api_url(self, institution: Institution) -> str | None:
        return self.institution_api(institution.parent)

    def get_parent_html_url(self, institution: Institution) -> str | None:
        return self.institution_html(institution.parent)

    def get_api_url(self, institution: Institution) -> str:
        return self.institution_api(institution)

    def get_html_url(self, institution: Institution) -> str:
        return self.institution_html(institution)

    def get_relationships_api_url(self, institution: Institution) -> str:
        query = urlencode({"institution": institution.slug})
        return absolute(_request(self), f"{reverse('api:relationship-list')}?{query}")

    def validate_parent(self, parent: Institution | None) -> Institution | None:
        if parent is not None and self.instance is not None and parent.pk == self.instance.pk:
            raise serializers.ValidationError("An institution cannot be its own parent.")
        return parent


class FunctionMandateSerializer(InstitutionLinksMixin, serializers.ModelSerializer):
    """A mandate as part of its function: who holds it, in the source's words."""

    institution = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    institution_api_url = serializers.SerializerMethodField()
    citations = CitationSerializer(many=True, read_only=True)

    class Meta:
        model = Mandate
        fields = ["id", "institution", "institution_api_url", "status", "statement", "citations"]
        read_only_fields = fields

    def get_institution_api_url(self, mandate: Mandate) -> str:
        return self.institution_api(mandate.institution)


class FunctionSerializer(serializers.ModelSerializer):
    """A row of the "Comparisons of Functions" table, with each institution's mandate."""

    mandates = FunctionMandateSerializer(many=True, read_only=True)
    citations = CitationSerializer(many=True, read_only=True)
    api_url = serializers.SerializerMethodField()

    class Meta:
        model = Function
        fields = ["id", "slug", "name", "ordinal", "mandates", "citations", "api_url"]
        read_only_fields = fields

    def get_api_url(self, function: Function) -> str:
        return api_url(_request(self), "function", function.slug)


class MandateSerializer(InstitutionLinksMixin, ModelCleanMixin, serializers.ModelSerializer):
    """An institution's status for one function. Expects function, institution, citations."""

    institution = serializers.SlugRelatedField(
        slug_field="slug", queryset=Institution.objects.all()
    )
    institution_api_url = serializers.SerializerMethodField()
    institution_html_url = serializers.SerializerMethodField()
    function = serializers.SlugRelatedField(slug_field="slug", queryset=Function.objects.all())
    function_name = serializers.CharField(source="function.name", read_only=True)
    function_api_url = serializers.SerializerMethodField()
    citations = CitationSerializer(many=True, read_only=True)
    api_url = serializers.SerializerMethodField()

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

    def get_institution_api_url(self, mandate: Mandate) -> str:
        return self.institution_api(mandate.institution)

    def get_institution_html_url(self, mandate: Mandate) -> str:
        return self.institution_html(mandate.institution)

    def get_function_api_url(self, mandate: Mandate) -> str:
        return api_url(_request(self), "function", mandate.function.slug)

    def get_api_url(self, mandate: Mandate) -> str:
        return api_url(_request(self), "mandate", mandate.pk)

    def validate(self, attrs):
        # The statement is the source's own words: it must stay in the passage it cites.
        if "statement" in attrs:
            quote_check(self.instance, "statement", attrs["statement"], roles=("source",))
        return super().validate(attrs)


class RelationshipSerializer(InstitutionLinksMixin, ModelCleanMixin, serializers.ModelSerializer):
    """A tie between two institutions. Expects `Relationship.objects.for_list()`."""

    subject = serializers.SlugRelatedField(slug_field="slug", queryset=Institution.objects.all())
    subject_api_url = serializers.SerializerMethodField()
    subject_html_url = serializers.SerializerMethodField()
    object = serializers.SlugRelatedField(slug_field="slug", queryset=Institution.objects.all())
    object_api_url = serializers.SerializerMethodField()
    object_html_url = serializers.SerializerMethodField()
    citations = CitationSerializer(many=True, read_only=True)
    api_url = serializers.SerializerMethodField()

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

    def get_subject_api_url(self, relationship: Relationship) -> str:
        return self.institution_api(relationship.subject)

    def get_subject_html_url(self, relationship: Relationship) -> str:
        return self.institution_html(relationship.subject)

    def get_object_api_url(self, relationship: Relationship) -> str:
        return self.institution_api(relationship.object)

    def get_object_html_url(self, relationship: Relationship) -> str:
        return self.institution_html(relationship.object)

    def get_api_url(self, relationship: Relationship) -> str:
        return api_url(_request(self), "relationship", relationship.slug)

    def validate(self, attrs):
        subject = attrs.get("subject", getattr(self.instance, "subject", None))
        obj = attrs.get("object", getattr(self.instance, "object", None))
        if subject is not None and subject == obj:
            raise serializers.ValidationError({"object": ["A relationship needs two parties."]})
        return super().validate(attrs)
