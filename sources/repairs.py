"""Where an orphaned citation's quote went: candidates in the document's current text.

A machine proposes, an editor decides: these are suggestions only, shown to editors, and a
citation is re-anchored on one only by an editor's action (`sources.services.
citation_reanchor`). The matching is RapidFuzz's, as Hypothesis leaves it to
diff-match-patch: `partial_ratio_alignment` finds the stretch of a passage most like the
quote (no pattern-length limit, unlike diff-match-patch's bitap), then the span is moved to
the word boundaries around it whose words, with the reading text around them, are most like
the quote in its context (`exact`, `prefix`, `suffix`). A candidate's words are whole words
of the passage's shown text, so a re-anchored quote obeys the rules of any new one
(`sources.quotes`). Pure functions of text, without the database.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils

from sources.quotes import CONTEXT_CHARS, READING_SEPARATOR, quote_context

# At most this many candidates for one citation, best first.
MAX_SUGGESTIONS = 3
# Below this score (0..1) a stretch of text is no candidate: the citation stays orphaned.
MIN_SCORE = 0.6
# How the score weighs the words themselves against their context (prefix and suffix).
QUOTE_WEIGHT = 0.8
# Passages whose words are most like the quote's in context (of all the document's), whose
# best-aligned stretch is then scored; and of those, the ones whose spans are looked at.
WORD_SHORTLIST = 40
SHORTLIST = 8
# A document of more passages than this is matched in a first step only against the passages
# that share the most of the quote's words in context (weighted by how rare each word is in
# the document): matching one quote then costs about the same in a document of 10,000
# passages as in one of 300, instead of growing with it.
WORD_CANDIDATES = 300
# A word in more than this share of a document's passages, or in more than COMMON_WORD_HITS
# of them, tells none of them apart: it is left out of that first step. (The count bounds
# the work for one quote: without it, a word in 5 % of the passages of a text twice as long
# cost twice as much for each of twice as many orphaned quotes.)
COMMON_WORD_SHARE = 0.1
COMMON_WORD_HITS = 500
# And the passages this near (in reading order) to where the quote stood are always matched:
# a reworded quote most often stays where it was, and a quote of common words only has no
# rarer word to find it by (with no place to start from either, every passage is matched).
NEARBY = 100
# Quotes and passages longer than this are matched on their first so many characters, so
# one pathological text cannot make a request slow.
MAX_TEXT_CHARS = 4000
# Word boundaries tried on each side of the aligned stretch, for its start and its end.
EDGE_WORDS = 6
# Places where the quote stands word for word, also scored in their context: a short quote
# ("a", "AI") is aligned by its characters to the first of its many places, which its
# context alone tells apart.
MAX_OCCURRENCES = 20

_WORD = re.compile(r"\w+(?:[-'’.,]\w+)*|[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class Current:
    """A passage of the document's current text, in reading order: its key (an anchor)
    and its shown text."""

    key: str
    shown: str


@dataclass(frozen=True)
class Candidate:
    """A place the quote may have gone: the passage (its key), the offsets in its shown text,
    the words there, and how well they and their context match the old quote (0..1)."""

    passage: str
    start: int
    end: int
    exact: str
    score: float


class PassageIndex:
    """A document's current passages prepared once for matching many quotes: each one's
    text as compared (truncated, and without case or punctuation) and, for each word, the
    passages that hold it."""

    def __init__(self, passages: Sequence[Current]) -> None:
        self.passages = passages
        self.texts = [passage.shown[:MAX_TEXT_CHARS] for passage in passages]
        self.processed = [utils.default_process(text) for text in self.texts]
        self.position = {passage.key: index for index, passage in enumerate(passages)}
        self._postings: dict[str, list[int]] | None = None

    def postings(self) -> dict[str, list[int]]:
        """Each word's passages, in reading order (built when first needed)."""
        if self._postings is None:
            postings: dict[str, list[int]] = defaultdict(list)
            for index, text in enumerate(self.processed):
                for word in set(text.split()):
                    postings[word].append(index)
            self._postings = dict(postings)
        return self._postings

    def shortlist(self, processed: str, *, near: str | None = None) -> list[int]:
        """The passages to match the processed quote-in-context against, in reading order:
        every passage of a short document; of a long one, the WORD_CANDIDATES that share the
        most of its words, each word weighted by its rarity in the document, and the
        passages within NEARBY of the passage `near` (the key of where the quote stood)."""
        count = len(self.processed)
        if count <= WORD_CANDIDATES:
            return list(range(count))
        postings = self.postings()
        common = min(COMMON_WORD_SHARE * count, COMMON_WORD_HITS)
        weights: dict[int, float] = defaultdict(float)
        for word in set(processed.split()):
            hits = postings.get(word)
            if hits and len(hits) <= common:
                rarity = math.log(count / len(hits))
                for index in hits:
                    weights[index] += rarity
        chosen = set(heapq.nlargest(WORD_CANDIDATES, weights, key=weights.__getitem__))
        at = self.position.get(near) if near is not None else None
        if at is not None:
            chosen.update(range(max(0, at - NEARBY), min(count, at + NEARBY + 1)))
        elif not chosen:
            return list(range(count))
        return sorted(chosen)


