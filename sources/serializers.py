"""The shape of a citation, shared by every API resource and export that carries one, and
the API's documents, passages and citations.

Related objects appear as slugs plus two links: `<name>_api_url` (this API) and
`<name>_html_url` (the page). Every object carries its own `api_url` and `html_url`.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from rest_framework import serializers

from core import registry
from core.api.fields import ApiListUrlField, ApiUrlField, HtmlUrlField
from sources.models import (
    Citation,
    CitationRole,
    Document,
    Passage,
    citation_url,
    pages_label,
)
from sources.quotes import quote_stands
from sources.services import passage_quote
from sources.suggestions import SuggestionBook


class CitationListSerializer(serializers.ListSerializer):
    """A claim's citations, only those of one `role` when given (a level's definition)."""

    def __init__(self, *args, role: str | None = None, **kwargs) -> None:
        self.role = role
        super().__init__(*args, **kwargs)

    def to_representation(self, data):
        items = data.all() if hasattr(data, "all") else data
        if self.role is not None:
            items = [citation for citation in items if citation.role == self.role]
        return super().to_representation(items)


class CitationSerializer(serializers.ModelSerializer):
    """A W3C text quote selector and text position selector into a passage.

    Expects citations fetched with `Citation.objects.with_passage()`.
    """

    document = serializers.SlugRelatedField(
        source="passage.document", slug_field="slug", read_only=True
    )
    passage = serializers.SlugRelatedField(slug_field="anchor", read_only=True)
    source_page = serializers.IntegerField(
        source="passage.source_page",
        read_only=True,
        allow_null=True,
        help_text="The page of the source (a PDF) the passage starts on; null for a document "
        "without pages.",
    )
    source_page_end = serializers.IntegerField(
        source="passage.source_page_end",
        read_only=True,
        allow_null=True,
        help_text="The page it ends on (its start page unless it runs over a page break); "
        "null for a document without pages.",
    )
    valid = serializers.BooleanField(read_only=True)
    url = HtmlUrlField(help_text="The reader at the passage, quote highlighted.")

    class Meta:
        model = Citation
        list_serializer_class = CitationListSerializer
        fields = [
            "id",
            "role",
            "document",
            "passage",
            "source_page",
            "source_page_end",
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

    @classmethod
    def of_role(cls, role: str, **kwargs) -> CitationListSerializer:
        """The claim's citations in `role` only, e.g. where a level's definition is quoted from."""
        kwargs.setdefault("source", "citations")
        return CitationListSerializer(child=cls(), role=role, read_only=True, **kwargs)

    @staticmethod
    def csv_summary(item: dict) -> str:
        pages = pages_label(item.get("source_page"), item.get("source_page_end"))
        where = f"{item.get('document')}#{item['passage']}" + (f" ({pages})" if pages else "")
        return f"{where}: “{item['exact']}”"


def citation_rows(model, object_ids: list[int], *, origin: str) -> dict[int, list[dict]]:
    """The citations of the claims of `model` with ids `object_ids`, each as
    CitationSerializer represents it, by claim id and in its order: the lean path of the API
    lists (`AtlasViewSetMixin.list_values`), in one SELECT written here (compiling the ORM's
    took several times as long as running it) and without a model instance. `origin`
    ("https://host") makes the URLs absolute, as the serializer's request does."""
    by_claim: dict[int, list[dict]] = {object_id: [] for object_id in object_ids}
    if not object_ids:
        return by_claim
    q = connection.ops.quote_name
    columns = ", ".join(
        f"ci.{q(column)}"
        for column in ("object_id", "id", "role", "exact", "prefix", "suffix", "start", "end")
    )
    sql = (
        f"SELECT {columns}, ci.{q('orphaned')}, d.{q('slug')}, p.{q('anchor')}, p.{q('shown')}, "
        f"p.{q('page')}, p.{q('source_page')}, p.{q('source_page_end')} "
        f"FROM {q(Citation._meta.db_table)} ci "
        f"JOIN {q(Passage._meta.db_table)} p ON p.{q('id')} = ci.{q('passage_id')} "
        f"JOIN {q(Document._meta.db_table)} d ON d.{q('id')} = p.{q('document_id')} "
        f"WHERE ci.{q('content_type_id')} = %s "
        f"AND ci.{q('object_id')} IN ({', '.join(['%s'] * len(object_ids))}) "
        # The serializer's order: the model's (`Citation.Meta.ordering`) within a claim.
        f"ORDER BY ci.{q('object_id')}, ci.{q('role')}, ci.{q('id')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [ContentType.objects.get_for_model(model).pk, *object_ids])
        rows = cursor.fetchall()
    for (
        object_id,
        pk,
        role,
        exact,
        prefix,
        suffix,
        start,
        end,
        orphaned,
        document,
        anchor,
        shown,
        page,
        source_page,
        source_page_end,
    ) in rows:
        by_claim[object_id].append(
            {
                "id": pk,
                "role": role,
                "document": document,
                "passage": anchor,
                "source_page": source_page,
                "source_page_end": source_page_end,
                "exact": exact,
                "prefix": prefix,
                "suffix": suffix,
                "start": start,
                "end": end,
                "valid": not orphaned and quote_stands(shown, exact=exact, start=start, end=end),
                "orphaned": bool(orphaned),
                "url": origin + citation_url(document, pk, anchor, page),
            }
        )
    return by_claim


class DocumentSerializer(serializers.ModelSerializer):
    """A source document without its full text. Expects `Document.objects.for_index()`."""

    published_display = serializers.CharField(
        read_only=True, help_text="The date to the precision the source gives."
    )
    passage_count = serializers.IntegerField(read_only=True)
    url = serializers.CharField(
        read_only=True, help_text="Where the source is published; empty when unknown."
    )
    api_url = ApiUrlField("document", source="slug")
    html_url = HtmlUrlField(help_text="The reader.")
    passages_api_url = ApiListUrlField(
        "passage", filter="document", source="slug", help_text="Its passages, in order."
    )

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


class DocumentDetailSerializer(DocumentSerializer):
    """A document with its canonical full text (passages are offsets into it)."""

    class Meta(DocumentSerializer.Meta):
        fields = [*DocumentSerializer.Meta.fields, "text"]
        read_only_fields = fields


class PassageSerializer(serializers.ModelSerializer):
    """A passage with its document's slug. Expects `select_related("document")`."""

    document = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    document_api_url = ApiUrlField("document", source="document.slug")
    api_url = ApiUrlField("passage", source="pk")
    html_url = HtmlUrlField(help_text="The reader, at this passage.")

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
            "source_page",
            "source_page_end",
            "text",
            "html",
            "api_url",
            "html_url",
        ]
        read_only_fields = fields


