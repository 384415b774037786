"""Writes to documents, passages and citations. Each is atomic and validates first."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.writes import changed_fields, row_upsert, rows_update
from sources.models import (
    Citation,
    CitationRole,
    Document,
    DocumentFormat,
    Passage,
    PassageKind,
    StoredSuggestions,
    page_url,
)
from sources.parsing import PassageSpec, source_pages, split_passages
from sources.passage_rendering import Footnotes, Rendered, render_passage
from sources.quotes import (
    CONTEXT_CHARS,
    NotRederivable,
    QuoteNotFound,
    anchor_quote,
    quote_context,
    reading_context,
    rederive,
)
from sources.reader_layout import (
    FOOTNOTE_PREFIX,
    OUTLINE_MAX,
    Layout,
    Source,
    lay_out,
    reader_summary,
)
from sources.repairs import is_candidate
from sources.suggestions import SuggestionBook, suggestions_store


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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
    page_starts: list[int] | None = None,
    changed_by=None,
    progress=None,
) -> tuple[Document, IngestSummary]:
    """Create or update a document and its passages; writes nothing when nothing changed.

    Passages are matched by anchor. A cited passage whose text changed keeps its citations,
    re-checked: those whose quote (with its prefix and suffix) no longer stands at its offsets
    are marked orphaned, never moved to other text. A cited passage that disappeared from
    the text is kept as it was, retired from the reading order, and its citations orphaned;
    an uncited one is deleted. `changed_by` (a user) is recorded in the history.
    `progress`, a bar (`core.progress.progress_bar`), counts the passages as they are made.
    `page_starts`, for a text read from pages (a PDF), are the offsets where its pages begin:
    each passage records the pages it starts and ends on.
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
        "page_starts": list(page_starts or []),
    }
    document = Document.objects.filter(slug=slug).first()
    if document is None:
        document = Document(slug=slug, **values)
        document.full_clean()
        document._history_user = changed_by
        document.save()
        summary.created = True
        text_changed = True
    else:
        text_changed = (
            document.sha256 != values["sha256"] or document.page_starts != values["page_starts"]
        )
        summary.metadata_changed = changed_fields(document, values)
        if summary.metadata_changed:
            document.full_clean()
            document._history_user = changed_by
            document.save()
    if text_changed:
        _passages_sync(document, summary, changed_by=changed_by, progress=progress)
    return document, summary


def document_layout(document: Document, sources: list[Source]) -> list[Layout]:
    """How the reader shows `sources` (the document's current passages, in order)."""
    return lay_out(
        sources,
        markdown=document.format == DocumentFormat.MARKDOWN,
        page_href=lambda page: page_url(document.slug, page),
    )


def _passages_sync(
    document: Document, summary: IngestSummary, *, changed_by=None, progress=None
) -> None:
    """Bring the document's passages, their layout and its citations in line with its text."""
    specs = split_passages(document.text, markdown=document.format == DocumentFormat.MARKDOWN)
    if progress is not None:
        progress.reset(total=len(specs))
    sources = [Source(s.anchor, s.kind, s.level, s.text, header=s.header) for s in specs]
    layouts = document_layout(document, sources)
    document.reader = reader_summary(sources, layouts, outline_max=OUTLINE_MAX)
    Document.objects.filter(pk=document.pk).update(reader=document.reader)
    history = {"default_user": changed_by, "default_change_reason": f"ingest {document.slug}"}
    existing = {p.anchor: p for p in Passage.objects.filter(document=document)}
    retired = _passages_gone(existing, {spec.anchor for spec in specs}, summary, changed_by)
    _passages_write(
        document, specs, layouts, existing, retired, summary, history=history, progress=progress
    )
    headers = {
        spec.anchor: layout.table_header for spec, layout in zip(specs, layouts, strict=True)
    }
    _table_headers_link(document, headers)
    around = _reading_context(specs, layouts)
    _citations_recheck(document, summary, around=around, history=history)


