"""Word-level differences between two texts, as the changes page, the comparison of
releases and the changes feed show them: removed runs in `<del>`, added runs in `<ins>`, a
text that mostly changed as its two versions in full.

Words, runs of spaces and single punctuation marks are compared as units (difflib's
SequenceMatcher, without its "junk" heuristics, which misjudge long texts), so a changed
word is shown whole and punctuation changes stand out. Beyond `MAX_TOKENS` units on either
side the whole text is shown as replaced: the comparison grows with the product of the
lengths, and no reader follows a word-by-word difference of whole chapters.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import Literal

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

Operation = Literal["equal", "delete", "insert"]

MAX_TOKENS = 4000
_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")
_WORD = re.compile(r"[^\W_]+")


def tokens(text: str) -> list[str]:
    """`text` cut into words, runs of white space and punctuation marks; joined, they give
    `text` back."""
    return _TOKENS.findall(text)


def word_diff(before: str, after: str) -> list[tuple[Operation, str]]:
    """The two texts as runs of equal, deleted and inserted text, in reading order. A
    replaced run is its whole deletion, then its whole insertion: changes that only spaces
    or punctuation keep apart are one change, so a rewritten sentence reads as the old
    sentence, then the new, never word by word in turns."""
    old, new = tokens(before or ""), tokens(after or "")
    opcodes: Sequence[tuple[str, int, int, int, int]]
    if len(old) > MAX_TOKENS or len(new) > MAX_TOKENS:
        opcodes = [("replace", 0, len(old), 0, len(new))]
    else:
        opcodes = SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    runs: list[tuple[Operation, str]] = []
    removed: list[str] = []
    added: list[str] = []
    last = len(opcodes) - 1
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            between_changes = (removed or added) and index < last
            if between_changes and not _WORD.search("".join(old[i1:i2])):
                # Only spaces or punctuation between two changes: one change.
                removed.extend(old[i1:i2])
                added.extend(new[j1:j2])
                continue
            _flush(runs, removed, added)
            _append(runs, "equal", "".join(old[i1:i2]))
            continue
        removed.extend(old[i1:i2])
        added.extend(new[j1:j2])
    _flush(runs, removed, added)
    return runs


def _flush(runs: list[tuple[Operation, str]], removed: list[str], added: list[str]) -> None:
    _append(runs, "delete", "".join(removed))
    _append(runs, "insert", "".join(added))
    removed.clear()
    added.clear()


def _append(runs: list[tuple[Operation, str]], operation: Operation, text: str) -> None:
    if not text:
        return
    if runs and runs[-1][0] == operation:
        runs[-1] = (operation, runs[-1][1] + text)
    else:
        runs.append((operation, text))


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def mostly_changed(before: str, after: str, runs: list[tuple[Operation, str]]) -> bool:
    """Whether fewer than half the words of the longer text are kept: a rewrite, which
    reads better as the two texts in full than as a difference."""
    if not before or not after:
        return False
    kept = sum(_words(text) for operation, text in runs if operation == "equal")
    return kept * 2 < max(_words(before), _words(after))


def diff_html(before: str, after: str, *, feed: bool = False) -> SafeString:
    """The difference as HTML, the same one on every page that shows changes (`feed`: for
    a feed reader, which has no stylesheet). Every character of both texts is escaped;
    only the elements written here come out.

    On a page: removed runs in `<del>`, added runs in `<ins>`, each saying in words (for
    screen readers) what it is, so nothing depends on colour; a field that mostly changed
    is shown before and after in full, each labelled. In a feed: the new text as one run
    ("Now:", added runs in `<ins>`) and the old beside it ("Was:", removed runs in
    `<del>`), with no hidden label, which a reader without the site's stylesheet would show."""
    before, after = before or "", after or ""
    runs = word_diff(before, after)
    rewritten = mostly_changed(before, after, runs)
    if feed:
        return _two_sides(runs, rewritten, before=before, after=after)
    if rewritten:
        return format_html(
            '<span class="diff-side diff-before"><span class="diff-label">Before:</span> {}</span>'
            '<span class="diff-side diff-after"><span class="diff-label">After:</span> {}</span>',
            before,
            after,
        )
    parts = []
    for operation, text in runs:
        escaped = html.escape(text)
        if operation == "equal":
            parts.append(escaped)
        elif operation == "delete":
            parts.append(f'<del><span class="visually-hidden">removed: </span>{escaped}</del>')
        else:
            parts.append(f'<ins><span class="visually-hidden">added: </span>{escaped}</ins>')
    return mark_safe("".join(parts))  # every text above is escaped


def _two_sides(
    runs: list[tuple[Operation, str]], rewritten: bool, *, before: str, after: str
) -> SafeString:
    """The "Now:" and "Was:" paragraphs, each side's text whole; the changed runs marked unless
    the text was rewritten, added or removed (a whole paragraph struck through reads badly)."""
    whole = rewritten or not before or not after

    def side(keep: Operation, tag: str) -> str:
        if whole:
            return html.escape(after if keep == "insert" else before)
        return "".join(
            html.escape(text) if operation == "equal" else f"<{tag}>{html.escape(text)}</{tag}>"
            for operation, text in runs
            if operation in ("equal", keep)
        )

    paragraphs = []
    if after:
        paragraphs.append(f"<p>{'Now: ' if before else ''}{side('insert', 'ins')}</p>")
    if before:
        paragraphs.append(f"<p>Was: {side('delete', 'del')}</p>")
    return mark_safe("".join(paragraphs))  # every text above is escaped
