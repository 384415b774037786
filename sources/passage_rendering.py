"""Passages as the reader shows them: the shown text, its HTML, and where each shown
character comes from. One rule, one place.

A passage's source text may carry inline markup (`**bold**`, `[words](#)`, `\\(` escapes,
footnote markers; in Markdown documents also `*em*`, `_em_`, `` `code` ``, autolinks and
inline HTML). The reader shows the text without it. `render_passage` turns a passage's
source text into a `Rendered`:

- `shown`: the text as a reader sees it, character for character. It is exactly the
  `textContent` of `html`, so a W3C selector taken from `shown` (`exact`, `prefix`,
  `suffix`, `start`, `end`) anchors in the page as a browser sees it;
- `html`: safe inline HTML (every character escaped, only the tags written here, and
  sanitised again by `sources.markdown.sanitise_inline` as all stored HTML is);
- `origins`: for each character of `shown`, its offset in the source text. Every shown
  character is a source character (markup is only ever hidden, never rewritten), which is
  what lets a quote taken from the source be re-derived exactly (`shown_range`);
- `concealed`: source ranges hidden although they are content, not markup (a link's
  target, an inline HTML tag): a source quote that covers one cannot be re-derived.

Table rows are rendered cell by cell: the shown text of a row is its cells' shown texts
joined by a tab, and its HTML the `<th>`/`<td>` cells joined by the same tab, so the row's
`textContent` is its shown text too.

No Markdown library exposes where its output characters come from in inline content, so
this is a small scanner of the inline syntax the project's sources use; block structure
is `sources.parsing`'s.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape

from sources.markdown import sanitise_inline

SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
SUPERSCRIPT_DIGITS = str.maketrans(SUPERSCRIPTS, "0123456789")
ASCII_PUNCTUATION = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
LINK_SCHEMES = ("http://", "https://", "mailto:")

_UNSHOWABLE = frozenset(chr(c) for c in [*range(0x00, 0x09), 0x0B, *range(0x0D, 0x20), 0x7F])
# Every character at which inline markup may begin (`_Inline.run`); the text between two of
# them is plain, and is passed over in one step rather than a character at a time.
_MARKUP_START = re.compile(
    "[" + re.escape("".join(sorted(_UNSHOWABLE)) + "\\`*_[!<" + SUPERSCRIPTS) + "]"
)
_FOOTNOTE_MARKER = re.compile(r"^(?:([⁰¹²³⁴⁵⁶⁷⁸⁹]+)|\[\^([^\]\s]+)\]:)")
_AUTOLINK = re.compile(r"<((?:https?://|mailto:)[^\s<>]+)>")
_INLINE_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_LINK_TARGET = re.compile(
    r"\(\s*(<[^>]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)(?:\s+(\"[^\"]*\"|'[^']*'))?\s*\)"
)


class Footnotes:
    """Where a document's footnotes and the references to them are, for their links.

    `place(anchor)` gives the URL of the page holding a passage, relative to the page
    being rendered ("" when it is the same page); the renderer asks for `footnote-<label>`
    and for the page of the passage holding a label's first reference.
    """

    def __init__(
        self,
        *,
        labels: set[str] | None = None,
        page_of: Callable[[str], str] | None = None,
        first_reference: dict[str, str] | None = None,
    ) -> None:
        self.labels = labels or set()
        self.page_of = page_of or (lambda anchor: "")
        self.first_reference = first_reference or {}  # label -> anchor of its passage
        self.seen: dict[str, int] = {}
        self.current = ""  # the anchor of the passage being rendered
        self.first_seen_in: dict[str, str] = {}  # label -> anchor of its first reference

    def reference(self, label: str) -> tuple[str, str] | None:
        """(href, id) of a reference to footnote `label`, or None when there is no such note."""
        if label not in self.labels:
            return None
        count = self.seen.get(label, 0) + 1
        self.seen[label] = count
        self.first_seen_in.setdefault(label, self.current)
        ref_id = f"footnote-ref-{label}" + (f"-{count}" if count > 1 else "")
        return f"{self.page_of(f'footnote-{label}')}#footnote-{label}", ref_id

    def back(self, label: str) -> str | None:
        """The href from footnote `label` back to its first reference, if there is one."""
        anchor = self.first_reference.get(label)
        if anchor is None:
            return None
        return f"{self.page_of(anchor)}#footnote-ref-{label}"


@dataclass(frozen=True)
class Rendered:
    shown: str
    html: str
    origins: tuple[int, ...]
    concealed: tuple[tuple[int, int], ...] = ()
    cells: int = 0


@dataclass
class _Out:
    html: list[str] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)
    origins: list[int] = field(default_factory=list)
    concealed: list[tuple[int, int]] = field(default_factory=list)

    def text(self, source: str, start: int, end: int) -> None:
        if start >= end:
            return
        piece = source[start:end]
        self.html.append(escape(piece, quote=False))
        self.shown.append(piece)
        self.origins.extend(range(start, end))

    def showable(self, source: str, start: int, end: int) -> None:
        """`text`, leaving out the characters HTML cannot carry (a browser drops or replaces
        them): a code span's content, which is not scanned for markup."""
        for i in range(start, end):
            if source[i] in _UNSHOWABLE:
                self.text(source, start, i)
                start = i + 1
        self.text(source, start, end)

    def tag(self, html: str) -> None:
        self.html.append(html)

    def conceal(self, start: int, end: int) -> None:
        if start < end:
            self.concealed.append((start, end))


