"""The shape of a citation, shared by every API resource and export that carries one."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from rest_framework import serializers

from config.api import absolute, api_url
from sources.models import Citation, CitationRole, Document, Passage
from sources.services import CONTEXT_CHARS, locate_quote


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


# --- API resources ------------------------------------------------------------------------
# Related objects appear as slugs plus two links: `<name>_api_url` (this API) and
# `<name>_html_url` (the page). Every object carries its own `api_url` and `html_url`.


def _request(serializer):
    return serializer.context.get("request")


class DocumentSerializer(serializers.ModelSerializer):
    """A source document without its full text. Expects `Document.objects.for_index()`."""

    published_display = serializers.CharField(
        read_only=True, help_text="The date to the precision the source gives."
    )
    passage_count = serializers.IntegerField(read_only=True)
    url = serializers.CharField(
        read_only=True, help_text="Where the source is published; empty when unknown."
    )
    api_url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField(help_text="The reader.")
    passages_api_url = serializers.SerializerMethodField(help_text="Its passages, in order.")

    class Meta:
        model = Document
        fields = [
            "id",
            "slug",
            "title",
            "kind",
            "authors",
            "publisher",
            "published",
            "published_precision",
            "published_display",
            "url",
            "language",
            "format",
            "sha256",
            "added_at",
            "updated_at",
            "passage_count",
            "api_url",
            "html_url",
            "passages_api_url",
        ]
        read_only_fields = fields

    def get_api_url(self, document: Document) -> str:
        return api_url(_request(self), "document", document.slug)

    def get_html_url(self, document: Document) -> str:
        return absolute(_request(self), document.get_absolute_url())

    def get_passages_api_url(self, document: Document) -> str:
        url = reverse("api:passage-list") + "?" + urlencode({"document": document.slug})
        return absolute(_request(self), url)


class DocumentDetailSerializer(DocumentSerializer):
    """A document with its canonical full text (passages are offsets into it)."""

    class Meta(DocumentSerializer.Meta):
        fields = [*DocumentSerializer.Meta.fields, "text"]
        read_only_fields = fields


class PassageSerializer(serializers.ModelSerializer):
    """A passage with its document's slug. Expects `select_related("document")`."""

    document = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    document_api_url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField(help_text="The reader, at this passage.")

    class Meta:
        model = Passage
        fields = [
            "id",
            "document",
            "document_api_url",
            "ordinal",
            "anchor",
            "kind",
            "level",
            "section",
            "start",
            "end",
            "text",
            "html",
            "api_url",
            "html_url",
        ]
        read_only_fields = fields

    def get_document_api_url(self, passage: Passage) -> str:
        return api_url(_request(self), "document", passage.document.slug)

    def get_api_url(self, passage: Passage) -> str:
        return api_url(_request(self), "passage", passage.pk)

    def get_html_url(self, passage: Passage) -> str:
        return absolute(_request(self), f"{passage.document.get_absolute_url()}#{passage.anchor}")


# The kinds of claim a citation may support, as named in the API.
CLAIM_TYPES = {
    "cell": ("engagement", "cell"),
    "level": ("engagement", "engagementlevel"),
    "activity": ("engagement", "activity"),
    "institution": ("institutions", "institution"),
    "alias": ("institutions", "institutionalias"),
    "function": ("institutions", "function"),
    "mandate": ("institutions", "mandate"),
    "relationship": ("institutions", "relationship"),
}
_CLAIM_NAMES = {value: key for key, value in CLAIM_TYPES.items()}


class ClaimTypeField(serializers.ChoiceField):
    """The kind of claim, read from the citation's content type."""

    def get_attribute(self, citation: Citation) -> str:
        content_type = citation.content_type
        return _CLAIM_NAMES.get((content_type.app_label, content_type.model), content_type.model)


