"""A synthetic knowledge base N times the seeded one, for benchmarks (`manage.py synthesize`).

Copy k of the seeded knowledge base (k = 1 .. N-1; the seeded data itself is copy 0) has a
document per seeded document, a passage per seeded passage, an institution per seeded
institution, a framework per seeded framework with a cell wherever the seeded framework has
one, and a citation per seeded citation of a cell or an institution. Levels and activities
are shared, so every synthetic matrix is 15 x 4 like the seeded ones.

A synthetic passage is its seeded passage with the words shuffled (a seeded random generator
per copy) and the same whitespace between them, so the passage keeps its length and its
offsets in the document, and the synthetic document is the seeded text with each passage replaced.
A synthetic quote stands at the seeded quote's offsets in the shown text, widened to whole words: every
synthetic citation is valid, and the same seed gives the same content.

Synthetic rows are recognisable: documents, institutions and frameworks have slugs starting
with `synth-`; their passages, cells and citations hang from them.
"""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q

from engagement.models import Cell, Framework
from institutions.models import Institution
from sources.models import Citation, Document, Passage
from sources.quotes import quote_context, reading_context
from sources.reader_layout import OUTLINE_MAX, Source, reader_summary
from sources.services import document_layout, text_sha256

PREFIX = "synth-"
BATCH_SIZE = 500
# Copies built and written together: bounds memory whatever the scale.
COPIES_PER_CHUNK = 20

_TOKENS = re.compile(r"\S+")


class SynthesisError(Exception):
    """The seeded knowledge base the synthesis copies is missing."""


@dataclass
class SynthesisReport:
    created: Counter = field(default_factory=Counter)
    deleted: Counter = field(default_factory=Counter)

    def lines(self) -> list[str]:
        labels = sorted(set(self.created) | set(self.deleted))
        return [
            f"{label}: {self.created[label]} created, {self.deleted[label]} deleted"
            for label in labels
        ]


def synthetic_slug(copy: int, slug: str) -> str:
    return f"{PREFIX}{copy:04d}-{slug}"


def shuffle_words(text: str, rng: random.Random) -> str:
    """`text` with its words in a random order, and the same whitespace between them."""
    words = _TOKENS.findall(text)
    rng.shuffle(words)
    gaps = _TOKENS.split(text)
    return "".join(gap + word for gap, word in zip(gaps, [*words, ""], strict=True))