def _label(text: str) -> str:
    return text.translate(SUPERSCRIPT_DIGITS)


class _Inline:
    """A scanner of inline markup over `source[start:end]`, writing to an `_Out`."""

    def __init__(self, source: str, *, markdown: bool, footnotes: Footnotes | None) -> None:
        self.source = source
        self.markdown = markdown
        self.footnotes = footnotes

    def run(self, out: _Out, start: int, end: int, *, in_link: bool = False) -> None:
        source, i, plain_from = self.source, start, start
        next_markup = _MARKUP_START.search
        while i < end:
            found = next_markup(source, i, end)
            if found is None:
                break
            i = found.start()
            char = source[i]
            handled = None
            if char in _UNSHOWABLE:
                # HTML cannot carry it (a browser drops or replaces it): not shown.
                out.text(source, plain_from, i)
                handled = i + 1
            elif char == "\\" and i + 1 < end and source[i + 1] in ASCII_PUNCTUATION:
                out.text(source, plain_from, i)
                out.text(source, i + 1, i + 2)
                handled = i + 2
            elif char == "`" and self.markdown:
                handled = self._code(out, plain_from, i, end)
            elif char == "*" or (char == "_" and self.markdown):
                handled = self._emphasis(out, plain_from, i, end, in_link=in_link)
            elif char == "[" and not in_link:
                handled = self._bracket(out, plain_from, i, end)
            elif char == "!" and self.markdown and source.startswith("![", i) and not in_link:
                handled = self._image(out, plain_from, i, end)
            elif char == "<" and self.markdown:
                handled = self._angle(out, plain_from, i, end, in_link=in_link)
            elif char in SUPERSCRIPTS and not in_link and i > 0 and not source[i - 1].isspace():
                handled = self._superscript(out, plain_from, i, end)
            if handled is None:
                i += 1
                continue
            i = plain_from = handled
        out.text(source, plain_from, end)

    # Each handler writes the plain text before `at`, then its construct, and returns where
    # scanning resumes; or None (writing nothing) when the text at `at` is not that construct.

    def _code(self, out: _Out, plain_from: int, at: int, end: int) -> int | None:
        source = self.source
        ticks = at
        while ticks < end and source[ticks] == "`":
            ticks += 1
        run = source[at:ticks]
        close = source.find(run, ticks, end)
        while close >= 0 and close + len(run) < end and source[close + len(run)] == "`":
            close = source.find(run, close + len(run) + 1, end)
        if close < 0 or close == ticks:
            return None
        out.text(source, plain_from, at)
        out.tag("<code>")
        out.showable(source, ticks, close)
        out.tag("</code>")
        return close + len(run)

    def _emphasis(self, out: _Out, plain_from: int, at: int, end: int, *, in_link: bool):
        source, char = self.source, self.source[at]
        strong = source.startswith(char * 2, at)
        width = 2 if strong else 1
        if not self.markdown and not strong:
            return None
        opener_end = at + width
        if opener_end >= end or source[opener_end].isspace() or source[opener_end] == char:
            return None
        if char == "_" and at > 0 and source[at - 1].isalnum():
            return None
        close = opener_end
        while True:
            close = source.find(char * width, close + 1, end)
            if close < 0:
                return None
            doubled = close + width < end and source[close + width] == char
            after_ok = (
                char != "_" or close + width >= len(source) or not source[close + width].isalnum()
            )
            if not source[close - 1].isspace() and (strong or not doubled) and after_ok:
                break
        out.text(source, plain_from, at)
        tag = "strong" if strong else "em"
        out.tag(f"<{tag}>")
        self.run(out, opener_end, close, in_link=in_link)
        out.tag(f"</{tag}>")
        return close + width

    def _closing_bracket(self, at: int, end: int) -> int:
        depth, i = 0, at
        while i < end:
            char = self.source[i]
            if char == "\\":
                i += 2
                continue
            if char == "[":
                depth += 1
            elif char == "]":
                depth -= 1
                if depth == 0:
                    return i
            i += 1
        return -1

    def _bracket(self, out: _Out, plain_from: int, at: int, end: int) -> int | None:
        source = self.source
        if source.startswith("[^", at) and self.footnotes is not None:
            close = source.find("]", at + 2, end)
            label = source[at + 2 : close] if close > 0 else ""
            if (
                label
                and not any(c.isspace() for c in label)
                and source[close + 1 : close + 2] != ":"
            ):
                return self._footnote_ref(out, plain_from, at, close + 1, at + 2, close)
        close = self._closing_bracket(at, end)
        if close < 0:
            return None
        target = _LINK_TARGET.match(source, close + 1, end)
        if target is None:
            return None
        url = target.group(1).strip("<>")
        out.text(source, plain_from, at)
        live = url.startswith(LINK_SCHEMES)
        if live:
            out.tag(f'<a href="{escape(url)}" rel="noopener noreferrer nofollow">')
        self.run(out, at + 1, close, in_link=True)
        if live:
            out.tag("</a>")
        if url not in ("", "#"):
            out.conceal(close + 1, target.end())
        return target.end()

    def _image(self, out: _Out, plain_from: int, at: int, end: int) -> int | None:
        close = self._closing_bracket(at + 1, end)
        if close < 0:
            return None
        target = _LINK_TARGET.match(self.source, close + 1, end)
        if target is None:
            return None
        out.text(self.source, plain_from, at)
        self.run(out, at + 2, close, in_link=True)
        out.conceal(close + 1, target.end())
        return target.end()

    def _angle(self, out: _Out, plain_from: int, at: int, end: int, *, in_link: bool):
        source = self.source
        autolink = _AUTOLINK.match(source, at, end)
        if autolink and not in_link:
            out.text(source, plain_from, at)
            out.tag(f'<a href="{escape(autolink.group(1))}" rel="noopener noreferrer nofollow">')
            out.text(source, at + 1, autolink.end() - 1)
            out.tag("</a>")
            return autolink.end()
        tag = _INLINE_TAG.match(source, at, end)
        if tag:
            out.text(source, plain_from, at)
            out.conceal(at, tag.end())
            return tag.end()
        return None

    def _superscript(self, out: _Out, plain_from: int, at: int, end: int) -> int | None:
        stop = at
        while stop < end and self.source[stop] in SUPERSCRIPTS:
            stop += 1
        if self.footnotes is None or _label(self.source[at:stop]) not in self.footnotes.labels:
            return None
        return self._footnote_ref(out, plain_from, at, stop, at, stop)

    def _footnote_ref(self, out, plain_from, at, stop, label_start, label_end) -> int | None:
        assert self.footnotes is not None
        label = _label(self.source[label_start:label_end])
        link = self.footnotes.reference(label)
        if link is None:
            return None
        href, ref_id = link
        out.text(self.source, plain_from, at)
        out.tag(
            f'<a class="footnote-ref" id="{escape(ref_id)}" href="{escape(href)}" '
            f'aria-label="Footnote {escape(label)}">'
        )
        out.text(self.source, label_start, label_end)
        out.tag("</a>")
        return stop


