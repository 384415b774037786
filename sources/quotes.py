"""Quotes in passages: where a quote stands, and whether it still does. One rule, one place.

A citation is a W3C Web Annotation text quote selector (`exact`, `prefix`, `suffix`) with a
text position selector (`start`, `end`), both over the passage's *shown* text: the text as
the reader shows it, markup hidden (`sources.passage_rendering`). `prefix` and `suffix` reach
across the passage's edges into the document's reading text, the shown texts of its
passages one after the other, separated by a newline (`READING_SEPARATOR`), which is what
the reader's pages put between passages.

`anchor_quote` finds a quote and gives its whole selector; `quote_stands` says whether a
selector's quote is still at its offsets; `rederive` turns a quote taken from a passage's
source text (with its markup) into the selector of the words a reader sees, or says it
cannot. The services, the API's serializer, the admin's form, the seed and
`verify_citations` all ask these functions: nothing else anchors or checks a quote. Pure
functions of text, without the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sources.passage_rendering import Rendered, shown_range

# Characters of context kept on each side of a quote (the selector's prefix and suffix). It
# is also the longest pattern the W3C anchoring libraries search for (dom-anchor-text-quote).
CONTEXT_CHARS = 32
# What stands between two passages in a document's reading text (and on the reader's page).
READING_SEPARATOR = "\n"


class QuoteNotFound(ValueError):
    """The quote is not in the passage (or not at the offset given); the message says so."""


@dataclass(frozen=True)
class Anchor:
    """Where a quote stands in a text: a text quote selector and a text position selector."""

    exact: str
    prefix: str
    suffix: str
    start: int
    end: int


def anchor_quote(
    text: str,
    exact: str,
    *,
    occurrence: int = 1,
    start: int | None = None,
    where: str = "the passage",
    before: str = "",
    after: str = "",
) -> Anchor:
    """The selector of `exact` in `text`: at `start` when given (it must stand there), else at
    its `occurrence`-th appearance. `where` names the text in the error message; `before`
    and `after` are the reading text around the passage (`reading_context`)."""
    if not exact:
        raise QuoteNotFound("A quote cannot be empty.")
    if start is not None:
        if not quote_stands(text, exact=exact, start=start, end=start + len(exact)):
            raise QuoteNotFound(
                f"The quote is not found at {start}-{start + len(exact)} of {where}."
            )
    else:
        if occurrence < 1:
            raise QuoteNotFound(f"The occurrence must be 1 or more, not {occurrence}.")
        start = -1
        for _ in range(occurrence):
            start = text.find(exact, start + 1)
            if start < 0:
                raise QuoteNotFound(
                    f"“{exact[:80]}” is not found in {where}"
                    + (f" (occurrence {occurrence})." if occurrence > 1 else ".")
                )
    end = start + len(exact)
    prefix, suffix = quote_context(text, start, end, before=before, after=after)
    return Anchor(exact=exact, prefix=prefix, suffix=suffix, start=start, end=end)


def quote_context(
    text: str, start: int, end: int, *, before: str = "", after: str = ""
) -> tuple[str, str]:
    """The selector's prefix and suffix: the reading text just before and after
    `text[start:end]`, reaching into `before` and `after` (the text around the passage)."""
    head = before + text[:start]
    return head[max(0, len(head) - CONTEXT_CHARS) :], (text[end:] + after)[:CONTEXT_CHARS]


def reading_context(previous: Iterable[str], following: Iterable[str]) -> tuple[str, str]:
    """The reading text around a passage, enough for any quote's prefix and suffix, from the
    shown texts of the passages before it (nearest first) and after it (in order).

    A passage at the start (end) of the document has nothing before (after) it.
    """
    before = ""
    for shown in previous:
        before = shown + READING_SEPARATOR + before
        if len(before) >= CONTEXT_CHARS:
            break
    after = ""
    for shown in following:
        after += READING_SEPARATOR + shown
        if len(after) >= CONTEXT_CHARS:
            break
    return before[-CONTEXT_CHARS:], after[:CONTEXT_CHARS]


def quote_stands(text: str, *, exact: str, start: int, end: int) -> bool:
    """The quote `exact` is exactly at `start`..`end` of `text`."""
    return start >= 0 and end - start == len(exact) and text[start:end] == exact


def occurrence_of(text: str, exact: str, start: int) -> int:
    """Which appearance of `exact` in `text` the one at `start` is (1 for the first)."""
    count, found = 0, text.find(exact)
    while 0 <= found <= start:
        count += 1
        found = text.find(exact, found + 1)
    return max(count, 1)


class NotRederivable(ValueError):
    """A quote of the source text that the reader does not show word for word."""


def rederive(
    source: str, rendered: Rendered, *, exact: str, start: int, end: int
) -> tuple[str, int, int]:
    """The shown quote and its offsets for a quote of a passage's source text (`exact` at
    `start`..`end` of `source`, markup included), or NotRederivable saying why.

    It is exact when the quote stands at its offsets and what the reader does not show of it
    is markup only (`**`, `[`...`](#)`, escapes): the shown quote is then the same words,
    character for character, without the marks. A quote that hides content (a link's
    target) or shows nothing is not re-derived: it would name text no reader sees.
    """
    if not quote_stands(source, exact=exact, start=start, end=end):
        raise NotRederivable(f"the quote does not stand at {start}-{end} of the passage")
    span = shown_range(rendered, start, end)
    if span is None:
        raise NotRederivable("the reader does not show this quote (it is markup or hidden text)")
    first, last = span
    shown = rendered.shown[first:last]
    kept = "".join(source[origin] for origin in rendered.origins[first:last])
    if kept != shown:  # every shown character is its own source character
        raise NotRederivable("the shown text is not the quote's own characters")
    return shown, first, last