def _passages_gone(
    existing: dict[str, Passage], wanted: set[str], summary: IngestSummary, changed_by
) -> list[Passage]:
    """Delete the passages gone from the text (from `existing` too), unless something cites
    them: those are kept as they were, retired from the reading order, so no citation loses
    the words it quoted. Answers the retired passages, in their old order."""
    gone = [p for anchor, p in existing.items() if anchor not in wanted and not p.retired]
    cited = set(
        Citation.objects.filter(passage__in=gone).values_list("passage_id", flat=True).distinct()
    )
    for passage in gone:
        if passage.pk not in cited:
            passage._history_user = changed_by
            passage.delete()
            del existing[passage.anchor]
    summary.passages_removed = sorted(p.anchor for p in gone)
    return sorted(
        (p for anchor, p in existing.items() if anchor not in wanted), key=lambda p: p.ordinal
    )


def _passage_values(spec: PassageSpec, layout: Layout, page_starts: list[int]) -> dict:
    """A passage's fields as the text, its layout and the text's pages give them."""
    first, last = source_pages(page_starts, spec.start, spec.end)
    return {
        "ordinal": spec.ordinal,
        "kind": spec.kind,
        "level": spec.level,
        "section": spec.section,
        "start": spec.start,
        "end": spec.end,
        "text": spec.text,
        "shown": layout.shown,
        "html": layout.html,
        "page": layout.page,
        "source_page": first,
        "source_page_end": last,
        "retired": False,
    }


def _passages_write(
    document: Document,
    specs: list[PassageSpec],
    layouts: list[Layout],
    existing: dict[str, Passage],
    retired: list[Passage],
    summary: IngestSummary,
    *,
    history: dict,
    progress=None,
) -> None:
    """Create, change and renumber the passages, the retired ones after the text's, with
    their history; note what was added and changed in `summary`."""
    # Ordinals are unique per document: park the kept passages out of the way first.
    Passage.objects.filter(document=document).update(ordinal=models.F("ordinal") + 1_000_000)
    to_create, changed, unchanged = [], [], []
    fields = ["ordinal", "retired"]  # what retiring a passage changes; the text's, any value
    for spec, layout in zip(specs, layouts, strict=True):
        values = _passage_values(spec, layout, document.page_starts)
        fields = list(values)
        if progress is not None:
            progress.update(1)
        passage = existing.get(spec.anchor)
        if passage is None:
            to_create.append(Passage(document=document, anchor=spec.anchor, **values))
            summary.passages_added.append(spec.anchor)
            continue
        was_retired, text_before = passage.retired, passage.text
        (changed if set(changed_fields(passage, values)) - {"ordinal"} else unchanged).append(
            passage
        )
        if was_retired:
            summary.passages_added.append(spec.anchor)
        elif passage.text != text_before:
            summary.passages_changed.append(spec.anchor)
    for ordinal, passage in enumerate(retired, start=len(specs) + 1):
        was_retired = passage.retired
        changed_fields(passage, {"ordinal": ordinal, "retired": True})
        (unchanged if was_retired else changed).append(passage)

    bulk_create_with_history(to_create, Passage, batch_size=500, **history)
    # Passages whose only change is their ordinal coming back get no history entry.
    rows_update(Passage, unchanged, ["ordinal"])
    _update_with_history(Passage, changed, fields, history)


def _update_with_history(model, objects: list, fields: list[str], history: dict) -> None:
    """Write `fields` of `objects` (`core.writes.rows_update`) and a history entry of each as
    it now is (simple-history's bulk writer, given no fields: it writes history only)."""
    rows_update(model, objects, fields)
    bulk_update_with_history(objects, model, [], batch_size=500, **history)


def _reading_context(specs: list[PassageSpec], layouts: list[Layout]):
    """`around(anchor)`: the shown text before and after a passage of the new text (a
    quote's prefix and suffix reach into its neighbours); empty for one not in it."""
    shown = [layout.shown for layout in layouts]
    position = {spec.anchor: index for index, spec in enumerate(specs)}

    def around(anchor: str) -> tuple[str, str]:
        index = position.get(anchor)
        if index is None:
            return "", ""
        before = (shown[i] for i in range(index - 1, -1, -1))
        return reading_context(before, (shown[i] for i in range(index + 1, len(shown))))

    return around


def _table_headers_link(document: Document, headers: dict[str, str | None]) -> None:
    """Point each table row at its table's header row (a structural link, kept out of the
    history: it follows from the text)."""
    passages = list(Passage.objects.filter(document=document).only("id", "anchor", "table_header"))
    ids = {p.anchor: p.pk for p in passages}
    stale = []
    for passage in passages:
        header = headers.get(passage.anchor)
        wanted = ids.get(header) if header else None
        if passage.table_header_id != wanted and passage.anchor in headers:
            passage.table_header_id = wanted
            stale.append(passage)
    rows_update(Passage, stale, ["table_header"])