def word_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The offsets of the whole words that `text[start:end]` touches (at least one word)."""
    start, end = max(0, min(start, len(text) - 1)), max(1, min(end, len(text)))
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:  # only whitespace: take the next word, or else the last one
        match = _TOKENS.search(text, start) or list(_TOKENS.finditer(text))[-1]
        start, end = match.span()
    return start, end


@dataclass
class _Seeded:
    """The seeded rows a copy is made of, in a stable order (never by primary key)."""

    documents: list[Document]
    passages: dict[int, list[Passage]]
    institutions: list[Institution]
    frameworks: list[Framework]
    framework_institutions: dict[int, list[int]]
    cells: list[Cell]
    citations: list[Citation]


def _seeded() -> _Seeded:
    documents = list(Document.objects.exclude(slug__startswith=PREFIX).order_by("slug"))
    if not documents:
        raise SynthesisError("The seeded knowledge base is empty: run `manage.py seed` first.")
    passages = defaultdict(list)
    for passage in Passage.objects.filter(document__in=documents).order_by(
        "document__slug", "ordinal"
    ):
        passages[passage.document_id].append(passage)
    institutions = list(Institution.objects.exclude(slug__startswith=PREFIX).order_by("slug"))
    frameworks = list(Framework.objects.exclude(slug__startswith=PREFIX).order_by("slug"))
    through = Framework.institutions.through.objects.filter(framework__in=frameworks)
    framework_institutions = defaultdict(list)
    for framework_id, institution_id in through.order_by("pk").values_list(
        "framework_id", "institution_id"
    ):
        framework_institutions[framework_id].append(institution_id)
    cells = list(
        Cell.objects.filter(framework__in=frameworks)
        .select_related("activity", "level")
        .order_by("framework__slug", "activity__ordinal", "level__ordinal")
    )
    types = ContentType.objects.get_for_models(Cell, Institution)
    citations = list(
        Citation.objects.filter(
            Q(content_type=types[Cell], object_id__in=[c.pk for c in cells])
            | Q(content_type=types[Institution], object_id__in=[i.pk for i in institutions])
        )
        .select_related("passage")
        .order_by("content_type__model", "object_id", "role", "start", "pk")
    )
    return _Seeded(
        documents, passages, institutions, frameworks, framework_institutions, cells, citations
    )


class _Copier:
    """Builds and writes copies 1..N-1 of the seeded knowledge base, a chunk at a time."""

    def __init__(self, seeded: _Seeded, seed: int, report: SynthesisReport):
        self.seeded = seeded
        self.seed = seed
        self.report = report
        self.types = ContentType.objects.get_for_models(Cell, Institution)
        self.citations_by_claim: dict[tuple[int, int], list[Citation]] = defaultdict(list)
        for citation in seeded.citations:
            self.citations_by_claim[(citation.content_type_id, citation.object_id)].append(citation)

    def write(self, copies: range) -> None:
        texts = {k: self._texts(k) for k in copies}
        documents = self._documents(copies, texts)
        passages = self._passages(copies, texts, documents)
        institutions = self._institutions(copies)
        frameworks = self._frameworks(copies, documents, institutions)
        cells = self._cells(copies, frameworks, passages)
        self._citations(copies, passages, institutions, cells)

    def _bulk(self, rows: list) -> list:
        if not rows:
            return []
        model = type(rows[0])
        created = model.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        self.report.created[model._meta.model_name] += len(created)
        return created

    def _copy(self, copies: range, seeded_rows: list, make: Callable[[int, Any], Any]) -> dict:
        """`make(k, seeded)` for each copy `k` of each seeded row, written, by (k, seeded pk)."""
        rows, keys = [], []
        for k in copies:
            for seeded in seeded_rows:
                rows.append(make(k, seeded))
                keys.append((k, seeded.pk))
        return dict(zip(keys, self._bulk(rows), strict=True))

    @staticmethod
    def _link(model: type, field: str, copies: range, seeded_rows: list, created: dict) -> None:
        """Point each copy's `field` at the same copy of the row its seeded row points at."""
        linked = []
        for k in copies:
            for seeded in seeded_rows:
                target = getattr(seeded, f"{field}_id")
                if target is not None:
                    row = created[(k, seeded.pk)]
                    setattr(row, field, created[(k, target)])
                    linked.append(row)
        model.objects.bulk_update(linked, [field], batch_size=BATCH_SIZE)

    def _texts(self, copy: int) -> dict[int, str]:
        """Each seeded passage's synthetic text in copy `copy`, by seeded passage id."""
        rng = random.Random(f"atlas-synthesize:{self.seed}:{copy}")
        return {
            passage.pk: shuffle_words(passage.text, rng)
            for document in self.seeded.documents
            for passage in self.seeded.passages[document.pk]
        }

    def _documents(self, copies: range, texts: dict) -> dict[tuple[int, int], Document]:
        def copy_of(k: int, seeded: Document) -> Document:
            chars = list(seeded.text)
            for passage in self.seeded.passages[seeded.pk]:
                chars[passage.start : passage.end] = texts[k][passage.pk]
            text = "".join(chars)
            return Document(
                slug=synthetic_slug(k, seeded.slug),
                title=f"{seeded.title} (synthetic {k})",
                kind=seeded.kind,
                authors=seeded.authors,
                publisher=seeded.publisher,
                published=seeded.published,
                published_precision=seeded.published_precision,
                url="",
                language=seeded.language,
                format=seeded.format,
                text=text,
                sha256=text_sha256(text),
            )

        return self._copy(copies, self.seeded.documents, copy_of)

    def _passages(self, copies: range, texts: dict, documents: dict) -> dict:
        """Each copy's passages, laid out for the reader as ingestion lays them out."""
        rows, keys, laid_out = [], [], []
        self.around: dict[tuple[int, int], tuple[str, str]] = {}
        for k in copies:
            for seeded_document in self.seeded.documents:
                seeded_passages = self.seeded.passages[seeded_document.pk]
                current = [p for p in seeded_passages if not p.retired]
                document = documents[(k, seeded_document.pk)]
                sources = [
                    Source(p.anchor, p.kind, p.level, texts[k][p.pk], p.is_table_header)
                    for p in current
                ]
                layouts = document_layout(document, sources)
                document.reader = reader_summary(sources, layouts, outline_max=OUTLINE_MAX)
                laid_out.append(document)
                layout_of = dict(zip([p.pk for p in current], layouts, strict=True))
                shown = [layout.shown for layout in layouts]
                for index, passage in enumerate(current):
                    self.around[(k, passage.pk)] = reading_context(
                        (shown[i] for i in range(index - 1, -1, -1)),
                        (shown[i] for i in range(index + 1, len(shown))),
                    )
                for seeded in seeded_passages:
                    text = texts[k][seeded.pk]
                    layout = layout_of.get(seeded.pk)
                    rows.append(
                        Passage(
                            document=documents[(k, seeded_document.pk)],
                            ordinal=seeded.ordinal,
                            anchor=seeded.anchor,
                            kind=seeded.kind,
                            level=seeded.level,
                            section=seeded.section,
                            start=seeded.start,
                            end=seeded.end,
                            text=text,
                            shown=layout.shown if layout else text,
                            html=layout.html if layout else "",
                            page=layout.page if layout else "",
                            retired=seeded.retired,
                        )
                    )
                    keys.append((k, seeded.pk))
        Document.objects.bulk_update(laid_out, ["reader"], batch_size=BATCH_SIZE)
        created = dict(zip(keys, self._bulk(rows), strict=True))
        seeded_passages = [p for d in self.seeded.documents for p in self.seeded.passages[d.pk]]
        self._link(Passage, "table_header", copies, seeded_passages, created)
        return created

    def _institutions(self, copies: range) -> dict[tuple[int, int], Institution]:
        created = self._copy(
            copies,
            self.seeded.institutions,
            lambda k, seeded: Institution(
                slug=synthetic_slug(k, seeded.slug),
                name=f"{seeded.name} (synthetic {k})",
                short_name=seeded.short_name,
                kind=seeded.kind,
                jurisdiction=seeded.jurisdiction,
            ),
        )
        self._link(Institution, "parent", copies, self.seeded.institutions, created)
        return created

    def _frameworks(self, copies: range, documents: dict, institutions: dict) -> dict:
        created = self._copy(
            copies,
            self.seeded.frameworks,
            lambda k, seeded: Framework(
                slug=synthetic_slug(k, seeded.slug),
                name=f"{seeded.name} (synthetic {k})",
                description=seeded.description,
                # After the seeded frameworks wherever frameworks are listed.
                ordinal=max(seeded.ordinal, 1000),
                document=documents[(k, seeded.document_id)],
            ),
        )
        through = Framework.institutions.through
        links = [
            through(framework=created[(k, seeded.pk)], institution=institutions[(k, inst)])
            for k in copies
            for seeded in self.seeded.frameworks
            for inst in self.seeded.framework_institutions[seeded.pk]
        ]
        self._bulk(links)
        return created

    def _quote(self, citation: Citation, passage: Passage) -> tuple[int, int]:
        return word_span(passage.shown, citation.start, citation.end)

    def _cells(self, copies: range, frameworks: dict, passages: dict) -> dict:
        cell_type = self.types[Cell].pk

        def copy_of(k: int, seeded: Cell) -> Cell:
            text = ""
            if seeded.text:
                sources = self.citations_by_claim[(cell_type, seeded.pk)]
                if not sources:
                    raise SynthesisError(f"Seeded cell {seeded} has text and no citation")
                source = next((c for c in sources if c.role == "source"), sources[0])
                passage = passages[(k, source.passage_id)]
                start, end = self._quote(source, passage)
                text = passage.shown[start:end]
            return Cell(
                framework=frameworks[(k, seeded.framework_id)],
                activity=seeded.activity,
                level=seeded.level,
                kind=seeded.kind,
                evidence=seeded.evidence,
                text=text,
                emphasised=seeded.emphasised,
            )

        return self._copy(copies, self.seeded.cells, copy_of)

    def _citations(self, copies: range, passages: dict, institutions: dict, cells: dict) -> None:
        claims = {self.types[Cell].pk: cells, self.types[Institution].pk: institutions}
        rows = []
        for k in copies:
            for seeded in self.seeded.citations:
                passage = passages[(k, seeded.passage_id)]
                start, end = self._quote(seeded, passage)
                before, after = self.around.get((k, seeded.passage_id), ("", ""))
                prefix, suffix = quote_context(
                    passage.shown, start, end, before=before, after=after
                )
                rows.append(
                    Citation(
                        content_type_id=seeded.content_type_id,
                        object_id=claims[seeded.content_type_id][(k, seeded.object_id)].pk,
                        role=seeded.role,
                        passage=passage,
                        exact=passage.shown[start:end],
                        prefix=prefix,
                        suffix=suffix,
                        start=start,
                        end=end,
                    )
                )
        self._bulk(rows)


