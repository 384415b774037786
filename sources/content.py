"""The content models of sources, each declared once (`core.registry.Content`)."""

from __future__ import annotations

from django.db.models import Q

from core.history import history_model
from core.package import Column, Table, fk, id_column, slug_column
from core.registry import Claim, Content, ScopeRule
from sources.models import Citation, Document, Passage

_passages = history_model(Passage)._default_manager


def _passages_of(ids):
    return _passages.filter(document_id__in=ids).values("id")


DOCUMENTS = Table(
    "documents",
    "Source documents",
    Document,
    [
        id_column(),
        slug_column(),
        Column("title", "string", "title", required=True),
        Column("kind", "string", "kind", required=True),
        Column("authors", "array", "authors", "JSON array of names, in the source's order."),
        Column("publisher", "string", "publisher"),
        Column("published", "date", "published"),
        Column(
            "published_precision",
            "string",
            "published_precision",
            "day, month or year: how much of the date the source gives.",
        ),
        Column("url", "string", "url"),
        Column("language", "string", "language"),
        Column("format", "string", "format"),
        Column("sha256", "string", "sha256", "SHA-256 of the canonical text."),
        Column("text", "string", "text", "The canonical full text.", required=True),
        Column("added_at", "datetime", "added_at"),
        Column(
            "page_starts",
            "array",
            "page_starts",
            "JSON array: for a document read from pages (a PDF), the offset in the text where "
            "each page begins, page 1 first; [] for a document without pages.",
        ),
    ],
)

PASSAGES = Table(
    "passages",
    "Passages of the documents",
    Passage,
    [
        id_column(),
        Column("document", "string", "document__slug", required=True),
        Column("ordinal", "integer", "ordinal", required=True),
        Column("anchor", "string", "anchor", "Fragment id in the reader.", required=True),
        Column("kind", "string", "kind", required=True),
        Column("level", "integer", "level"),
        Column("section", "string", "section"),
        Column("start", "integer", "start", "Offset in the document text.", required=True),
        Column("end", "integer", "end", "Offset one past the last character.", required=True),
        Column("text", "string", "text", required=True),
        Column(
            "source_page",
            "integer",
            "source_page",
            "The page of the source (a PDF) it starts on; empty for a document without pages.",
        ),
        Column(
            "source_page_end",
            "integer",
            "source_page_end",
            "The page it ends on (its start page unless it runs over a page break).",
        ),
    ],
    foreign_keys=[fk("document", "documents", "slug")],
    order_by=("document__slug", "ordinal"),
)

CITATIONS = Table(
    "citations",
    "Citations: a claim's pointer to a passage (W3C text quote + position selectors)",
    Citation,
    [
        id_column(),
        Column(
            "claim_table",
            "string",
            "content_type__model",
            "The table of the claim this citation supports.",
            required=True,
        ),
        Column("claim_id", "integer", "object_id", "The claim's id in that table.", required=True),
        Column("role", "string", "role", required=True),
        Column("passage", "integer", "passage_id", required=True),
        Column("exact", "string", "exact", "The quote, verbatim.", required=True),
        Column("prefix", "string", "prefix"),
        Column("suffix", "string", "suffix"),
        Column("start", "integer", "start", "Offset of the quote in the passage.", required=True),
        Column("end", "integer", "end", required=True),
        Column("orphaned", "boolean", "orphaned", required=True),
    ],
    foreign_keys=[fk("passage", "passages")],
)

# A document's pages show its passages and the quotes into them; the index lists the
# documents. A citation moves its passage's document and its claim's owners.
CONTENT = (
    Content(
        model=Document,
        name="document",
        label=lambda d: d.title,
        api="document",
        # The text itself is too large to repeat in every change: its SHA-256 says it
        # changed, and its passages say where.
        excluded=("text",),
        scopes=(ScopeRule("documents"), ScopeRule("document", "id")),
        claim=Claim(
            kind="Document",
            deferred=("text",),
            owners=(("document", "id"),),
            search=("title", "slug"),
        ),
        tables=(DOCUMENTS,),
    ),
    Content(
        model=Passage,
        name="passage",
        label=lambda p: f"{p.document.title}, passage {p.anchor}",
        key="pk",
        api="passage",
        related=("document",),
        text="text",
        # What the reader derives from the text.
        excluded=("html", "shown", "table_header"),
        scopes=(ScopeRule("document", "document_id"),),
        change_scopes={"document": lambda ids: Q(document_id__in=ids)},
        tables=(PASSAGES,),
    ),
    Content(
        model=Citation,
        name="citation",
        label=lambda c: (
            f"Citation of {c.passage.document.slug}#{c.passage.anchor}: “{c.exact[:80]}”"
        ),
        key="pk",
        api="citation",
        related=("passage__document",),
        text="exact",
        scopes=(ScopeRule("document", "document_id", via=("sources_passage", "passage_id")),),
        change_scopes={"document": lambda ids: Q(passage_id__in=_passages_of(ids))},
        cites=("content_type", "object_id"),
        tables=(CITATIONS,),
    ),
)