def _finish(out: _Out, cells: int = 0, html: str | None = None) -> Rendered:
    return Rendered(
        shown="".join(out.shown),
        html=sanitise_inline("".join(out.html)) if html is None else html,
        origins=tuple(out.origins),
        concealed=tuple(out.concealed),
        cells=cells,
    )


def _inline(source: str, start: int, end: int, *, markdown: bool, footnotes, out: _Out) -> None:
    _Inline(source, markdown=markdown, footnotes=footnotes).run(out, start, end)


def _footnote(source: str, *, markdown: bool, footnotes: Footnotes | None) -> Rendered:
    """A footnote: its marker links back to the first reference to it."""
    out = _Out()
    marker = _FOOTNOTE_MARKER.match(source)
    if marker is None:
        _inline(source, 0, len(source), markdown=markdown, footnotes=footnotes, out=out)
        return _finish(out)
    if marker.group(1):
        label_start, label_end = marker.span(1)
    else:
        label_start, label_end = marker.span(2)
    label = _label(source[label_start:label_end])
    back = footnotes.back(label) if footnotes else None
    if back:
        out.tag(
            f'<a class="footnote-back" href="{escape(back)}" '
            f'aria-label="Footnote {escape(label)}, back to its reference">'
        )
    out.text(source, label_start, label_end)
    if back:
        out.tag("</a>")
    _inline(source, marker.end(), len(source), markdown=markdown, footnotes=footnotes, out=out)
    return _finish(out)