def _similarity(a: str, b: str) -> float:
    """0..1; two empty strings are alike."""
    if not a and not b:
        return 1.0
    return fuzz.ratio(a, b) / 100


def _tokens(text: str) -> list[tuple[int, int]]:
    """The (start, end) of each word or punctuation mark of `text`."""
    return [match.span() for match in _WORD.finditer(text)]


def _nearest(positions: list[int], target: int, count: int) -> list[int]:
    """The `count` positions on each side of `target`."""
    index = next((i for i, p in enumerate(positions) if p >= target), len(positions))
    return positions[max(0, index - count) : index + count]


def score(*, exact: str, prefix: str, suffix: str, found: str, before: str, after: str) -> float:
    """How well `found`, with `before` and `after` it in the reading text, matches the old
    quote `exact` with its `prefix` and `suffix` (0..1). An empty prefix (suffix) says only
    that the quote began (ended) the document: it is left out, not matched."""
    context = []
    if prefix:
        context.append(_similarity(prefix[-CONTEXT_CHARS:], before[-CONTEXT_CHARS:]))
    if suffix:
        context.append(_similarity(suffix[:CONTEXT_CHARS], after[:CONTEXT_CHARS]))
    words = _similarity(exact, found)
    if not context:
        return words
    return QUOTE_WEIGHT * words + (1 - QUOTE_WEIGHT) * sum(context) / len(context)