def _delete(queryset, report: SynthesisReport) -> None:
    _, by_model = queryset.delete()
    for model_label, count in by_model.items():
        if count:
            report.deleted[model_label.split(".")[-1].lower()] += count


def synthesis_clear(*, report: SynthesisReport | None = None) -> SynthesisReport:
    """Delete every synthetic row, and nothing else."""
    report = report or SynthesisReport()
    with transaction.atomic():
        types = ContentType.objects.get_for_models(Cell, Institution, Framework, Document)
        synthetic_claims = Q()
        for model, lookup in (
            (Cell, {"framework__slug__startswith": PREFIX}),
            (Institution, {"slug__startswith": PREFIX}),
            (Framework, {"slug__startswith": PREFIX}),
            (Document, {"slug__startswith": PREFIX}),
        ):
            synthetic_claims |= Q(
                content_type=types[model],
                object_id__in=model.objects.filter(**lookup).values("pk"),
            )
        _delete(
            Citation.objects.filter(
                Q(passage__document__slug__startswith=PREFIX) | synthetic_claims
            ),
            report,
        )
        _delete(Cell.objects.filter(framework__slug__startswith=PREFIX), report)
        _delete(Framework.objects.filter(slug__startswith=PREFIX), report)
        _delete(Passage.objects.filter(document__slug__startswith=PREFIX), report)
        _delete(Document.objects.filter(slug__startswith=PREFIX), report)
        institutions = Institution.objects.filter(slug__startswith=PREFIX)
        # A parent is protected from deletion, even by its children deleted with it.
        institutions.exclude(parent=None).update(parent=None)
        _delete(institutions, report)
    return report


def knowledge_base_synthesize(*, scale: int, seed: int = 0, progress=None) -> SynthesisReport:
    """Replace the synthetic rows with copies 1..scale-1 of the seeded knowledge base.

    All or nothing, in one transaction. Scale 1 (or 0) leaves the seeded data alone.
    `progress`, a bar (`core.progress.progress_bar`), counts the copies as they are written.
    """
    if scale < 0:
        raise SynthesisError(f"The scale must be 0 or more; got {scale}")
    report = SynthesisReport()
    with transaction.atomic():
        synthesis_clear(report=report)
        if scale <= 1:
            return report
        copier = _Copier(_seeded(), seed, report)
        if progress is not None:
            progress.reset(total=scale - 1)
        for first in range(1, scale, COPIES_PER_CHUNK):
            copies = range(first, min(first + COPIES_PER_CHUNK, scale))
            copier.write(copies)
            if progress is not None:
                progress.update(len(copies))
    return report