def table_cells(source: str) -> list[tuple[int, int]]:
    """The source ranges of a table row's cells (tab-separated, or a `|` pipe row), trimmed."""
    if "\t" in source:
        bounds, start = [], 0
        for index, char in enumerate(source):
            if char == "\t":
                bounds.append((start, index))
                start = index + 1
        bounds.append((start, len(source)))
    else:
        begin, finish = 0, len(source)
        while begin < finish and source[begin].isspace():
            begin += 1
        while finish > begin and source[finish - 1].isspace():
            finish -= 1
        if source.startswith("|", begin):
            begin += 1
        if finish > begin and source[finish - 1] == "|" and source[finish - 2 : finish - 1] != "\\":
            finish -= 1
        bounds, start, index = [], begin, begin
        while index < finish:
            if source[index] == "\\":
                index += 2
                continue
            if source[index] == "|":
                bounds.append((start, index))
                start = index + 1
            index += 1
        bounds.append((start, finish))
    cells = []
    for start, end in bounds:
        while start < end and source[start] in " \u00a0":
            start += 1
        while end > start and source[end - 1] in " \u00a0":
            end -= 1
        cells.append((start, end))
    return cells


def _row(source: str, *, header: bool, markdown: bool, footnotes: Footnotes | None) -> Rendered:
    out = _Out()
    html: list[str] = []
    cells = table_cells(source)
    for index, (start, end) in enumerate(cells):
        if index:
            # The separator is shown as a tab: a row's text is its cells, tab-separated.
            sep = cells[index - 1][1]
            while source[sep] not in "\t|":
                sep += 1
            html.append("\t")
            out.shown.append("\t")
            out.origins.append(sep)
        cell = _Out()
        _inline(source, start, end, markdown=markdown, footnotes=footnotes, out=cell)
        out.shown.extend(cell.shown)
        out.origins.extend(cell.origins)
        out.concealed.extend(cell.concealed)
        tag = "th" if header or index == 0 else "td"
        scope = ' scope="col"' if header else ' scope="row"' if index == 0 else ""
        html.append(f"<{tag}{scope}>{sanitise_inline(''.join(cell.html))}</{tag}>")
    return _finish(out, cells=len(cells), html="".join(html))