class CitationResourceSerializer(CitationSerializer):
    """A citation as its own resource: the shared shape plus what it supports.

    Reads expect `Citation.objects.with_passage().select_related("content_type")`. Writes
    take `claim_type` and `claim_id`, the `document` and `passage` (anchor) and the quote
    `exact`; the offsets, prefix and suffix are computed from the passage text (or, when
    `start` is given, checked against it), so a citation is valid from the moment it exists.
    """

    claim_type = ClaimTypeField(choices=sorted(CLAIM_TYPES))
    claim_id = serializers.IntegerField(source="object_id", min_value=1)
    document = serializers.SlugField(
        source="passage.document.slug", help_text="The document's slug."
    )
    passage = serializers.SlugField(source="passage.anchor", help_text="The passage's anchor.")
    role = serializers.ChoiceField(choices=CitationRole.choices, default=CitationRole.SOURCE)
    exact = serializers.CharField(trim_whitespace=False, help_text="The quote, verbatim.")
    start = serializers.IntegerField(
        min_value=0,
        required=False,
        help_text="Offset of the quote in the passage; found from the text when omitted.",
    )
    end = serializers.IntegerField(read_only=True)
    prefix = serializers.CharField(read_only=True)
    suffix = serializers.CharField(read_only=True)
    occurrence = serializers.IntegerField(
        min_value=1,
        default=1,
        write_only=True,
        help_text="Which appearance of the quote, when `start` is omitted and it repeats.",
    )
    api_url = serializers.SerializerMethodField()

    class Meta(CitationSerializer.Meta):
        fields = [
            "claim_type",
            "claim_id",
            *CitationSerializer.Meta.fields,
            "occurrence",
            "api_url",
        ]
        read_only_fields = ["id", "prefix", "suffix", "end", "valid", "orphaned", "url"]

    def get_api_url(self, citation: Citation) -> str:
        return api_url(_request(self), "citation", citation.pk)

    def validate(self, attrs):
        merged = {
            "claim_type": self._current("claim_type"),
            "object_id": self._current("object_id"),
            "role": self._current("role"),
            "exact": self._current("exact"),
        }
        merged.update({k: v for k, v in attrs.items() if k in merged})
        location = attrs.get("passage", {})
        document_slug = location.get("document", {}).get("slug") or self._current("document")
        anchor = location.get("anchor") or self._current("anchor")

        app_label, model = CLAIM_TYPES[merged["claim_type"]]
        content_type = ContentType.objects.get_by_natural_key(app_label, model)
        if not content_type.model_class()._default_manager.filter(pk=merged["object_id"]).exists():
            raise serializers.ValidationError(
                {"claim_id": [f"No {merged['claim_type']} has id {merged['object_id']}."]}
            )
        passage = (
            Passage.objects.select_related("document")
            .filter(document__slug=document_slug, anchor=anchor)
            .first()
        )
        if passage is None:
            field = (
                "document"
                if not Document.objects.filter(slug=document_slug).exists()
                else "passage"
            )
            raise serializers.ValidationError({field: [f"No passage {document_slug}#{anchor}."]})
        exact = merged["exact"]
        if "start" in attrs:
            start = attrs["start"]
            if passage.text[start : start + len(exact)] != exact:
                raise serializers.ValidationError(
                    {
                        "exact": [
                            f"The quote is not found at {start}-{start + len(exact)} of passage "
                            f"{passage.document.slug}#{passage.anchor}."
                        ]
                    }
                )
        else:
            try:
                start = locate_quote(passage, exact, occurrence=attrs.get("occurrence", 1))
            except DjangoValidationError as error:
                raise serializers.ValidationError(error.message_dict) from None
        end = start + len(exact)
        return {
            "content_type": content_type,
            "object_id": merged["object_id"],
            "role": merged["role"],
            "passage": passage,
            "exact": exact,
            "start": start,
            "end": end,
            "prefix": passage.text[max(0, start - CONTEXT_CHARS) : start],
            "suffix": passage.text[end : end + CONTEXT_CHARS],
            "orphaned": False,
        }

    def _current(self, name):
        citation = self.instance
        if citation is None:
            return None
        if name == "claim_type":
            return _CLAIM_NAMES.get((citation.content_type.app_label, citation.content_type.model))
        if name == "document":
            return citation.passage.document.slug
        if name == "anchor":
            return citation.passage.anchor
        return getattr(citation, name)

    def create(self, validated_data):
        citation = Citation(**validated_data)
        citation.full_clean()
        citation.save()
        return citation

    def update(self, citation, validated_data):
        for name, value in validated_data.items():
            setattr(citation, name, value)
        citation.full_clean()
        citation.save()
        return citation


def quote_check(claim, field: str, value: str, *, roles: tuple[str, ...]) -> None:
    """A field that quotes the source must still be found in a passage the claim cites.

    Expects `claim.citations` prefetched with their passages. A claim without such
    citations is not checked (an editor adds the citation next).
    """
    if claim is None:
        return
    passages = [c.passage for c in claim.citations.all() if c.role in roles]
    if passages and not any(value in passage.text for passage in passages):
        anchors = ", ".join(sorted({f"{p.document.slug}#{p.anchor}" for p in passages}))
        raise serializers.ValidationError(
            {field: [f"The new text is not found in the passage it cites ({anchors})."]}
        )
