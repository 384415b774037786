"""Where every claim comes from: documents, their passages, and citations into them."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Prefetch, Q
from django.db.models.functions import Length
from simple_history.models import HistoricalRecords

from core.history import VersionedHistory
from core.links import link
from core.visibility import VisibleManager
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
        """Documents with their passage count; the full text and its layout are deferred."""
        return (
            self.defer("text", "reader")
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
    page_starts = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text="For a document read from pages (a PDF): the offset in the text where each "
        "page begins, page 1 first; empty for a document without pages.",
    )
    reader = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="Its section pages, outline and heading levels, laid out with its text "
        "(sources.reader_layout.reader_summary).",
    )
    added_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    citations = GenericRelation("sources.Citation", related_query_name="document_claim")

    objects = DocumentQuerySet.as_manager()
    # `reader` follows from the text, whose every version the history keeps.
    history = HistoricalRecords(bases=[VersionedHistory], excluded_fields=["reader"])

    class Meta:
        ordering = ["title"]
        # The index lists them by title, a page at a time.
        indexes = [models.Index(fields=["title"], name="document_title_idx")]
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

    def for_page(self, document: Document, page: str) -> PassageQuerySet:
        """The passages of one reader page in order, each with its table's header row."""
        return (
            self.for_reader(document)
            .filter(page=page)
            .select_related("table_header")
            .only(*READER_FIELDS, *(f"table_header__{name}" for name in READER_FIELDS))
        )


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
    shown = models.TextField(
        blank=True,
        help_text=(
            "The text as the reader shows it, markup hidden: what citations quote "
            "(sources.passage_rendering)."
        ),
    )
    html = models.TextField(
        blank=True, help_text="The text rendered as safe inline HTML; its text is `shown`."
    )
    page = models.CharField(
        max_length=200,
        blank=True,
        help_text="The reader page that holds it: the anchor of the page's first passage, "
        "empty for the document's front page (sources.reader_layout).",
    )
    source_page = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="The page of the source (a PDF) the passage starts on; null for a document "
        "without pages.",
    )
    source_page_end = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="The page it ends on, when it runs over a page break; else its start page.",
    )
    table_header = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="For a table row, its table's header row.",
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
        indexes = [
            models.Index(fields=["document", "page", "ordinal"], name="passage_page_idx"),
        ]
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
        """The reader page that holds the passage, at the passage."""
        return passage_url(self.document.slug, self.anchor, self.page)

    @property
    def is_table_header(self) -> bool:
        return self.kind == PassageKind.TABLE_ROW and self.table_header_id is None

    @property
    def source_pages(self) -> str:
        """The pages of the source it is on, "p. 2" or "pp. 2–3"; empty without pages."""
        return pages_label(self.source_page, self.source_page_end)


# What the reader reads of a passage (the source text is left in the database).
READER_FIELDS = (
    "id",
    "document_id",
    "ordinal",
    "anchor",
    "kind",
    "level",
    "section",
    "shown",
    "html",
    "page",
    "source_page",
    "source_page_end",
    "table_header_id",
    "retired",
)


class CitationRole(models.TextChoices):
    SOURCE = "source", "Source of the text"
    EMPHASIS = "emphasis", "Narrative emphasis"
    DEFINITION = "definition", "Definition"
    CONDITIONS = "conditions", "Conditions"
    SUPPORT = "support", "Supporting passage"
    CONTRADICTS = "contradicts", "Contradicting passage"


class CitationQuerySet(models.QuerySet):
    def with_passage(self) -> CitationQuerySet:
        """Citations with their passage, its document and its table's header row (joins)."""
        return self.select_related("passage__document", "passage__table_header").defer(
            "passage__document__text", "passage__document__reader"
        )


def page_url(document: str, page: str) -> str:
    """A reader page of the document (a slug): its front page for "", else a section page."""
    if not page:
        return link("sources:document-detail", slug=document)
    return link("sources:document-section", slug=document, anchor=page)


def passage_url(document: str, anchor: str, page: str | None = None) -> str:
    """The reader page holding the passage (`page`, as `Passage.page`), at the passage; its
    permalink, which redirects there, when the page is not known."""
    if page is None:
        return link("sources:passage-permalink", slug=document, anchor=anchor)
    return f"{page_url(document, page)}#{anchor}"


def reader_url(document: str) -> str:
    """The reader's front page of the document (a slug)."""
    return link("sources:document-detail", slug=document)


