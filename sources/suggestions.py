"""Orphaned citations' repair suggestions, stored: computed once, listed from storage.

Matching a quote against every passage of its document (`sources.repairs`) takes
milliseconds per citation, so a page of orphaned citations computed per request grew with
the documents' size. The suggestions are computed when citations become orphaned (at
ingest, `sources.services`), stored (`StoredSuggestions`), and read back in one query.

A stored row is keyed by its `fingerprint`: a hash of what the suggestions are a pure
function of (the document's text and format, the quote with its prefix and suffix, the
version of the matching). A row whose fingerprint is no longer the citation's (the
document changed outside an ingest, the matching changed, a backup restored without the
table) is stale: it is computed again, and stored, when read. So storage never shows
suggestions that the current text would not give.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from sources.models import Citation, Document, Passage, StoredSuggestions
from sources.repairs import Candidate, Current, PassageIndex
from sources.repairs import suggestions as repair_suggestions

# Change it when `sources.repairs` changes what it proposes: every stored row goes stale.
MATCHING_VERSION = "2"


def document_current(document_id: int) -> list[Current]:
    """The document's current passages in reading order, as the repairs read them (one
    query of two columns)."""
    rows = (
        Passage.objects.filter(document_id=document_id, retired=False)
        .order_by("ordinal")
        .values_list("anchor", "shown")
    )
    return [Current(anchor, shown) for anchor, shown in rows]


class DocumentTexts:
    """The current passages of documents, each document's read (and indexed for matching)
    at most once: what an orphaned citation's suggestions are computed from. `preload`
    reads those of several documents in one query."""

    def __init__(self) -> None:
        self.by_document: dict[int, list[Current]] = {}
        self.indexes: dict[int, PassageIndex] = {}

    def preload(self, document_ids: Iterable[int]) -> None:
        wanted = set(document_ids) - set(self.by_document) - set(self.indexes)
        if not wanted:
            return
        rows = (
            Passage.objects.filter(document_id__in=wanted, retired=False)
            .order_by("document_id", "ordinal")
            .values_list("document_id", "anchor", "shown")
        )
        for document_id in wanted:
            self.by_document[document_id] = []
        for document_id, anchor, shown in rows:
            self.by_document[document_id].append(Current(anchor, shown))

    def current(self, document_id: int) -> PassageIndex:
        if document_id not in self.indexes:
            if document_id not in self.by_document:
                self.by_document[document_id] = document_current(document_id)
            self.indexes[document_id] = PassageIndex(self.by_document.pop(document_id))
        return self.indexes[document_id]


def _document_key(citation: Citation) -> tuple[str, str]:
    """The SHA-256 and format of the citation's document: from the passage's document when
    it was loaded with it (`with_passage`), else read (two columns, never the text)."""
    passage = citation.passage
    if Passage.document.is_cached(passage):  # type: ignore[attr-defined]
        return passage.document.sha256, passage.document.format
    return Document.objects.values_list("sha256", "format").get(pk=passage.document_id)


def fingerprint(citation: Citation, document_key: tuple[str, str] | None = None) -> str:
    """What the citation's suggestions are a function of, hashed (see the module)."""
    sha256, format = document_key or _document_key(citation)
    parts = (MATCHING_VERSION, sha256, format, citation.exact, citation.prefix, citation.suffix)
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def compute(citation: Citation, current: Sequence[Current] | PassageIndex) -> list[Candidate]:
    """Where an orphaned citation's quote may have gone in its document's current passages
    (`document_current`); none for a citation that is not orphaned."""
    if not citation.orphaned:
        return []
    return repair_suggestions(
        exact=citation.exact,
        prefix=citation.prefix,
        suffix=citation.suffix,
        passages=current,
        near=citation.passage.anchor,
    )


def _as_json(candidates: list[Candidate]) -> list[dict]:
    return [
        {"passage": c.passage, "start": c.start, "end": c.end, "exact": c.exact, "score": c.score}
        for c in candidates
    ]


def _from_json(rows: list[dict]) -> list[Candidate]:
    return [Candidate(**row) for row in rows]


def suggestions_store(
    *,
    citations: Sequence[Citation],
    texts: DocumentTexts | None = None,
    document_key: tuple[str, str] | None = None,
) -> dict[int, list[Candidate]]:
    """Compute the suggestions of the orphaned ones of `citations` and store them (one
    upsert a batch); answers them by citation id. `document_key`: the (SHA-256, format) of
    their one document, when the caller has it (an ingest)."""
    orphaned = [c for c in citations if c.orphaned]
    texts = texts or DocumentTexts()
    texts.preload(c.passage.document_id for c in orphaned)
    found: dict[int, list[Candidate]] = {}
    rows = []
    for citation in orphaned:
        candidates = compute(citation, texts.current(citation.passage.document_id))
        found[citation.pk] = candidates
        rows.append(
            StoredSuggestions(
                citation_id=citation.pk,
                fingerprint=fingerprint(citation, document_key),
                candidates=_as_json(candidates),
            )
        )
    StoredSuggestions.objects.bulk_create(
        rows,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["citation"],
        update_fields=["fingerprint", "candidates", "computed_at"],
    )
    return found


class SuggestionBook:
    """The suggestions of the citations a request shows: the stored ones read in one query,
    stale or missing ones computed (each document's current passages read once) and stored.
    `preload` a page of citations first; `get` answers one."""

    def __init__(self) -> None:
        self.texts = DocumentTexts()
        self.found: dict[int, list[Candidate]] = {}

    def preload(self, citations: Iterable[Citation]) -> None:
        orphaned = [c for c in citations if c.orphaned and c.pk not in self.found]
        if not orphaned:
            return
        stored = {
            pk: (key, candidates)
            for pk, key, candidates in StoredSuggestions.objects.filter(
                citation_id__in=[c.pk for c in orphaned]
            ).values_list("citation_id", "fingerprint", "candidates")
        }
        missing = []
        for citation in orphaned:
            key, candidates = stored.get(citation.pk, ("", []))
            if key and key == fingerprint(citation):
                self.found[citation.pk] = _from_json(candidates)
            else:
                missing.append(citation)
        if missing:
            self.found |= suggestions_store(citations=missing, texts=self.texts)

    def get(self, citation: Citation) -> list[Candidate]:
        if not citation.orphaned:
            return []
        if citation.pk not in self.found:
            self.preload([citation])
        return self.found[citation.pk]
