"""The search query language: what a user may type, parsed the same way on either database.

The query syntax is PostgreSQL's `websearch_to_tsquery`: words are AND-ed, a "quoted
phrase" matches its words in sequence, `-word` or `-"a phrase"` excludes, `or` between
words gives alternatives (AND binds tighter than `or`, as in PostgreSQL). The query is
parsed here on both databases, to refuse what cannot be searched with the same reasons
everywhere; PostgreSQL then receives the raw text through `websearch_to_tsquery`, SQLite
an FTS5 expression built from the parse (every word quoted, so user text is never FTS5
syntax).

Pure Python: no database, no Django, so that it can be tested on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

MAX_QUERY_LENGTH = 200

# PostgreSQL's `english` stop words (Snowball's list); SQLite drops them from a query too,
# so that "the AI Office" finds the same entries on both databases.
STOP_WORDS = frozenset(
    """i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what which
    who whom this that these those am is are was were be been being have has had having do
    does did doing a an the and but if or because as until while of at by for with about
    against between into through during before after above below to from up down in out on
    off over under again further then once here there when where why how all any both each
    few more most other some such no nor not only own same so than too very s t can will just
    don should now""".split()  # noqa: SIM905 - the list as PostgreSQL ships it
)

_WORD = re.compile(r"[^\W_]+")


class QueryError(ValueError):
    """The query cannot be searched; the message says why, for the user."""


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]

    @property
    def fts5(self) -> str:
        return '"' + " ".join(self.words) + '"'


@dataclass(frozen=True)
class Group:
    """Terms that must all match, and terms that must not; groups are alternatives."""

    include: tuple[Term, ...]
    exclude: tuple[Term, ...]


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    groups: tuple[Group, ...]

    @property
    def fts5(self) -> str:
        alternatives = []
        for group in self.groups:
            expression = " AND ".join(term.fts5 for term in group.include)
            if group.exclude:
                excluded = " OR ".join(term.fts5 for term in group.exclude)
                expression = f"({expression}) NOT ({excluded})"
            alternatives.append(f"({expression})")
        return " OR ".join(alternatives)


def _items(text: str) -> Iterator[tuple[bool, bool, str] | None]:
    """(negated, is_phrase, raw text) items and "or" operators (None), as websearch reads them."""
    position, length = 0, len(text)
    while position < length:
        char = text[position]
        if char.isspace():
            position += 1
            continue
        negated = char == "-" and position + 1 < length and not text[position + 1].isspace()
        if negated:
            position += 1
        if text[position] == '"':
            end = text.find('"', position + 1)
            end = length if end == -1 else end
            yield negated, True, text[position + 1 : end]
            position = end + 1
            continue
        end = position
        while end < length and not text[end].isspace() and text[end] != '"':
            end += 1
        word = text[position:end]
        position = end
        if not negated and word.lower() == "or":
            yield None
        else:
            yield negated, False, word


def parse_query(text: str) -> ParsedQuery:
    """The query's alternatives; QueryError when nothing in it can be searched for."""
    text = text.strip()
    if not text:
        raise QueryError("Enter words to search for.")
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(f"The query is too long: at most {MAX_QUERY_LENGTH} characters.")
    groups: list[Group] = []
    include: list[Term] = []
    exclude: list[Term] = []
    saw_words = saw_exclusion_only = False

    def close_group() -> None:
        nonlocal include, exclude, saw_exclusion_only
        if include:
            groups.append(Group(tuple(include), tuple(exclude)))
        elif exclude:
            saw_exclusion_only = True
        include, exclude = [], []

    for item in _items(text):
        if item is None:
            close_group()
            continue
        negated, is_phrase, raw = item
        words = [word.lower() for word in _WORD.findall(raw)]
        saw_words = saw_words or bool(words)
        if not is_phrase and len(words) == 1 and words[0] in STOP_WORDS:
            continue
        if not words or all(word in STOP_WORDS for word in words):
            continue
        (exclude if negated else include).append(Term(tuple(words)))
    close_group()
    if not groups:
        if saw_exclusion_only:
            raise QueryError(
                "Say what to find, not only what to leave out: “-word” excludes, it does not search."
            )
        if saw_words:
            raise QueryError("The query has only common words (such as “the” or “and”).")
        raise QueryError("The query has no words to search for, only punctuation.")
    return ParsedQuery(text, tuple(groups))
