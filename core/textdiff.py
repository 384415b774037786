"""Word-level differences between two texts, as the changes page and the comparison of
releases show them: removed words in `<del>`, added words in `<ins>`.

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

from django.utils.safestring import SafeString, mark_safe

Operation = Literal["equal", "delete", "insert"]

MAX_TOKENS = 4000
_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


def tokens(text: str) -> list[str]:
    """`text` cut into words, runs of white space and punctuation marks; joined, they give
    `text` back."""
    return _TOKENS.findall(text)


def word_diff(before: str, after: str) -> list[tuple[Operation, str]]:
    """The two texts as runs of equal, deleted and inserted text, in reading order (a
    replacement is its deletion, then its insertion)."""
    old, new = tokens(before or ""), tokens(after or "")
    opcodes: Sequence[tuple[str, int, int, int, int]]
    if len(old) > MAX_TOKENS or len(new) > MAX_TOKENS:
        opcodes = [("replace", 0, len(old), 0, len(new))]
    else:
        opcodes = SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    runs: list[tuple[Operation, str]] = []
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            _append(runs, "equal", "".join(old[i1:i2]))
            continue
        if tag in ("delete", "replace"):
            _append(runs, "delete", "".join(old[i1:i2]))
        if tag in ("insert", "replace"):
            _append(runs, "insert", "".join(new[j1:j2]))
    return runs


def _append(runs: list[tuple[Operation, str]], operation: Operation, text: str) -> None:
    if not text:
        return
    if runs and runs[-1][0] == operation:
        runs[-1] = (operation, runs[-1][1] + text)
    else:
        runs.append((operation, text))


def diff_html(before: str, after: str) -> SafeString:
    """The difference as HTML: `<del>` and `<ins>`, each saying in words (for screen
    readers) what it is, so nothing depends on colour. Every character of both texts is
    escaped; only these elements come out."""
    parts = []
    for operation, text in word_diff(before, after):
        escaped = html.escape(text)
        if operation == "equal":
            parts.append(escaped)
        elif operation == "delete":
            parts.append(f'<del><span class="visually-hidden">removed: </span>{escaped}</del>')
        else:
            parts.append(f'<ins><span class="visually-hidden">added: </span>{escaped}</ins>')
    return mark_safe("".join(parts))  # every text above is escaped
