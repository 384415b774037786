"""Writes to documents, passages and citations. Each is atomic and validates first."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction

from sources.markdown import render_markdown
from sources.models import Citation, CitationRole, Document, DocumentFormat, Passage
from sources.parsing import split_passages

CONTEXT_CHARS = 32


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def changed_fields(instance: models.Model, values: dict) -> list[str]:
    """Set `values` on `instance`; return the names of the fields whose value changed."""
    changed = []
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


@dataclass
class IngestSummary:
    created: bool = False
    metadata_changed: list[str] = field(default_factory=list)
    passages_added: list[str] = field(default_factory=list)
    passages_removed: list[str] = field(default_factory=list)
    passages_changed: list[str] = field(default_factory=list)
    citations_valid: int = 0
    citations_orphaned: list[Citation] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.created
            or self.metadata_changed
            or self.passages_added
            or self.passages_removed
            or self.passages_changed
            or self.citations_orphaned
        )


@transaction.atomic
def document_upsert(
    *,
    slug: str,
    title: str,
    kind: str,
    text: str,
    format: str = DocumentFormat.TEXT,
    authors: list[str] | None = None,
    publisher: str = "",
    published: date | None = None,
    published_precision: str = "day",
    url: str = "",
    language: str = "en",
) -> tuple[Document, IngestSummary]:
    """Create or update a document and its passages; writes nothing when nothing changed.

    Passages are matched by anchor. A cited passage whose text changed keeps its citations,
    re-checked: those whose quote no longer stands at its offsets are marked orphaned, never
    moved to other text. A cited passage that disappeared from the text is refused.
    """
    summary = IngestSummary()
    values = {
        "title": title,
        "kind": kind,
        "text": text,
        "format": format,
        "authors": list(authors or []),
        "publisher": publisher,
        "published": published,
        "published_precision": published_precision,
        "url": url,
        "language": language,
        "sha256": text_sha256(text),
    }
    document = Document.objects.filter(slug=slug).first()
    if document is None:
        document = Document(slug=slug, **values)
        document.full_clean()
        document.save()
        summary.created = True
        text_changed = True
    else:
        text_changed = document.sha256 != values["sha256"]
        summary.metadata_changed = changed_fields(document, values)
        if summary.metadata_changed:
            document.full_clean()
            document.save()
    if text_changed:
        _passages_sync(document, summary)
    return document, summary


def _passages_sync(document: Document, summary: IngestSummary) -> None:
    specs = split_passages(document.text, markdown=document.format == DocumentFormat.MARKDOWN)
    existing = {p.anchor: p for p in Passage.objects.filter(document=document)}
    wanted = {spec.anchor for spec in specs}

    removed = [p for anchor, p in existing.items() if anchor not in wanted]
    cited = Citation.objects.filter(passage__in=removed).select_related("passage")
    if cited:
        anchors = sorted({c.passage.anchor for c in cited})
        raise ValidationError(
            f"Passages {', '.join(anchors)} are cited but no longer in the new text of {document.slug}."
        )
    Passage.objects.filter(pk__in=[p.pk for p in removed]).delete()
    summary.passages_removed = sorted(p.anchor for p in removed)

    # Ordinals are unique per document: park the kept passages out of the way first.
    Passage.objects.filter(document=document).update(ordinal=models.F("ordinal") + 1_000_000)
    to_create, to_update = [], []
    for spec in specs:
        values = {
            "ordinal": spec.ordinal,
            "kind": spec.kind,
            "level": spec.level,
            "section": spec.section,
            "start": spec.start,
            "end": spec.end,
            "text": spec.text,
            "html": render_markdown(spec.text, inline=spec.kind != "paragraph"),
        }
        passage = existing.get(spec.anchor)
        if passage is None:
            to_create.append(Passage(document=document, anchor=spec.anchor, **values))
            summary.passages_added.append(spec.anchor)
            continue
        text_before = passage.text
        changed_fields(passage, values)
        to_update.append(passage)
        if passage.text != text_before:
            summary.passages_changed.append(spec.anchor)
    Passage.objects.bulk_create(to_create, batch_size=500)
    Passage.objects.bulk_update(
        to_update,
        ["ordinal", "kind", "level", "section", "start", "end", "text", "html"],
        batch_size=500,
    )
    _citations_recheck(document, summary)


def _citations_recheck(document: Document, summary: IngestSummary) -> None:
    orphaned = []
    for citation in Citation.objects.filter(passage__document=document).select_related("passage"):
        if (
            citation.orphaned
            or citation.passage.text[citation.start : citation.end] != citation.exact
        ):
            if not citation.orphaned:
                orphaned.append(citation.pk)
            summary.citations_orphaned.append(citation)
        else:
            summary.citations_valid += 1
    Citation.objects.filter(pk__in=orphaned).update(orphaned=True)


def locate_quote(passage: Passage, exact: str, *, occurrence: int = 1) -> int:
    """The offset of the `occurrence`-th appearance of `exact` in the passage's text."""
    if not exact:
        raise ValidationError({"exact": "A quote cannot be empty."})
    start = -1
    for _ in range(occurrence):
        start = passage.text.find(exact, start + 1)
        if start < 0:
            raise ValidationError(
                {
                    "exact": f"“{exact[:80]}” is not found in passage {passage.document.slug}#{passage.anchor}"
                    + (f" (occurrence {occurrence})." if occurrence > 1 else ".")
                }
            )
    return start


@transaction.atomic
def citation_attach(
    *,
    claim: models.Model,
    passage: Passage,
    exact: str,
    role: str = CitationRole.SOURCE,
    occurrence: int = 1,
) -> tuple[Citation, bool]:
    """Cite `passage` for `claim` with the quote `exact`; return it and whether it was new.

    The quote must appear verbatim in the passage; its offsets and the W3C prefix and suffix
    are computed from the text, so a citation is valid from the moment it exists.
    """
    start = locate_quote(passage, exact, occurrence=occurrence)
    end = start + len(exact)
    values = {
        "exact": exact,
        "start": start,
        "end": end,
        "prefix": passage.text[max(0, start - CONTEXT_CHARS) : start],
        "suffix": passage.text[end : end + CONTEXT_CHARS],
        "orphaned": False,
    }
    content_type = ContentType.objects.get_for_model(claim)
    citation = Citation.objects.filter(
        content_type=content_type,
        object_id=claim.pk,
        role=role,
        passage=passage,
        start=start,
        end=end,
    ).first()
    if citation is None:
        citation = Citation(
            content_type=content_type, object_id=claim.pk, role=role, passage=passage, **values
        )
        citation.full_clean()
        citation.save()
        return citation, True
    if changed_fields(citation, values):
        citation.full_clean()
        citation.save()
    return citation, False