def _citations_recheck(
    document: Document,
    summary: IngestSummary,
    *,
    around: Callable[[str], tuple[str, str]],
    history: dict,
) -> None:
    """After the text changed: a citation whose quote no longer stands at its offsets (or
    whose passage is retired) is orphaned, never moved; one that stands keeps its offsets and
    takes its selector's context (prefix, suffix) from the reading text around it now."""
    orphaned, recontextualised = [], []
    for citation in Citation.objects.filter(passage__document=document).select_related("passage"):
        if citation.orphaned or citation.passage.retired or not citation.stands:
            if not citation.orphaned:
                citation.orphaned = True
                orphaned.append(citation)
            summary.citations_orphaned.append(citation)
            continue
        summary.citations_valid += 1
        before, after = around(citation.passage.anchor)
        context = quote_context(
            citation.passage.shown, citation.start, citation.end, before=before, after=after
        )
        if (citation.prefix, citation.suffix) != context:
            citation.prefix, citation.suffix = context
            recontextualised.append(citation)
    _update_with_history(Citation, orphaned, ["orphaned"], history)
    _update_with_history(Citation, recontextualised, ["prefix", "suffix"], history)
    # The text changed: where each orphaned quote may have gone now, stored for the editors.
    suggestions_store(
        citations=summary.citations_orphaned, document_key=(document.sha256, document.format)
    )


def passage_context(passage: Passage) -> tuple[str, str]:
    """The reading text around `passage` (`sources.quotes.reading_context`): two queries,
    each for at most CONTEXT_CHARS neighbouring passages' shown text."""
    current = Passage.objects.filter(document_id=passage.document_id, retired=False)
    previous = current.filter(ordinal__lt=passage.ordinal).order_by("-ordinal")
    following = current.filter(ordinal__gt=passage.ordinal).order_by("ordinal")
    return reading_context(
        previous.values_list("shown", flat=True)[:CONTEXT_CHARS].iterator(),
        following.values_list("shown", flat=True)[:CONTEXT_CHARS].iterator(),
    )


def passage_quote(passage: Passage, exact: str, *, occurrence: int = 1, start: int | None = None):
    """The selector of `exact` in `passage` as the reader shows it
    (`sources.quotes.anchor_quote`), or a ValidationError on `exact` naming the passage.

    A quote copied from the source text, markup included (`**collaborating** on`), is
    found there and re-derived to the words the reader shows (`sources.quotes.rederive`),
    unless `start` is given: offsets are always those of the shown text.
    """
    where = f"passage {passage.document.slug}#{passage.anchor}"
    before, after = passage_context(passage) if not passage.retired else ("", "")
    try:
        return anchor_quote(
            passage.shown,
            exact,
            occurrence=occurrence,
            start=start,
            where=where,
            before=before,
            after=after,
        )
    except QuoteNotFound as error:
        if start is None and exact and exact in passage.text:
            try:
                source = anchor_quote(passage.text, exact, occurrence=occurrence, where=where)
                rendered = passage_rendering(passage)
                if rendered.shown != passage.shown:
                    raise NotRederivable("the passage renders differently now")
                shown, first, _ = rederive(
                    passage.text, rendered, exact=exact, start=source.start, end=source.end
                )
                return anchor_quote(
                    passage.shown, shown, start=first, where=where, before=before, after=after
                )
            except (QuoteNotFound, NotRederivable):
                pass
        raise ValidationError({"exact": str(error)}) from None


def passage_rendering(passage: Passage) -> Rendered:
    """The passage's text rendered again (`sources.passage_rendering`) for where each shown
    character comes from; one query, for the document's footnotes (a reference to one is
    shown by its label)."""
    anchors = Passage.objects.filter(
        document_id=passage.document_id, kind=PassageKind.FOOTNOTE
    ).values_list("anchor", flat=True)
    labels = {anchor.removeprefix(FOOTNOTE_PREFIX) for anchor in anchors}
    return render_passage(
        passage.text,
        kind=passage.kind,
        markdown=passage.document.format == DocumentFormat.MARKDOWN,
        header=passage.is_table_header,
        footnotes=Footnotes(labels=labels),
    )


