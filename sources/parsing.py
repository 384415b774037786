"""Splitting a document's text into passages with stable, readable anchors.

A passage is a heading, paragraph, footnote, list item or table row. Its offsets point into
the document text, so `text[start:end] == passage.text` always holds; what lies between
passages is only white space and block markup (`#`, list bullets, rules, table borders).

Anchors are derived from headings and position, never from database ids, so re-splitting
an edited text gives unchanged passages the same anchors:

- headings: the slug of their text (`executive-summary`, `1-collaboration`);
- paragraphs and list items (bulleted; numbered ones in Markdown): the heading above plus
  a counter (`executive-summary-p2`, `further-reading-item-3`);
- footnotes: `footnote-<n>`;
- table rows: the table's key plus the slug of the row label (`table-1-incident-reporting`,
  `table-1-header`); a second table with the same caption number gets a longer key
  (`table-1-comparisons-of-functions`).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils.text import slugify

SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
MAX_SLUG = 100

_MD_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")
_RULE = re.compile(r"^(?:-{3,}|\*{3,}|_{3,})$")
_BULLET = re.compile(r"^[-*+][ \t]+")
# Ordered list items ("1. ", "2) "), in Markdown only: in plain text "1. Introduction" is a heading.
_ORDERED = re.compile(r"^\d{1,9}[.)][ \t]+")
_FOOTNOTE = re.compile(r"^(?:([⁰¹²³⁴⁵⁶⁷⁸⁹]+)[ \t]+|\[\^(\w+)\]:[ \t]*)")
_NUMBERED_HEADING = re.compile(r"^\d+(?:\.\d+)*\.?[ \t]+\S")
_TABLE_CAPTION = re.compile(r"^Table[ \t]+(\d+)\s*[:.]?\s*(.*)$", re.IGNORECASE)
_PIPE_SEPARATOR = re.compile(r"^\|?[ \t]*:?-{3,}:?[ \t]*(\|[ \t]*:?-{3,}:?[ \t]*)*\|?$")


@dataclass(frozen=True)
class PassageSpec:
    ordinal: int
    anchor: str
    kind: str
    level: int
    section: str
    start: int
    end: int
    text: str
    header: bool = False  # a table's header row


@dataclass
class _Line:
    start: int
    end: int
    text: str


@dataclass
class _State:
    headings: list[tuple[int, str, str]] = field(default_factory=list)  # (level, text, anchor)
    counters: dict[str, int] = field(default_factory=dict)
    anchors: set[str] = field(default_factory=set)
    table_key: str | None = None
    table_header: str | None = None
    table_rows: int = 0
    tables_seen: int = 0

    def unique(self, anchor: str) -> str:
        candidate, n = anchor, 1
        while candidate in self.anchors:
            n += 1
            candidate = f"{anchor}-{n}"
        self.anchors.add(candidate)
        return candidate

    def section(self) -> str:
        return " > ".join(text for _, text, _ in self.headings)

    def section_anchor(self) -> str:
        return self.headings[-1][2] if self.headings else ""

    def counted(self, suffix: str) -> str:
        base = self.section_anchor()
        key = f"{base}|{suffix}"
        self.counters[key] = self.counters.get(key, 0) + 1
        anchor = f"{suffix}{self.counters[key]}"
        return self.unique(f"{base}-{anchor}" if base else anchor)


def source_pages(page_starts: list[int], start: int, end: int) -> tuple[int | None, int | None]:
    """The pages (from 1) a passage at `start`-`end` of a text starts and ends on, given the
    offsets where the text's pages begin; `(None, None)` for a text without pages."""
    if not page_starts:
        return None, None
    first = max(bisect_right(page_starts, start), 1)
    return first, max(bisect_right(page_starts, max(end - 1, start)), first)


def short_slug(text: str) -> str:
    """A slug of at most MAX_SLUG characters, cut at a word boundary."""
    slug = slugify(text)
    if len(slug) <= MAX_SLUG:
        return slug
    return slug[:MAX_SLUG].rsplit("-", 1)[0]


def _lines(text: str) -> Iterator[_Line]:
    offset = 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        yield _Line(offset, offset + len(body), body)
        offset += len(raw)


def _blocks(text: str) -> Iterator[list[_Line]]:
    block: list[_Line] = []
    for line in _lines(text):
        if line.text.strip():
            block.append(line)
        elif block:
            yield block
            block = []
    if block:
        yield block


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _is_plain_heading(block: list[_Line]) -> bool:
    if len(block) != 1:
        return False
    line = block[0].text.strip()
    if len(line) > 120 or line[-1] in ".,;:!?" or line[0].islower():
        return False
    return not _BULLET.match(line) and "\t" not in line


def _is_table(block: list[_Line]) -> bool:
    return all("\t" in line.text for line in block) or all(
        line.text.lstrip().startswith("|") for line in block
    )


