"""How a document is cut into reader pages. Pure: no database.

A document short enough is read whole on its front page. A longer one is read a section
at a time: the passages before its first heading (or, under a title heading that heads the
whole document, before its first section) stay on the front page ("the start of the
text"), and each section (a heading and what follows it, down to the next heading of the
same or a higher level) is a page when it fits. A section that does not fit is split at its
own subheadings (its opening text before the first one becomes a page of its own), and a
section without subheadings that still does not fit is cut into parts at passage
boundaries. Consecutive small pieces are then joined until a page reaches a readable
length, never beyond the limit.

A page is named by the anchor of its first passage (`/documents/<slug>/sections/<anchor>/`);
the front page by "". The limits bound a page by the size of its stored HTML and by its
number of passages, so that every reader page stays well under 400 KB whatever the
document (each passage adds its marks and notes on top of its text).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sources.passage_rendering import Footnotes, Rendered, render_passage

# A page holds at most this much stored passage HTML, and at most this many passages.
PAGE_MAX_WEIGHT = 100_000
PAGE_MAX_PASSAGES = 120
# Pieces are joined until a page reaches this much text.
PAGE_MIN_WEIGHT = 40_000
# What a passage adds to a page besides its HTML: its element, its tools, its notes.
PASSAGE_OVERHEAD = 250
FRONT = ""
# The longest title the outline and the list of pages give a heading; the front page's
# outline lists at most OUTLINE_MAX headings (the shallowest levels first).
TITLE_CHARS = 120
OUTLINE_MAX = 400


@dataclass(frozen=True)
class Block:
    """What the splitter needs of a passage, in reading order."""

    anchor: str
    kind: str
    level: int
    weight: int  # the length of its stored HTML


def _weight(blocks: Sequence[Block], start: int, end: int) -> int:
    return sum(b.weight + PASSAGE_OVERHEAD for b in blocks[start:end])


def _fits(blocks: Sequence[Block], start: int, end: int) -> bool:
    return end - start <= PAGE_MAX_PASSAGES and _weight(blocks, start, end) <= PAGE_MAX_WEIGHT


def _parts(blocks: Sequence[Block], start: int, end: int) -> list[tuple[int, int]]:
    """`start`..`end` cut into consecutive parts that each fit (a passage never splits)."""
    parts, begin, weight = [], start, 0
    for index in range(start, end):
        cost = blocks[index].weight + PASSAGE_OVERHEAD
        if index > begin and (
            weight + cost > PAGE_MAX_WEIGHT or index - begin >= PAGE_MAX_PASSAGES
        ):
            parts.append((begin, index))
            begin, weight = index, 0
        weight += cost
    if begin < end:
        parts.append((begin, end))
    return parts


def _section_end(blocks: Sequence[Block], start: int, end: int) -> int:
    level = blocks[start].level
    for index in range(start + 1, end):
        if blocks[index].kind == "heading" and blocks[index].level <= level:
            return index
    return end


def _pieces(blocks: Sequence[Block], start: int, end: int) -> list[tuple[int, int]]:
    """The section `start`..`end` (a heading and what it heads) as pieces that fit."""
    if _fits(blocks, start, end):
        return [(start, end)]
    headings = [i for i in range(start + 1, end) if blocks[i].kind == "heading"]
    if not headings:
        return _parts(blocks, start, end)
    top = min(blocks[i].level for i in headings)
    children = [i for i in headings if blocks[i].level == top]
    pieces = _parts(blocks, start, children[0])
    for index, child in enumerate(children):
        child_end = children[index + 1] if index + 1 < len(children) else end
        pieces.extend(_pieces(blocks, child, child_end))
    return pieces


def _joined(blocks: Sequence[Block], pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    joined: list[tuple[int, int]] = []
    for start, end in pieces:
        if joined:
            last_start, last_end = joined[-1]
            if _weight(blocks, last_start, last_end) < PAGE_MIN_WEIGHT and _fits(
                blocks, last_start, end
            ):
                joined[-1] = (last_start, end)
                continue
        joined.append((start, end))
    return joined


def _is_title(blocks: Sequence[Block]) -> bool:
    """The first passage is the only heading of the shallowest level: the document's title."""
    top = blocks[0].level
    return not any(b.kind == "heading" and b.level <= top for b in blocks[1:])


def page_anchors(blocks: Sequence[Block]) -> list[str]:
    """For each passage, the page that holds it: its first passage's anchor, "" for the
    front page."""
    if not blocks:
        return []
    if _fits(blocks, 0, len(blocks)):
        return [FRONT] * len(blocks)
    first_heading = next((i for i, b in enumerate(blocks) if b.kind == "heading"), len(blocks))
    if first_heading == 0 and _is_title(blocks):
        # The document's title heads everything: it and what follows it, up to the first
        # section, are the start of the text.
        first_heading = next(
            (i for i in range(1, len(blocks)) if blocks[i].kind == "heading"), len(blocks)
        )
    pages = _parts(blocks, 0, first_heading)
    pieces: list[tuple[int, int]] = []
    start = first_heading
    while start < len(blocks):
        end = _section_end(blocks, start, len(blocks))
        pieces.extend(_pieces(blocks, start, end))
        start = end
    pages += _joined(blocks, pieces)
    anchors = [FRONT] * len(blocks)
    for number, (start, end) in enumerate(pages):
        name = FRONT if number == 0 and start == 0 else blocks[start].anchor
        for index in range(start, end):
            anchors[index] = name
    return anchors