def citation_url(document: str, citation: int, anchor: str, page: str | None = None) -> str:
    """The reader page holding the passage, at the passage, the quote of the citation (an
    id) highlighted; through the passage's permalink when the page is not known."""
    if page is None:
        base = link("sources:passage-permalink", slug=document, anchor=anchor)
        return f"{base}?cite={citation}"
    return f"{page_url(document, page)}?cite={citation}#{anchor}"


def citation_linker() -> Callable[[str, int, str, str | None], str]:
    """`citation_url()` for a page of many citations into fewer passages: the URL of each
    passage's place is made once, each citation's only joins its id to it."""
    places: dict[tuple[str, str, str | None], tuple[str, str]] = {}

    def make(document: str, citation: int, anchor: str, page: str | None = None) -> str:
        key = (document, anchor, page)
        parts = places.get(key)
        if parts is None:
            if page is None:
                parts = (link("sources:passage-permalink", slug=document, anchor=anchor), "")
            else:
                parts = (page_url(document, page), f"#{anchor}")
            places[key] = parts
        return f"{parts[0]}?cite={citation}{parts[1]}"

    return make


def pages_label(first: int | None, last: int | None = None) -> str:
    """A passage's pages of its source as a citation gives them: "p. 2", "pp. 2–3" when it
    runs over a page break; empty for a document without pages."""
    if first is None:
        return ""
    if last is None or last == first:
        return f"p. {first}"
    return f"pp. {first}–{last}"


# Words of a passage's place kept in a link's name, and a heading's label shortened to
# ("Table 1: Areas for potential ..." is "Table 1") when it is at most this long.
PLACE_WORDS = 8
SHORT_LABEL = 24


def passage_place(*, section: str, kind: str, shown: str, anchor: str) -> str:
    """Where a passage is, as a reader names it: its section's heading ("Executive
    summary"), and for a table row the table and the row ("Table 1, row Develop
    Evaluations"); the anchor when the passage is under no heading."""
    heading = " ".join(section.rsplit(" > ", 1)[-1].split())
    label, colon, _ = heading.partition(":")
    if colon and len(label) <= SHORT_LABEL:
        heading = label
    elif len(heading.split()) > PLACE_WORDS:
        heading = " ".join(heading.split()[:PLACE_WORDS]) + "…"
    if kind == "table_row":
        row = " ".join(shown.split("\t", 1)[0].split())
        if len(row.split()) > PLACE_WORDS:
            row = " ".join(row.split()[:PLACE_WORDS]) + "…"
        if row:
            return f"{heading}, row {row}" if heading else f"row {row}"
    return heading or anchor


@dataclass(frozen=True)
class CitationLink:
    """A citation as a page links it: its passage's anchor and the reader at its quote; the
    document's title and the passage's section, which name the source for a reader."""

    anchor: str
    url: str
    role: str
    document_id: int
    document: str = ""
    section: str = ""
    pages: str = ""  # "p. 2", for a source with pages (`pages_label`)

    def get_absolute_url(self) -> str:
        return self.url

    @property
    def source(self) -> str:
        """The document, section and pages, as a reader names where a claim comes from."""
        return ", ".join(part for part in (self.document, self.section, self.pages) if part)


@dataclass(frozen=True)
class CitedSource:
    """A document section a claim cites, with the citation links into it, in their order."""

    source: str
    links: tuple[CitationLink, ...]


def cited_sources(links: list[CitationLink]) -> list[CitedSource]:
    """`links` by the document section they point into, each section once, in the order of
    its first citation: several quotes of one passage are one source, not a repeated one."""
    grouped: dict[str, list[CitationLink]] = {}
    for citation in links:
        grouped.setdefault(citation.source, []).append(citation)
    return [CitedSource(source, tuple(group)) for source, group in grouped.items()]


def cite_links(*claims: models.Model, attribute: str = "cited") -> set[int]:
    """Give each of `claims` (any models) its citations as `CitationLink`s in `attribute`,
    in its citations' order, in one query of plain values (a page of an institution links
    the quotes of its names, functions and ties, but shows no more of them); the ids of the
    documents they point into (what the page shows, for the response cache)."""
    if not claims:
        return set()
    by_key: dict[tuple[int, int], list[CitationLink]] = {}
    types = ContentType.objects.get_for_models(*{type(claim) for claim in claims})
    ids: dict[int, set[int]] = {}
    for claim in claims:
        key = (types[type(claim)].pk, claim.pk)
        ids.setdefault(key[0], set()).add(claim.pk)
        setattr(claim, attribute, by_key.setdefault(key, []))
    condition = Q()
    for content_type, object_ids in ids.items():
        condition |= Q(content_type_id=content_type, object_id__in=sorted(object_ids))
    rows = (
        Citation.objects.filter(condition)
        .order_by("content_type", "object_id", "role", "pk")
        .values_list(
            "content_type_id",
            "object_id",
            "pk",
            "role",
            "passage__anchor",
            "passage__document__slug",
            "passage__document_id",
            "passage__page",
            "passage__document__title",
            "passage__section",
            "passage__source_page",
            "passage__source_page_end",
        )
    )
    documents = set()
    for row in rows:
        content_type, object_id, pk, role, anchor, document, document_id, page, *named = row
        *named, first, last = named
        url = citation_url(document, pk, anchor, page)
        by_key[(content_type, object_id)].append(
            CitationLink(anchor, url, role, document_id, *named, pages_label(first, last))
        )
        documents.add(document_id)
    return documents