def render_passage(
    source: str,
    *,
    kind: str,
    markdown: bool = False,
    header: bool = False,
    footnotes: Footnotes | None = None,
) -> Rendered:
    """A passage's source text as the reader shows it (see the module's docstring).

    `kind` is the passage kind (`table_row` renders cells, `footnote` links its marker
    back); `header` marks a table's header row; `markdown` enables the Markdown-only inline
    syntax (single `*`/`_` emphasis, code spans, autolinks, inline HTML).
    """
    if kind == "table_row":
        return _row(source, header=header, markdown=markdown, footnotes=footnotes)
    if kind == "footnote":
        return _footnote(source, markdown=markdown, footnotes=footnotes)
    out = _Out()
    _inline(source, 0, len(source), markdown=markdown, footnotes=footnotes, out=out)
    return _finish(out)


def shown_range(rendered: Rendered, start: int, end: int) -> tuple[int, int] | None:
    """The range of `rendered.shown` that the source range `start`..`end` shows, or None
    when it shows nothing or hides content the reader does not see (a link's target)."""
    for low, high in rendered.concealed:
        if low < end and start < high:
            return None
    origins = rendered.origins
    first = next((i for i, origin in enumerate(origins) if origin >= start), len(origins))
    last = first
    while last < len(origins) and origins[last] < end:
        last += 1
    if last == first:
        return None
    return first, last


def plain_text(source: str, *, markdown: bool = False) -> str:
    """What a reader sees of an inline source text (a quote, a label): its markup hidden."""
    return render_passage(source, kind="paragraph", markdown=markdown).shown


# HTML as `render_passage` writes it: tags, and text whose only entities are `escape`'s.
_TAG_OR_TEXT = re.compile(r"(<[^>]*>)|([^<]+)")
_CHARACTER = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);|[^&]|&")


def mark_html(html: str, start: int, end: int, *, css_class: str = "quote") -> str:
    """`html` (as `render_passage` writes it) with its shown text `start`..`end` in `<mark>`.

    Each text node in the range gets its own `<mark>`, so marks never cross an element's
    boundary (a cell, a link, a bold word); their text, read in order, is exactly the
    range. Whitespace between table cells, where no element can hold a mark, is left out.
    """
    if start >= end:
        return html
    out: list[str] = []
    position = 0
    open_tag = f'<mark class="{css_class}">'
    in_row_gap = False
    for match in _TAG_OR_TEXT.finditer(html):
        tag, text = match.groups()
        if tag is not None:
            out.append(tag)
            in_row_gap = tag.startswith("</t")
            continue
        # Split the text into characters as the browser counts them (an entity is one).
        pieces = [m.group() for m in _CHARACTER.finditer(text)]
        node_start = position
        node_end = position + len(pieces)
        position = node_end
        if in_row_gap or node_end <= start or node_start >= end:
            out.append(text)
            continue
        low = max(start, node_start) - node_start
        high = min(end, node_end) - node_start
        out.append("".join(pieces[:low]))
        out.append(open_tag + "".join(pieces[low:high]) + "</mark>")
        out.append("".join(pieces[high:]))
    return "".join(out)