def claim_quote_check(claim, field: str, value: str, *, roles: tuple[str, ...]) -> None:
    """A field that quotes the source (a verbatim cell's text, a level's definition, a
    mandate's statement) must still be found in a passage the claim cites in one of `roles`.

    Expects `claim.citations` prefetched with their passages. A claim without such
    citations is not checked (an editor adds the citation next).
    """
    if claim is None:
        return
    passages = [c.passage for c in claim.citations.all() if c.role in roles]
    if passages and not any(value in passage.text for passage in passages):
        anchors = ", ".join(sorted({f"{p.document.slug}#{p.anchor}" for p in passages}))
        raise ValidationError(
            {field: f"The new text is not found in the passage it cites ({anchors})."}
        )


@transaction.atomic
def citation_attach(
    *,
    claim: models.Model,
    passage: Passage,
    exact: str,
    role: str = CitationRole.SOURCE,
    occurrence: int = 1,
) -> tuple[Citation, bool]:
    """Cite `passage` for `claim` with the quote `exact`; return it and whether it was written.

    The quote must appear verbatim in the passage as the reader shows it, or in its source
    text, markup included, from which it is re-derived (`passage_quote`); its offsets and
    the W3C prefix and suffix are computed from the text, so a citation is valid from the
    moment it exists.
    """
    anchor = passage_quote(passage, exact, occurrence=occurrence)
    start, end = anchor.start, anchor.end
    values = {
        "exact": anchor.exact,
        "prefix": anchor.prefix,
        "suffix": anchor.suffix,
        "orphaned": False,
    }
    lookup = {
        "content_type": ContentType.objects.get_for_model(claim),
        "object_id": claim.pk,
        "role": role,
        "passage": passage,
        "start": start,
        "end": end,
    }
    return row_upsert(Citation, lookup=lookup, values=values)


class CandidateStale(Exception):
    """A suggested place for an orphaned citation's quote is no longer one (the document
    changed since it was proposed, the passage was retired, the offsets fall outside it, or
    the citation was repaired already): nothing is written. The API answers 409."""


@transaction.atomic
def citation_reanchor(
    *,
    citation: Citation,
    passage: Passage,
    start: int,
    end: int,
    editor,
    exact: str | None = None,
) -> Citation:
    """Re-anchor an orphaned citation on one of its suggestions, as an editor decided: the
    quote becomes the words of `passage`'s shown text at `start`..`end`, its selector
    computed as for any new citation (`passage_quote`), and the history names `editor`.

    The span must still be one of the citation's suggestions (and hold `exact`, when given:
    the words the editor saw), else CandidateStale and nothing is written.
    """
    citation = Citation.objects.select_for_update().select_related("passage").get(pk=citation.pk)
    if not citation.orphaned:
        raise CandidateStale("The citation is not orphaned (any more): there is nothing to repair.")
    if passage.document_id != citation.passage.document_id:
        raise CandidateStale("The passage is not in the citation's document.")
    if passage.retired:
        raise CandidateStale(f"Passage {passage.anchor} is no longer in the document's text.")
    if not 0 <= start < end <= len(passage.shown):
        raise CandidateStale(
            f"{start}-{end} is outside passage {passage.anchor}, which has "
            f"{len(passage.shown)} characters now."
        )
    words = passage.shown[start:end]
    if exact is not None and words != exact:
        raise CandidateStale(
            f"Passage {passage.anchor} no longer holds these words at {start}-{end}."
        )
    candidates = SuggestionBook().get(citation)
    if not is_candidate(candidates, passage=passage.anchor, start=start, end=end):
        raise CandidateStale(
            f"{passage.anchor} {start}-{end} is no longer a suggestion for this citation: the "
            "document changed since it was proposed. Read its suggestions again."
        )
    selector = passage_quote(passage, words, start=start)
    citation.passage = passage
    citation.exact = selector.exact
    citation.prefix = selector.prefix
    citation.suffix = selector.suffix
    citation.start = selector.start
    citation.end = selector.end
    citation.orphaned = False
    citation.full_clean()
    citation._history_user = editor
    citation._change_reason = "re-anchored on a suggestion"
    citation.save()
    StoredSuggestions.objects.filter(citation=citation).delete()
    return citation
