"""Quotes in passages: where a quote stands, and whether it still does. One rule, one place.

A citation is a W3C Web Annotation text quote selector (`exact`, `prefix`, `suffix`) with a
text position selector (`start`, `end`) over its passage's text. `anchor_quote` finds a
quote and gives its whole selector; `quote_stands` says whether a selector's quote is still
at its offsets. The services, the API's serializer, the admin's form and `verify_citations`
all ask these two functions: nothing else anchors or checks a quote. Pure functions of
text, without the database.
"""

from __future__ import annotations

from dataclasses import dataclass

# Characters of context kept on each side of a quote (the selector's prefix and suffix).
CONTEXT_CHARS = 32


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
) -> Anchor:
    """The selector of `exact` in `text`: at `start` when given (it must stand there), else at
    its `occurrence`-th appearance. `where` names the text in the error message."""
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
    prefix, suffix = quote_context(text, start, end)
    return Anchor(exact=exact, prefix=prefix, suffix=suffix, start=start, end=end)


def quote_context(text: str, start: int, end: int) -> tuple[str, str]:
    """The selector's prefix and suffix: the text just before and after `text[start:end]`."""
    return text[max(0, start - CONTEXT_CHARS) : start], text[end : end + CONTEXT_CHARS]


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