def split_passages(text: str, *, markdown: bool = False) -> list[PassageSpec]:
    """Split `text` into passages, in reading order.

    `markdown` selects Markdown block syntax (`#` headings only); otherwise short stand-alone
    lines without closing punctuation are taken as headings, as in plain-text copies of PDFs.
    """
    splitter = _Splitter(text, markdown=markdown)
    for block in _blocks(text):
        splitter.read(block)
    return splitter.specs


class _Splitter:
    """The passages of one text, block by block, and the headings and table they are in."""

    def __init__(self, text: str, *, markdown: bool) -> None:
        self.text = text
        self.markdown = markdown
        self.state = _State()
        self.specs: list[PassageSpec] = []

    def read(self, block: list[_Line]) -> None:
        """The passages of a block of lines: a heading, a rule (none), table rows, a
        footnote, list items or a paragraph."""
        state, first = self.state, block[0].text.strip()
        heading = _MD_HEADING.match(first)
        if heading and len(block) == 1:
            self.markdown_heading(block[0], heading)
        elif len(block) == 1 and _RULE.match(first):
            pass
        elif _is_table(block):
            self.table_rows(block)
        else:
            if not _TABLE_CAPTION.match(first):
                state.table_key = None
            self.read_text(block, first)

    def read_text(self, block: list[_Line], first: str) -> None:
        block_start, block_end = block[0].start, block[-1].end
        footnote = _FOOTNOTE.match(first)
        ordered = self.markdown and _ORDERED.match(first)
        if footnote:
            label = (
                footnote.group(1).translate(SUPERSCRIPT_DIGITS)
                if footnote.group(1)
                else footnote.group(2)
            )
            anchor = self.state.unique(f"footnote-{short_slug(label)}")
            self.add("footnote", anchor, block_start, block_end)
        elif _BULLET.match(first) or ordered:
            self.list_items(block, _ORDERED if ordered else _BULLET)
        elif not self.markdown and _is_plain_heading(block):
            level = 3 if _TABLE_CAPTION.match(first) else 2
            self.open_heading(level, first, block_start, block_end)
        else:
            self.add("paragraph", self.state.counted("p"), block_start, block_end)

    def add(
        self, kind: str, anchor: str, start: int, end: int, level: int = 0, header: bool = False
    ) -> None:
        start, end = _trimmed(self.text, start, end)
        if start == end:
            return
        self.specs.append(
            PassageSpec(
                ordinal=len(self.specs) + 1,
                anchor=anchor,
                kind=kind,
                level=level,
                section=self.state.section(),
                start=start,
                end=end,
                text=self.text[start:end],
                header=header,
            )
        )

    def markdown_heading(self, line: _Line, heading: re.Match) -> None:
        level, title = len(heading.group(1)), heading.group(2)
        offset = line.text.index(title, heading.start(2)) + line.start if title else line.start
        self.open_heading(level, title, offset, offset + len(title))

    def open_heading(self, level: int, heading: str, start: int, end: int) -> None:
        state = self.state
        caption = _TABLE_CAPTION.match(heading)
        if caption:
            number, rest = caption.groups()
            key = f"table-{number}"
            if key in state.anchors:
                key = f"{key}-{short_slug(rest)}" if rest else key
            anchor = state.unique(key)
            state.table_key, state.table_header, state.table_rows = anchor, None, 0
            level = max(level, (state.headings[-1][0] + 1) if state.headings else 3)
        else:
            anchor = state.unique(short_slug(heading) or f"section-{len(self.specs) + 1}")
            state.table_key = None
        while state.headings and state.headings[-1][0] >= level:
            state.headings.pop()
        self.add("heading", anchor, start, end, level)
        state.headings.append((level, heading, anchor))

    def table_rows(self, block: list[_Line]) -> None:
        state = self.state
        if state.table_key is None:
            state.tables_seen += 1
            base = state.section_anchor()
            key = f"{base}-table-{state.tables_seen}" if base else f"table-{state.tables_seen}"
            state.table_key, state.table_header, state.table_rows = state.unique(key), None, 0
        for line in block:
            row = line.text.strip()
            if _PIPE_SEPARATOR.match(row):
                continue
            cells = [
                c.strip()
                for c in (row.strip("|").split("|") if "\t" not in row else row.split("\t"))
            ]
            state.table_rows += 1
            header = state.table_header is None or row == state.table_header
            if header:
                state.table_header = row
                anchor = state.unique(f"{state.table_key}-header")
            else:
                label = short_slug(cells[0]) if cells and cells[0] else f"row-{state.table_rows}"
                anchor = state.unique(f"{state.table_key}-{label}")
            self.add("table_row", anchor, line.start, line.end, header=header)

    def list_items(self, block: list[_Line], marker: re.Pattern) -> None:
        item_start, previous_end = None, block[0].start
        for line in block:
            bullet = marker.match(line.text.lstrip())
            if bullet:
                if item_start is not None:
                    self.add("list_item", self.state.counted("item-"), item_start, previous_end)
                item_start = line.start + (len(line.text) - len(line.text.lstrip())) + bullet.end()
            previous_end = line.end
        assert item_start is not None  # the block starts with an item
        self.add("list_item", self.state.counted("item-"), item_start, previous_end)
