"""Admin for documents, passages and citations, and the citation inline every claim uses.

Documents' texts change only through `manage.py ingest --update` (which re-splits them and
re-checks their citations), so the admin edits metadata only, and passages are read-only.
A citation is picked by document and passage; the editor gives the exact quote and the
offsets, prefix and suffix are computed from the passage's shown text (the text as the reader
shows it), as `citation_attach` does.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.contenttypes.admin import GenericStackedInline
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html

from core.admin import AtlasAdmin, AtlasInlineMixin, OpenedOnForm, slug_filter
from sources.models import Citation, Document, Passage
from sources.quotes import occurrence_of
from sources.services import passage_quote

EXCERPT = 90


class CitationForm(forms.ModelForm):
    """A citation as an editor writes it: a passage and the exact words quoted from it."""

    occurrence = forms.IntegerField(
        min_value=1,
        initial=1,
        required=False,
        help_text="Which appearance of the quote in the passage, when it appears more than once.",
    )

    class Meta:
        model = Citation
        fields = ["role", "passage", "exact"]
        widgets = {"exact": forms.Textarea(attrs={"rows": 2, "cols": 80})}
        help_texts = {
            "passage": "The document and passage the claim comes from: type words of its "
            "document's slug, its anchor or its text.",
            "exact": "The words quoted, exactly as the reader shows them (a quote copied "
            "from the source text with its markup, such as **bold**, is taken too).",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "passage" in self.fields:
            # The one passage chosen is read with its document (the autocomplete widget
            # shows its label); the rest are offered as the editor types.
            passages = self.fields["passage"].queryset
            self.fields["passage"].queryset = passages.select_related("document").defer(
                "document__text", "document__reader", "html"
            )
        if self.instance.pk and self.instance.start:
            self.initial.setdefault(
                "occurrence",
                occurrence_of(
                    self.instance.passage.shown, self.instance.exact, self.instance.start
                ),
            )

    def clean(self) -> dict:
        data = super().clean()
        passage, exact = data.get("passage"), data.get("exact")
        relocate = {"passage", "exact", "occurrence"} & set(self.changed_data)
        if passage is None or not exact or not (relocate or self.instance.pk is None):
            # Untouched quote: an orphaned citation stays orphaned, never re-anchored.
            return data
        if passage.retired:
            self.add_error("passage", "This passage is retired: cite the document's current text.")
            return data
        try:
            anchor = passage_quote(passage, exact, occurrence=data.get("occurrence") or 1)
        except ValidationError as error:
            self.add_error("exact", error.message_dict["exact"])
            return data
        citation = self.instance
        # A quote copied with its markup is stored as the reader shows it.
        data["exact"] = citation.exact = anchor.exact
        citation.start, citation.end = anchor.start, anchor.end
        citation.prefix, citation.suffix = anchor.prefix, anchor.suffix
        citation.orphaned = False
        return data


def citation_status(citation: Citation) -> str:
    if citation.pk is None:
        return ""
    if citation.orphaned:
        return format_html(
            "<strong>Orphaned</strong>: the passage changed and the quote no longer stands "
            "at {}–{}. Correct the quote to re-attach it.",
            citation.start,
            citation.end,
        )
    if not citation.valid:
        return format_html(
            "<strong>Broken</strong>: the quote is not at {}–{}.", citation.start, citation.end
        )
    return f"Valid, at {citation.start}–{citation.end} of the passage"


class CitationInline(AtlasInlineMixin, GenericStackedInline):
    """Citations of a claim (cell, mandate, level...), validated against the passage text."""

    model = Citation
    form = CitationForm
    extra = 1
    fields = ["role", "passage", "exact", "occurrence", "status", "passage_text"]
    readonly_fields = ["status", "passage_text"]
    # Typed, never listed: a knowledge base holds passages by the hundred thousand.
    autocomplete_fields = ["passage"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("passage__document")

    @admin.display(description="Status")
    def status(self, citation: Citation) -> str:
        return citation_status(citation)

    @admin.display(description="Passage text (as the reader shows it)")
    def passage_text(self, citation: Citation) -> str:
        if citation.pk is None:
            return ""
        text = citation.passage.shown
        return format_html(
            "{}<mark>{}</mark>{}",
            text[: citation.start],
            text[citation.start : citation.end],
            text[citation.end :],
        )


@admin.register(Document)
class DocumentAdmin(AtlasAdmin):
    list_display = ["title", "slug", "kind", "published", "passage_count", "updated_at"]
    list_filter = ["kind", "format", "language"]
    search_fields = ["title", "slug", "authors", "publisher"]
    readonly_fields = ["format", "sha256", "text", "passages_link", "added_at", "updated_at"]
    fieldsets = [
        (
            None,
            {"fields": ["slug", "title", "kind", "authors", "publisher", "url", "language"]},
        ),
        ("Publication date", {"fields": ["published", "published_precision"]}),
        (
            "Text (change it with a new version: the site's upload page, or `manage.py ingest FILE --slug ... --update`)",
            {"fields": ["format", "sha256", "passages_link", "text", "added_at", "updated_at"]},
        ),
    ]
    history_list_display = ["sha256"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(passage_count=Count("passages", filter=Q(passages__retired=False)))
            # An aggregate drops the model's ordering; pages and autocompletes need one.
            .order_by("title", "pk")
        )

    def get_readonly_fields(self, request, obj=None):
        # A document is created by ingestion; the admin only corrects its metadata.
        return [*self.readonly_fields, "slug"] if obj else self.readonly_fields

    def has_add_permission(self, request):
        return False

    @admin.display(description="Passages", ordering="passage_count")
    def passage_count(self, document: Document) -> int:
        return document.passage_count

    @admin.display(description="Passages")
    def passages_link(self, document: Document) -> str:
        url = reverse("admin:sources_passage_changelist") + f"?document__id__exact={document.pk}"
        return format_html('<a href="{}">The passages of this document</a>', url)


@admin.register(Passage)
class PassageAdmin(AtlasAdmin):
    """Read-only: passages are the output of ingestion, offsets into the document text."""

    list_display = ["anchor", "document", "ordinal", "kind", "retired", "excerpt"]
    list_filter = ["retired", "kind", slug_filter("document", "document")]
    list_select_related = ["document"]
    search_fields = ["anchor", "text", "document__slug"]
    ordering = ["document", "ordinal"]
    fields = [
        "document",
        "ordinal",
        "anchor",
        "kind",
        "level",
        "section",
        "start",
        "end",
        "retired",
        "text",
        "citations_list",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("document__text")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def revert_disabled(self, request, obj=None):
        return True

    @admin.display(description="Text")
    def excerpt(self, passage: Passage) -> str:
        return passage.text[:EXCERPT]

    @admin.display(description="Citations")
    def citations_list(self, passage: Passage) -> str:
        citations = passage.citations.select_related("content_type").order_by("pk")
        if not citations:
            return "None"
        return format_html(
            "<ul>{}</ul>",
            format_html(
                "".join(
                    format_html(
                        '<li><a href="{}">{} {}</a>: “{}”{}</li>',
                        reverse("admin:sources_citation_change", args=[c.pk]),
                        c.content_type.model,
                        c.object_id,
                        c.exact[:EXCERPT],
                        " (orphaned)" if c.orphaned else "",
                    )
                    for c in citations
                )
            ),
        )


class CitationAdminForm(OpenedOnForm, CitationForm):
    class Meta(CitationForm.Meta):
        fields = ["content_type", "object_id", "role", "passage", "exact"]


@admin.register(Citation)
class CitationAdmin(AtlasAdmin):
    form = CitationAdminForm
    list_display = ["pk", "content_type", "object_id", "role", "passage", "quote", "is_valid"]
    list_filter = [
        "orphaned",
        "role",
        "content_type",
        slug_filter("passage__document", "document"),
    ]
    list_select_related = ["content_type", "passage__document"]
    search_fields = ["exact", "passage__anchor", "passage__document__slug"]
    # The claim (any model) is named by its type and id, shown with a link to its page.
    autocomplete_fields = ["passage"]
    fields = [
        "content_type",
        "object_id",
        "claim_link",
        "role",
        "passage",
        "exact",
        "occurrence",
        "status",
        "prefix",
        "suffix",
        "passage_text",
    ]
    readonly_fields = ["claim_link", "status", "prefix", "suffix", "passage_text"]
    history_list_display = ["exact", "orphaned"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("passage__document__text")

    @admin.display(description="Claim")
    def claim_link(self, citation: Citation) -> str:
        claim = citation.claim if citation.pk else None
        if claim is None:
            return "Give the claim's type and its id (the number in its admin page's address)."
        opts = claim._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[claim.pk])
        return format_html('<a href="{}">{}: {}</a>', url, opts.verbose_name, claim)

    @admin.display(description="Quote")
    def quote(self, citation: Citation) -> str:
        return citation.exact[:EXCERPT]

    @admin.display(description="Valid", boolean=True)
    def is_valid(self, citation: Citation) -> bool:
        return citation.valid

    @admin.display(description="Status")
    def status(self, citation: Citation) -> str:
        return citation_status(citation)

    passage_text = CitationInline.passage_text