def citations_prefetch(to_attr: str | None = None) -> Prefetch:
    """Prefetch a claim's citations with their passage and document joined (one query).

    With `to_attr` they land in that attribute as a plain list, which for a long list of
    claims costs far less than the queryset Django otherwise builds for each claim.
    """
    return Prefetch("citations", queryset=Citation.objects.with_passage(), to_attr=to_attr)


def visible_claims_citations() -> CitationQuerySet:
    """Citations without the visibility rule, for claims read through their visible default
    managers: a citation is private exactly when its claim is (`sources.content`, `cites`),
    so the citations of a claim the reader may see need not the rule's subqueries (whose
    compiling costs more than the query). Never for claims read through a base manager."""
    return CitationQuerySet(Citation)


def claim_citations_prefetch() -> Prefetch:
    """`citations_prefetch()` for claims read through their visible default manager
    (`visible_claims_citations`)."""
    return Prefetch("citations", queryset=visible_claims_citations().with_passage())


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
    start = models.PositiveIntegerField(
        help_text="Offset of the quote within the passage's shown text (`Passage.shown`)."
    )
    end = models.PositiveIntegerField()
    orphaned = models.BooleanField(
        default=False,
        help_text="The passage changed and the quote no longer stands at its offsets.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Without the citations of private claims (a draft's cells), for those who may not see
    # them (`core.visibility`).
    objects = VisibleManager.from_queryset(CitationQuerySet)()
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
        passage = self.passage
        return citation_url(passage.document.slug, self.pk, passage.anchor, passage.page)

    @property
    def stands(self) -> bool:
        """The quote is exactly at its offsets in the passage's shown text (`sources.quotes`)."""
        return quote_stands(self.passage.shown, exact=self.exact, start=self.start, end=self.end)

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
                    "exact": f"The quote is not found at {self.start}-{self.end} of passage "
                    f"{self.passage.anchor} as the reader shows it."
                }
            )


class StoredSuggestions(models.Model):
    """An orphaned citation's repair suggestions (`sources.repairs`), computed when it became
    orphaned and kept, so that the editors' page and the API list them without matching the
    quote against its document again at every request.

    Suggestions are a pure function of the quote in its context and of the document's text:
    `fingerprint` hashes those (`sources.suggestions.fingerprint`), and a stored row whose
    fingerprint is no longer the citation's is stale and computed again. Derived data, not
    content: no history, no dataset version; a backup may leave it out.
    """

    citation = models.OneToOneField(
        Citation, on_delete=models.CASCADE, primary_key=True, related_name="stored_suggestions"
    )
    fingerprint = models.CharField(max_length=64)
    # At most MAX_SUGGESTIONS of {passage, start, end, exact, score}, best first.
    candidates = models.JSONField(default=list)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "stored suggestions"

    def __str__(self) -> str:
        return f"suggestions for citation {self.citation_id}"


class UploadStatus(models.TextChoices):
    PENDING = "pending", "Awaiting confirmation"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class Upload(models.Model):
    """A file an editor uploaded, kept in the database between its preview and its write, and
    the job that writes it: several servers share it (no server's disk holds it), the random
    id is the token that names it, and only its owner (or an editor) may see or confirm it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="uploads"
    )
    filename = models.CharField(max_length=255)
    data = models.BinaryField()
    slug = models.SlugField(max_length=120)
    # A new version of the document `slug` (`ingest --update`), not a new document.
    update = models.BooleanField(default=False)
    # The metadata fields as `ingest` takes them (`published` as typed: YYYY[-MM[-DD]]).
    metadata = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=10, choices=UploadStatus.choices, default=UploadStatus.PENDING
    )
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    error_field = models.CharField(max_length=40, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="upload_progress_percent")
        ]

    def __str__(self) -> str:
        return f"{self.filename} → {self.slug} ({self.status})"