class ClaimTypeField(serializers.ChoiceField):
    """The kind of claim, read from the citation's content type; its choices are the claim
    types the apps registered (`core.registry`)."""

    def get_attribute(self, citation: Citation) -> str:
        content_type = citation.content_type
        claim = registry.claim_type(content_type.app_label, content_type.model)
        return claim.name if claim is not None else content_type.model


class SuggestionSerializer(serializers.Serializer):
    """A place an orphaned citation's quote may have gone, in its document's current text
    (`sources.repairs`). Send its `passage`, `start` and `end` to the citation's `reanchor`
    to accept it; nothing is re-anchored otherwise."""

    passage = serializers.CharField(help_text="The anchor of the passage.")
    start = serializers.IntegerField(help_text="Offset in the passage's shown text.")
    end = serializers.IntegerField(help_text="Offset one past the quote's last character.")
    exact = serializers.CharField(help_text="The words it would quote.")
    score = serializers.FloatField(
        min_value=0, max_value=1, help_text="How well it matches the old quote in its context."
    )

    @staticmethod
    def csv_summary(item: dict) -> str:
        return (
            f"{item['passage']}[{item['start']}:{item['end']}] “{item['exact']}” ({item['score']})"
        )


class SuggestionListSerializer(serializers.ListSerializer):
    """An orphaned citation's suggestions (none for a valid one), as stored, from the
    request's `SuggestionBook` (serializer context `suggestions`)."""

    def get_attribute(self, citation: Citation):
        book = self.context.get("suggestions")
        if book is None:
            book = SuggestionBook()
        return [
            {
                "passage": c.passage,
                "start": c.start,
                "end": c.end,
                "exact": c.exact,
                "score": c.score,
            }
            for c in book.get(citation)
        ]


class ReanchorSerializer(serializers.Serializer):
    """Accept a suggestion: the passage (anchor, in the citation's document) and offsets
    it gave, and optionally the words it showed (refused with a 409 if no longer there)."""

    passage = serializers.SlugField(help_text="The suggestion's `passage` (an anchor).")
    # Offsets are stored as positive 32-bit integers (`Citation.start`).
    start = serializers.IntegerField(
        min_value=0, max_value=2**31 - 1, help_text="The suggestion's `start`."
    )
    end = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, help_text="The suggestion's `end`."
    )
    exact = serializers.CharField(
        required=False,
        trim_whitespace=False,
        help_text="The suggestion's `exact`: when given, the passage must still hold it.",
    )

    def validate(self, attrs):
        if attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError({"end": ["`end` must be greater than `start`."]})
        citation = self.context["citation"]
        passage = (
            Passage.objects.select_related("document")
            .filter(document_id=citation.passage.document_id, anchor=attrs["passage"])
            .first()
        )
        if passage is None:
            raise serializers.ValidationError(
                {"passage": [f"No passage {attrs['passage']} in the citation's document."]}
            )
        return {**attrs, "passage": passage}