def suggestions(
    *,
    exact: str,
    prefix: str,
    suffix: str,
    passages: Sequence[Current] | PassageIndex,
    near: str | None = None,
    limit: int = MAX_SUGGESTIONS,
) -> list[Candidate]:
    """The best places for the quote `exact` (with its `prefix` and `suffix`) in `passages`
    (the document's current passages in reading order, or their `PassageIndex` when many
    quotes are matched against one document): at most `limit`, one per passage, each
    scoring at least MIN_SCORE, best first. `near`: the key of the passage the quote stood
    in, when the document still has one of that key (see `PassageIndex.shortlist`)."""
    index = passages if isinstance(passages, PassageIndex) else PassageIndex(passages)
    quote = exact[:MAX_TEXT_CHARS]
    if not quote.strip() or not index.passages:
        return []
    # Three steps, each on fewer passages: the words of the quote in its context against
    # the passages (token sets, RapidFuzz's C++ loop; in a long document, only those that
    # share its rarer words), then the characters of the quote (the best-aligned stretch),
    # then the exact span of whole words.
    texts = index.texts
    in_context = f"{prefix} {quote} {suffix}"
    processed = utils.default_process(in_context)
    if processed:
        # Words compared without case or punctuation.
        shortlist = index.shortlist(processed, near=near)
        choices = [index.processed[i] for i in shortlist]
    else:
        # A quote of punctuation only, as it is, against every passage.
        shortlist = list(range(len(texts)))
        choices, processed = texts, in_context
    words = process.extract(
        processed,
        choices,
        scorer=fuzz.token_set_ratio,
        processor=None,
        limit=WORD_SHORTLIST,
        score_cutoff=MIN_SCORE * 100 / 2,
    )
    cutoff = MIN_SCORE * 100
    rough: list[tuple[float, int]] = []
    for _, _, position in words:
        at = shortlist[position]
        shown = texts[at]
        if not shown.strip():
            continue
        # A passage much shorter than the quote cannot hold it, however alike its words.
        coverage = min(1.0, len(shown) / len(quote))
        value = fuzz.partial_ratio(quote, shown, score_cutoff=cutoff) * coverage
        if value >= cutoff:
            rough.append((value, at))
    found = []
    for _, at in heapq.nlargest(SHORTLIST, rough):
        candidate = _best_span(quote, prefix, suffix, index.passages, at)
        if candidate is not None and candidate.score >= MIN_SCORE:
            found.append(candidate)
    found.sort(key=lambda c: (-c.score, c.passage, c.start))
    return found[:limit]


def _around(passages: Sequence[Current], index: int) -> tuple[str, str]:
    """The reading text just before and after passage `index` (for prefix and suffix)."""
    before, after = "", ""
    for i in range(index - 1, -1, -1):
        before = passages[i].shown + READING_SEPARATOR + before
        if len(before) >= CONTEXT_CHARS:
            break
    for i in range(index + 1, len(passages)):
        after += READING_SEPARATOR + passages[i].shown
        if len(after) >= CONTEXT_CHARS:
            break
    return before[-CONTEXT_CHARS:], after[:CONTEXT_CHARS]


def _best_span(
    quote: str, prefix: str, suffix: str, passages: Sequence[Current], index: int
) -> Candidate | None:
    """The best span of whole words around the stretch of passage `index` most like `quote`."""
    passage = passages[index]
    shown = passage.shown[:MAX_TEXT_CHARS]
    aligned = fuzz.partial_ratio_alignment(quote, shown)
    if aligned is None:
        return None
    tokens = _tokens(shown)
    if not tokens:
        return None
    starts = _nearest([s for s, _ in tokens], aligned.dest_start, EDGE_WORDS)
    ends = _nearest([e for _, e in tokens], aligned.dest_end, EDGE_WORDS)
    before, after = _around(passages, index)
    spans = [(start, end) for start in starts for end in ends if end > start]
    spans.extend(_occurrences(shown, quote, tokens))
    best: Candidate | None = None
    for start, end in spans:
        head, tail = quote_context(passage.shown, start, end, before=before, after=after)
        value = score(
            exact=quote,
            prefix=prefix,
            suffix=suffix,
            found=shown[start:end],
            before=head,
            after=tail,
        )
        if best is None or value > best.score:
            best = Candidate(passage.key, start, end, shown[start:end], round(value, 3))
    return best


def _occurrences(shown: str, quote: str, tokens: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans where `quote` stands word for word in `shown`, starting and ending on the
    edges of its words (at most MAX_OCCURRENCES)."""
    starts = {start for start, _ in tokens}
    ends = {end for _, end in tokens}
    spans: list[tuple[int, int]] = []
    at = shown.find(quote)
    while at != -1 and len(spans) < MAX_OCCURRENCES:
        if at in starts and at + len(quote) in ends:
            spans.append((at, at + len(quote)))
        at = shown.find(quote, at + 1)
    return spans


def is_candidate(candidates: Sequence[Candidate], *, passage: str, start: int, end: int) -> bool:
    """The span (`passage`, `start`, `end`) is one of `candidates`."""
    return any((c.passage, c.start, c.end) == (passage, start, end) for c in candidates)