@dataclass(frozen=True)
class Source:
    """A passage as the parser gives it, in reading order."""

    anchor: str
    kind: str
    level: int
    text: str
    header: bool = False  # a table's header row


@dataclass(frozen=True)
class Layout:
    """A passage as the reader shows it, and where."""

    shown: str
    html: str
    page: str
    table_header: str | None  # a table row's header row (its anchor); None for others


FOOTNOTE_PREFIX = "footnote-"


def lay_out(
    passages: Sequence[Source], *, markdown: bool, page_href: Callable[[str], str]
) -> list[Layout]:
    """Render a document's passages (`sources.passage_rendering`), cut them into pages, and link
    its footnotes and their references across pages. `page_href(page)` is the URL of a
    reader page (`sources.models.page_url`)."""
    labels = {p.anchor[len(FOOTNOTE_PREFIX) :] for p in passages if p.kind == "footnote"}
    shown_on = {"page": FRONT}  # the page of the passage being rendered

    def render(
        footnotes: Footnotes, pages: Sequence[str], before: Sequence[Rendered] = ()
    ) -> list[Rendered]:
        """Each passage rendered with `footnotes`, as shown on its page of `pages`; with
        `before` (a first rendering), only the passages that refer to a footnote or are one
        again: the others' rendering never reads `footnotes`."""
        out = []
        for index, (passage, page) in enumerate(zip(passages, pages, strict=True)):
            if before and passage.kind != "footnote" and "[^" not in passage.text:
                out.append(before[index])
                continue
            shown_on["page"] = page
            footnotes.current = passage.anchor
            out.append(
                render_passage(
                    passage.text,
                    kind=passage.kind,
                    markdown=markdown,
                    header=passage.header,
                    footnotes=footnotes,
                )
            )
        return out

    # First pass, every passage on the front page: sizes for the page cut, and where each
    # footnote is first referred to.
    draft = Footnotes(labels=labels)
    rendered = render(draft, [FRONT] * len(passages))
    pages = page_anchors(
        [
            Block(p.anchor, p.kind, p.level, len(r.html))
            for p, r in zip(passages, rendered, strict=True)
        ]
    )
    if labels:
        # Second pass, each passage on its page: footnote links that cross pages.
        page_of = {p.anchor: page for p, page in zip(passages, pages, strict=True)}

        def relative(anchor: str) -> str:
            target = page_of.get(anchor, FRONT)
            return "" if target == shown_on["page"] else page_href(target)

        footnotes = Footnotes(labels=labels, page_of=relative, first_reference=draft.first_seen_in)
        rendered = render(footnotes, pages, rendered)
    headers = _table_headers(passages)
    return [
        Layout(shown=r.shown, html=r.html, page=page, table_header=header)
        for r, page, header in zip(rendered, pages, headers, strict=True)
    ]


def _table_headers(passages: Sequence[Source]) -> list[str | None]:
    """For each passage, the anchor of its table's header row when it is a table's body
    row; None for others."""
    headers: list[str | None] = []
    current: str | None = None
    for passage in passages:
        if passage.kind != "table_row":
            current = None
            headers.append(None)
        elif passage.header:
            current = passage.anchor
            headers.append(None)
        else:
            headers.append(current)
    return headers


def reader_summary(
    passages: Sequence[Source], layouts: Sequence[Layout], *, outline_max: int
) -> dict:
    """What the reader's pages show of the whole document, computed once when its text is
    laid out (`Document.reader`): its section pages (anchor, title), its outline (at most
    `outline_max` headings, the shallowest levels first: ordinal, anchor, level, title, page,
    the ordinal after its last passage), how many headings that leaves out, its heading
    levels and its number of passages. Ordinals count from 1, in reading order."""
    count = len(passages)
    levels = sorted({p.level for p in passages if p.kind == "heading"})
    per_level = {level: 0 for level in levels}
    for passage in passages:
        if passage.kind == "heading":
            per_level[passage.level] += 1
    deepest, listed = 0, 0
    for level in levels:
        if listed + per_level[level] > outline_max and deepest:
            break
        deepest, listed = level, listed + per_level[level]
    headings = [i for i, p in enumerate(passages) if p.kind == "heading" and p.level <= deepest][
        :outline_max
    ]
    outline = []
    for position, index in enumerate(headings):
        level = passages[index].level
        end = next((j for j in headings[position + 1 :] if passages[j].level <= level), count)
        title = " ".join(layouts[index].shown.split())[:TITLE_CHARS]
        outline.append(
            [index + 1, passages[index].anchor, level, title, layouts[index].page, end + 1]
        )
    pages: list[list[str]] = []
    last_heading = ""
    for passage, layout in zip(passages, layouts, strict=True):
        shown = " ".join(layout.shown.split())
        if layout.page and (not pages or pages[-1][0] != layout.page):
            continued = f"{last_heading} (continued)" if last_heading else shown
            title = shown if passage.kind == "heading" else continued
            pages.append([layout.page, title[:TITLE_CHARS]])
        if passage.kind == "heading":
            last_heading = shown
    return {
        "pages": pages,
        "outline": outline,
        "omitted": sum(per_level.values()) - len(outline),
        "levels": levels,
        "passages": count,
    }