class CitationResourceSerializer(CitationSerializer):
    """A citation as its own resource: the shared shape plus what it supports.

    Reads expect `Citation.objects.with_passage().select_related("content_type")`. Writes
    take `claim_type` and `claim_id`, the `document` and `passage` (anchor) and the quote
    `exact`; the offsets, prefix and suffix are computed from the passage text (or, when
    `start` is given, checked against it), so a citation is valid from the moment it exists.
    """

    claim_type = ClaimTypeField(choices=list(registry.claim_types()))
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
    api_url = ApiUrlField("citation", source="pk")
    suggestions = SuggestionListSerializer(
        child=SuggestionSerializer(),
        read_only=True,
        help_text="For an orphaned citation, where its quote may have gone in the document's "
        "current text: at most three, best first (none for a valid one). An editor accepts "
        "one with `reanchor`.",
    )

    class Meta(CitationSerializer.Meta):
        fields = [
            "claim_type",
            "claim_id",
            *CitationSerializer.Meta.fields,
            "occurrence",
            "api_url",
            "suggestions",
        ]
        read_only_fields = [
            "id",
            "source_page",
            "source_page_end",
            "prefix",
            "suffix",
            "end",
            "valid",
            "orphaned",
            "url",
            "suggestions",
        ]

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

        claim = registry.claim_types()[merged["claim_type"]]
        if not claim.model._default_manager.filter(pk=merged["object_id"]).exists():
            raise serializers.ValidationError(
                {"claim_id": [f"No {claim.name} has id {merged['object_id']}."]}
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
        anchor = passage_quote(
            passage,
            merged["exact"],
            occurrence=attrs.get("occurrence", 1),
            start=attrs.get("start"),
        )
        return {
            "content_type": ContentType.objects.get_for_model(claim.model),
            "object_id": merged["object_id"],
            "role": merged["role"],
            "passage": passage,
            "exact": anchor.exact,
            "start": anchor.start,
            "end": anchor.end,
            "prefix": anchor.prefix,
            "suffix": anchor.suffix,
            "orphaned": False,
        }

    def _current(self, name):
        citation = self.instance
        if citation is None:
            return None
        if name == "claim_type":
            content_type = citation.content_type
            claim = registry.claim_type(content_type.app_label, content_type.model)
            return claim.name if claim is not None else None
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


class UploadSerializer(serializers.Serializer):
    """A new document: the file and the metadata `ingest` takes."""

    # An empty file is refused by the upload's own rule (`sources.ingest.source_parse`).
    file = serializers.FileField(
        allow_empty_file=True, help_text="Markdown (.md), plain text (.txt) or PDF (.pdf)."
    )
    slug = serializers.SlugField(max_length=120)
    title = serializers.CharField(required=False, allow_blank=True)
    kind = serializers.CharField(required=False, allow_blank=True)
    published = serializers.CharField(
        required=False, allow_blank=True, help_text="YYYY-MM-DD, YYYY-MM or YYYY."
    )
    url = serializers.CharField(required=False, allow_blank=True)
    authors = serializers.CharField(
        required=False, allow_blank=True, help_text='Names separated by semicolons: "A; B".'
    )
    publisher = serializers.CharField(required=False, allow_blank=True)
    language = serializers.CharField(required=False, allow_blank=True)
    preview = serializers.BooleanField(
        required=False, default=False, help_text="Answer what would be written; write nothing."
    )


class VersionUploadSerializer(serializers.Serializer):
    """A new version of a document's text (`ingest --update`)."""

    # An empty file is refused by the upload's own rule (`sources.ingest.source_parse`).
    file = serializers.FileField(
        allow_empty_file=True, help_text="Markdown (.md), plain text (.txt) or PDF (.pdf)."
    )
    preview = serializers.BooleanField(required=False, default=False)


class JobSerializer(serializers.Serializer):
    """A background upload: `status` queued, running, succeeded or failed."""

    id = serializers.UUIDField()
    status = serializers.CharField()
    progress = serializers.IntegerField(help_text="Percent done.")
    result = serializers.DictField(allow_null=True, help_text="The document's `api_url`.")
    error = serializers.DictField(
        allow_null=True, help_text="`field` (the field at fault) and `message`."
    )
    url = serializers.CharField()
