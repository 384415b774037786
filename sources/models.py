"""Where every claim comes from: documents, their passages, and citations into them."""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Prefetch, Q
from django.db.models.functions import Length
from simple_history.models import HistoricalRecords

from core.history import VersionedHistory
from core.links import link
from sources.quotes import quote_stands


class DocumentKind(models.TextChoices):
    POLICY_BRIEF = "policy_brief", "Policy brief"
    NEWS_ARTICLE = "news_article", "News article"
    STATEMENT = "statement", "Statement"
    REPORT = "report", "Report"
    LEGAL_TEXT = "legal_text", "Legal text"
    OTHER = "other", "Other"


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


class DocumentFormat(models.TextChoices):
    TEXT = "text", "Plain text"
    MARKDOWN = "markdown", "Markdown"


class DocumentQuerySet(models.QuerySet):
    def for_index(self) -> DocumentQuerySet:
        """Documents with their passage count; the full text is deferred."""
        return (
            self.defer("text")
            .annotate(passage_count=models.Count("passages", filter=Q(passages__retired=False)))
            .order_by("title")
        )


class Document(models.Model):
    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    authors = models.JSONField(default=list, blank=True, help_text="Names, in the source's order.")
    publisher = models.CharField(max_length=200, blank=True)
    published = models.DateField(null=True, blank=True)
    published_precision = models.CharField(
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text="How much of the publication date the source gives.",
    )
    url = models.URLField(max_length=500, blank=True)
    language = models.CharField(max_length=12, default="en")
    format = models.CharField(
        max_length=10,
        choices=DocumentFormat.choices,
        default=DocumentFormat.TEXT,
        help_text="How the text was split into passages.",
    )
    text = models.TextField(help_text="The canonical full text; passages are offsets into it.")
    sha256 = models.CharField(max_length=64, editable=False)
    added_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    citations = GenericRelation("sources.Citation", related_query_name="document_claim")

    objects = DocumentQuerySet.as_manager()
    history = HistoricalRecords(bases=[VersionedHistory])

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="document_text_not_empty"),
            models.CheckConstraint(
                condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="document_sha256_hex"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return link("sources:document-detail", slug=self.slug)

    @property
    def published_display(self) -> str:
        """The publication date to the precision the source gives ("March 2025")."""
        if self.published is None:
            return ""
        formats = {DatePrecision.YEAR: "%Y", DatePrecision.MONTH: "%B %Y"}
        return self.published.strftime(formats.get(self.published_precision, "%-d %B %Y"))


class PassageKind(models.TextChoices):
    HEADING = "heading", "Heading"
    PARAGRAPH = "paragraph", "Paragraph"
    TABLE_ROW = "table_row", "Table row"
    FOOTNOTE = "footnote", "Footnote"
    LIST_ITEM = "list_item", "List item"


class PassageQuerySet(models.QuerySet):
    def for_reader(self, document: Document) -> PassageQuerySet:
        """A document's current passages in order (retired ones left out); nothing is joined."""
        return self.filter(document=document, retired=False).order_by("ordinal")


class Passage(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="passages")
    ordinal = models.PositiveIntegerField()
    anchor = models.SlugField(
        max_length=200, help_text="Stable, readable fragment id, e.g. footnote-2."
    )
    kind = models.CharField(max_length=20, choices=PassageKind.choices)
    level = models.PositiveSmallIntegerField(
        default=0, help_text="Heading level; 0 for other kinds."
    )
    section = models.CharField(
        max_length=500, blank=True, help_text="Headings above it, ' > '-joined."
    )
    start = models.PositiveIntegerField(
        help_text="Offset of the first character in the document text."
    )
    end = models.PositiveIntegerField(help_text="Offset one past the last character.")
    text = models.TextField()
    html = models.TextField(
        blank=True, help_text="The text rendered from Markdown and sanitised, for display."
    )
    retired = models.BooleanField(
        default=False,
        help_text=(
            "Gone from the document's current text but kept, with the text it had, because "
            "citations point to it (they are orphaned); out of the reading order."
        ),
    )

    objects = PassageQuerySet.as_manager()
    history = HistoricalRecords(bases=[VersionedHistory])

    class Meta:
        ordering = ["document", "ordinal"]
        constraints = [
            models.UniqueConstraint(fields=["document", "ordinal"], name="passage_unique_ordinal"),
            models.UniqueConstraint(fields=["document", "anchor"], name="passage_unique_anchor"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="passage_not_empty"),
            models.CheckConstraint(
                condition=Q(end=F("start") + Length("text")), name="passage_offsets_match_text"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document.slug}#{self.anchor}"

    def get_absolute_url(self) -> str:
        return passage_url(self.document.slug, self.anchor)


class CitationRole(models.TextChoices):
    SOURCE = "source", "Source of the text"
    EMPHASIS = "emphasis", "Narrative emphasis"
    DEFINITION = "definition", "Definition"
    CONDITIONS = "conditions", "Conditions"
    SUPPORT = "support", "Supporting passage"


class CitationQuerySet(models.QuerySet):
    def with_passage(self) -> CitationQuerySet:
        """Citations with their passage and its document (one join), in reading order."""
        return self.select_related("passage__document").defer("passage__document__text")


def passage_url(document: str, anchor: str) -> str:
    """The reader of the document (a slug) at the passage."""
    return f"{link('sources:document-detail', slug=document)}#{anchor}"


def citation_url(document: str, citation: int, anchor: str) -> str:
    """The reader at the passage, the quote of the citation (an id) highlighted."""
    return f"{link('sources:document-detail', slug=document)}?cite={citation}#{anchor}"


def citations_prefetch(to_attr: str | None = None) -> Prefetch:
    """Prefetch a claim's citations with their passage and document joined (one query).

    With `to_attr` they land in that attribute as a plain list, which for a long list of
    claims costs far less than the queryset Django otherwise builds for each claim.
    """
    return Prefetch("citations", queryset=Citation.objects.with_passage(), to_attr=to_attr)


class Citation(models.Model):
    """A pointer from a claim to a passage: a W3C text quote selector plus a text position."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    claim = GenericForeignKey("content_type", "object_id")
    role = models.CharField(
        max_length=20, choices=CitationRole.choices, default=CitationRole.SOURCE
    )
    passage = models.ForeignKey(Passage, on_delete=models.PROTECT, related_name="citations")
    exact = models.TextField()
    prefix = models.CharField(max_length=64, blank=True)
    suffix = models.CharField(max_length=64, blank=True)
    start = models.PositiveIntegerField(help_text="Offset of the quote within the passage text.")
    end = models.PositiveIntegerField()
    orphaned = models.BooleanField(
        default=False,
        help_text="The passage changed and the quote no longer stands at its offsets.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CitationQuerySet.as_manager()
    history = HistoricalRecords(bases=[VersionedHistory])

    class Meta:
        ordering = ["content_type", "object_id", "role", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="citation_claim_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="citation_not_empty"),
            models.CheckConstraint(
                condition=Q(end=F("start") + Length("exact")), name="citation_offsets_match_quote"
            ),
        ]

    def __str__(self) -> str:
        return f"“{self.exact[:60]}” ({self.passage_id and self.passage})"

    def get_absolute_url(self) -> str:
        """The reader at the passage, with this citation's quote highlighted."""
        return citation_url(self.passage.document.slug, self.pk, self.passage.anchor)

    @property
    def stands(self) -> bool:
        """The quote is exactly at its offsets in the passage (`sources.quotes`)."""
        return quote_stands(self.passage.text, exact=self.exact, start=self.start, end=self.end)

    @property
    def valid(self) -> bool:
        """The quote stands at its offsets, and nobody marked the citation orphaned."""
        return not self.orphaned and self.stands

    def clean(self) -> None:
        # An orphaned citation is recorded as broken on purpose; it keeps its old offsets.
        if self.passage_id is None or self.exact == "" or self.orphaned:
            return
        if not self.stands:
            raise ValidationError(
                {
                    "exact": f"The quote is not found at {self.start}-{self.end} of passage {self.passage.anchor}."
                }
            )
