"""Reading a PDF into Markdown: headings, paragraphs, list items, tables and footnotes,
with the offsets where its pages begin.

pdfplumber gives the characters of each page with their font, size and position, and the
ruled tables it finds. From them this module rebuilds what the typesetting took apart:

- lines: the words that share a baseline; a small raised number is a footnote reference;
- running headers and footers: a line in the top or bottom margin that recurs on other
  pages once its digits are ignored ("Page 3 of 9"), or a lone page number, is left out;
- headings: the most common size is the body text's; a larger line, or a short bold one
  at body size, is a heading, its level the rank of its size (at most four levels);
- paragraphs: lines set close together, joined across line breaks, and across a page break
  when the paragraph had not ended (no closing punctuation) before it; a word hyphenated
  at a line end is joined or kept hyphenated as the document's own words say (`hyphen_join`);
- list items: a line starting with a bullet (a glyph, or a small drawn dot beside it) or a
  number ("1."), and the lines indented under it;
- footnotes: small lines starting with a number, below the last body-size line of a page;
- tables: pdfplumber's ruled tables, header row first, an empty cell kept empty.

The blocks are written as Markdown (`sources.parsing.split_passages(markdown=True)` makes
the passages) with every Markdown special character of the PDF's words escaped, so that
each passage's shown text is the words as printed. Pages are read one at a time and closed,
so memory stays bounded by the text, not by the file.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from core.text import normalise_compatibility

PAGE_LIMIT = 300
SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_TO_SUPERSCRIPT = str.maketrans("0123456789", SUPERSCRIPTS)
_FROM_SUPERSCRIPT = str.maketrans(SUPERSCRIPTS, "0123456789")
# A footnote reference found in a line, until the footnotes of the document are known.
_REF = "\ue000"
_REF_END = "\ue001"
_REF_RUN = re.compile(f"{_REF}(\\d+){_REF_END}")
_PRIVATE = re.compile("[\ue000-\uf8ff]")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BOLD = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)
_BULLET = re.compile(r"^([•◦▪▫‣∙·●○■□–\-*])\s+")
_NUMBER = re.compile(r"^(\d{1,3})[.)]\s+")
_FOOTNOTE = re.compile(rf"^(?:(\d{{1,3}})|([{SUPERSCRIPTS}]+)|{_REF}(\d+){_REF_END})\s*(?=\S)")
_PAGE_NUMBER = re.compile(
    r"^(?:page\s+)?(?:\d+|[ivxlcdm]+)(?:\s*(?:of|/)\s*\d+)?$|^[-–]\s*\d+\s*[-–]$", re.IGNORECASE
)
_CLOSING = tuple('.!?:;…"”’)]')
_BREAK_HYPHENS = "\u00ad\u2010"  # a soft hyphen, or the hyphen a layout engine inserts
_WORD = re.compile(r"\w+(?:-\w+)*")
# Block markup that a paragraph's first characters could be mistaken for.
_LEADING = re.compile(r"^(#{1,6}(?=\s|$)|[-+](?=\s)|(?:-{3,})$|\d{1,9}[.)](?=\s)|>|\|)")
_INLINE_SPECIALS = re.compile(r"([\\`*_\[\]<])")
MARGIN = 0.07  # the share of the page's height at its top and bottom that running lines use
MAX_LEVELS = 4
COLUMN_GAP = 2.0  # a gap between words wider than twice the font size sets columns apart


class PdfError(Exception):
    """The PDF cannot be read; the message says why (without the file's name)."""


@dataclass
class Line:
    page: int
    top: float
    bottom: float
    x0: float
    size: float
    bold: bool
    text: str
    height: float  # the page's
    bullet: bool = False  # a drawn bullet stands to its left
    # The line's parts set apart by wide gaps, with where each starts: an unruled table's
    # row, when the lines around it are so too.
    cells: list[tuple[float, str]] = field(default_factory=list)

    @property
    def key(self) -> str:
        """The line as a running header or footer recurs: digits ignored."""
        return re.sub(r"\d+", "#", self.text.lower())


@dataclass
class Table:
    page: int
    top: float
    rows: list[list[str]]


@dataclass
class Block:
    kind: str  # heading, paragraph, item, footnote, table
    pieces: list[tuple[int, str]] = field(default_factory=list)  # (page, text)
    level: int = 0
    marker: str = ""  # an ordered item's number, a footnote's label
    rows: list[tuple[int, list[str]]] = field(default_factory=list)  # a table's, by page
    grid: list[Line] = field(default_factory=list)  # an unruled table's lines
    last: Line | None = None  # the block's last line, for joining the next one

    @property
    def text(self) -> str:
        return "".join(text for _, text in self.pieces)


@dataclass
class Reading:
    text: str
    page_starts: list[int]
    normalised: Counter[str]


def pdf_markdown(data: bytes, *, page_limit: int = PAGE_LIMIT) -> Reading:
    """The Markdown text of a PDF, the offsets its pages begin at, and the characters
    normalised on the way; a PdfError when it cannot be read."""
    lines, tables, pages, normalised = _read(data, page_limit=page_limit)
    lines = _without_running(lines, pages)
    blocks = _blocks(lines, tables)
    text, page_starts = _serialise(blocks, pages, _vocabulary(lines, tables))
    return Reading(text=text, page_starts=page_starts, normalised=normalised)


def _read(data: bytes, *, page_limit: int) -> tuple[list[Line], list[Table], int, Counter[str]]:
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdftypes import PDFException
    from pdfminer.psexceptions import PSException
    from pdfplumber.utils.exceptions import PdfminerException

    lines: list[Line] = []
    tables: list[Table] = []
    normalised: Counter[str] = Counter()
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if pdf.doc.encryption is not None:
                raise PdfError("the PDF is encrypted")
            count = len(pdf.pages)
            if count > page_limit:
                raise PdfError(f"{count} pages is over the limit of {page_limit} pages")
            for number, page in enumerate(pdf.pages, 1):
                page_lines, page_tables = _page(page, number, normalised)
                lines.extend(page_lines)
                tables.extend(page_tables)
                page.close()
    except PdfminerException as error:
        cause = error.args[0] if error.args else error
        if isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError):
            raise PdfError("the PDF is encrypted") from None
        raise PdfError(f"not a readable PDF ({cause})") from None
    except (PDFException, PSException, ValueError, KeyError, TypeError) as error:
        raise PdfError(f"not a readable PDF ({error})") from None
    return lines, tables, count, normalised


def _clean(text: str, normalised: Counter[str]) -> str:
    """A character's text as stored text may hold it: compatibility ligatures as their
    letters, soft hyphens and control and private-use characters dropped (and counted)."""
    text, found = normalise_compatibility(text)
    normalised.update(found)
    for pattern in (_CONTROL, _PRIVATE):
        for match in pattern.finditer(text):
            normalised[match.group()] += 1
        text = pattern.sub("", text)
    return text


def _page(page, number: int, normalised: Counter[str]) -> tuple[list[Line], list[Table]]:
    """The lines of text of one page outside its tables, and its tables."""
    found = page.find_tables()
    tables, boxes = [], []
    for table in found:
        rows = [[_cell(cell or "", normalised) for cell in row] for row in table.extract()]
        rows = [row for row in rows if any(row)]
        if rows:
            tables.append(Table(number, table.bbox[1], rows))
            boxes.append(table.bbox)
    words = [
        word
        for word in page.extract_words(return_chars=True, x_tolerance=2, extra_attrs=["size"])
        if not any(_inside(word, box) for box in boxes)
    ]
    dots = [
        shape
        for shape in (*page.curves, *page.rects)
        if 1 < shape["x1"] - shape["x0"] < 8 and 1 < shape["bottom"] - shape["top"] < 8
    ]
    lines = [_line(group, number, page.height, normalised, dots) for group in _rows(words)]
    return [line for line in lines if line.text], tables


def _cell(text: str, normalised: Counter[str]) -> str:
    """A table cell's text on one line, a word hyphenated at a line end marked to be
    decided as in paragraphs (`hyphen_kept`)."""
    text = _clean(text, normalised)
    text = re.sub(r"(?<=\w)\u2010\s*\n(?=\w)", _INSERTED_BREAK, text)
    text = re.sub(r"(?<=\w)-\n(?=\w)", _HYPHEN_BREAK, text)
    return " ".join(text.split())


def _inside(word: dict, box: tuple) -> bool:
    x, y = (word["x0"] + word["x1"]) / 2, (word["top"] + word["bottom"]) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _rows(words: list[dict]) -> Iterator[list[dict]]:
    """Words grouped into lines: those whose heights overlap by half the smaller one."""
    row: list[dict] = []
    top = bottom = 0.0
    for word in sorted(words, key=lambda w: (w["bottom"], w["x0"])):
        height = word["bottom"] - word["top"]
        overlap = min(bottom, word["bottom"]) - max(top, word["top"])
        if row and overlap >= 0.5 * min(height, bottom - top):
            row.append(word)
            top, bottom = min(top, word["top"]), max(bottom, word["bottom"])
            continue
        if row:
            yield sorted(row, key=lambda w: w["x0"])
        row, top, bottom = [word], word["top"], word["bottom"]
    if row:
        yield sorted(row, key=lambda w: w["x0"])


def _line(
    words: list[dict], page: int, height: float, normalised: Counter[str], dots: list[dict]
) -> Line:
    """A line from its words: its main size and weight, its text with footnote references
    (small raised numbers) marked."""
    chars = [char for word in words for char in word["chars"] if char["text"].strip()]
    sizes = Counter(round(char["size"] * 2) / 2 for char in chars)
    size = sizes.most_common(1)[0][0]
    baseline = max(w["bottom"] for w in words if round(w["chars"][0]["size"] * 2) / 2 == size)
    bold = sum(1 for c in chars if _BOLD.search(c["fontname"])) >= 0.9 * len(chars)
    parts: list[str] = []
    cells: list[tuple[float, str]] = []
    start, previous = words[0]["x0"], None
    for word in words:
        text = _clean(word["text"], normalised)
        word_size = max(c["size"] for c in word["chars"])
        raised = word["bottom"] < baseline - 0.15 * size
        if text.isdigit() and text.isascii() and word_size < 0.85 * size and raised:
            text = f"{_REF}{text}{_REF_END}"
        gap = word["x0"] - previous["x1"] if previous is not None else 0.0
        if previous is not None and gap > COLUMN_GAP * size:
            cells.append((start, "".join(parts).strip()))
            parts, start = [], word["x0"]
        elif gap > 0.1 * size and parts:
            parts.append(" ")
        parts.append(text)
        previous = word
    cells.append((start, "".join(parts).strip()))
    top = min(w["top"] for w in words)
    bottom = max(w["bottom"] for w in words)
    x0 = words[0]["x0"]
    bullet = any(
        dot["x1"] <= x0 < dot["x1"] + 2 * size and top <= dot["top"] and dot["bottom"] <= bottom
        for dot in dots
    )
    text = " ".join(text for _, text in cells if text)
    grid = cells if len(cells) > 1 else []
    return Line(page, top, bottom, x0, size, bold, text, height, bullet, grid)


def _without_running(lines: list[Line], pages: int) -> list[Line]:
    """The lines without running headers and footers: a line in the top or bottom margin,
    set apart from the text beside it, that is a page number or recurs on another page
    once digits are ignored."""
    apart: set[int] = set()
    for number, line in enumerate(lines):
        before = lines[number - 1] if number else None
        after = lines[number + 1] if number + 1 < len(lines) else None
        gaps = [
            line.top - before.bottom if before and before.page == line.page else line.size * 9,
            after.top - line.bottom if after and after.page == line.page else line.size * 9,
        ]
        in_margin = line.top < MARGIN * line.height or line.bottom > (1 - MARGIN) * line.height
        if in_margin and min(gaps) > line.size:
            apart.add(id(line))
    recurring = Counter(key for _, key in {(ln.page, ln.key) for ln in lines if id(ln) in apart})
    return [
        line
        for line in lines
        if id(line) not in apart
        or not (_PAGE_NUMBER.match(line.text) or (pages > 1 and recurring[line.key] > 1))
    ]


def _vocabulary(lines: list[Line], tables: list[Table]) -> Counter[str]:
    """How often each word (hyphenated compounds as one) occurs in the lines and table
    cells, lower-cased."""
    texts = [line.text for line in lines]
    texts += [cell for table in tables for row in table.rows for cell in row]
    return Counter(
        word.lower() for text in texts for word in _WORD.findall(text.replace("\u2010", "-"))
    )


def hyphen_kept(first: str, second: str, words: Counter[str], *, inserted: bool) -> bool:
    """Whether a word broken after a hyphen at a line end (`first-` / `second`) keeps it.

    Layout engines break compounds ("post-deployment") after their own hyphen, and break
    words where a soft hyphen or their hyphenation allows, showing a hyphen that is not
    part of the word ("incompre-hensible"; Chromium draws it as U+2010, a soft hyphen may
    be kept as U+00AD: `inserted`). The document's own words decide: the hyphenated form
    used elsewhere keeps the hyphen, the joined form used elsewhere drops it; failing both,
    an inserted hyphen is dropped and any other kept, as printed.
    """
    hyphenated, joined = f"{first}-{second}".lower(), f"{first}{second}".lower()
    if words[hyphenated]:
        return True
    if words[joined]:
        return False
    return not inserted


def _body_size(lines: list[Line]) -> float:
    sizes: Counter[float] = Counter()
    for line in lines:
        sizes[line.size] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 0.0


class _Builder:
    """The blocks of a document from its lines and tables, in reading order."""

    def __init__(self, lines: list[Line]) -> None:
        self.body = _body_size(lines)
        self.last_body_top: dict[int, float] = {}
        for line in lines:
            if line.size >= 0.9 * self.body:
                self.last_body_top[line.page] = max(self.last_body_top.get(line.page, 0), line.top)
        larger = sorted({ln.size for ln in lines if self.large(ln)}, reverse=True)
        self.levels = {size: min(rank, MAX_LEVELS) for rank, size in enumerate(larger, 1)}
        self.bold_level = min(len(larger) + 1, MAX_LEVELS)
        self.blocks: list[Block] = []
        self.open: Block | None = None  # a paragraph that may go on over the page break
        self.page = 0

    def large(self, line: Line) -> bool:
        return line.size >= 1.15 * self.body

    def classify(self, line: Line) -> str:
        small = line.size < 0.9 * self.body
        if small and _FOOTNOTE.match(line.text) and line.top > self.last_body_top.get(line.page, 0):
            return "footnote"
        if self.large(line) or (
            line.bold
            and not small
            and len(line.text) <= 120
            and not line.text.endswith(_CLOSING)
            and not _BULLET.match(line.text)
        ):
            return "heading"
        if line.bullet or _BULLET.match(line.text) or _NUMBER.match(line.text):
            return "item"
        return "text"

    def add_table(self, table: Table) -> None:
        new_page = self.page_opened(table.page)
        current = self.blocks[-1] if self.blocks else None
        rows = [(table.page, row) for row in table.rows]
        if (
            new_page
            and current is not None
            and current.kind == "table"
            and len(current.rows[0][1]) == len(table.rows[0])
        ):
            if rows[0][1] == current.rows[0][1]:
                rows = rows[1:]  # the header row, repeated on the next page
            current.rows.extend(rows)
        else:
            self.blocks.append(Block("table", rows=rows))
        self.open = None

    def page_opened(self, page: int) -> bool:
        """Whether `page` is a page after the last item read (its first item is being read)."""
        opened = page != self.page
        self.page = page
        return opened

    def add_line(self, line: Line) -> None:
        new_page = self.page_opened(line.page)
        current = self.blocks[-1] if self.blocks else None
        if line.cells and not self.large(line):
            last = current.last if current is not None else None
            if (
                current is not None
                and current.kind == "grid"
                and last is not None
                and last.page == line.page
                and line.top - last.bottom < 1.5 * line.size
            ):
                current.grid.append(line)
                current.last = line
            else:
                self.blocks.append(Block("grid", grid=[line], last=line))
            self.open = None
            return
        kind = self.classify(line)
        if kind == "text" and current is not None and self.continues(current, line):
            self.append(current, line)
        elif kind == "text" and new_page and self.open_continues(line):
            assert self.open is not None
            self.append(self.open, line)
        elif kind == "heading" and current is not None and self.heading_continues(current, line):
            self.append(current, line)
        else:
            self.start(kind, line)
        if kind in ("text", "item") and self.blocks[-1].kind in ("paragraph", "item"):
            self.open = self.blocks[-1]
        elif kind in ("heading",):
            self.open = None

    def continues(self, current: Block, line: Line) -> bool:
        last = current.last
        if last is None or last.page != line.page or line.top - last.bottom > 0.5 * line.size:
            return False
        if current.kind == "footnote":
            return line.size < 0.9 * self.body
        if current.kind not in ("paragraph", "item") or abs(line.size - last.size) > 0.5:
            return False
        return current.kind == "paragraph" or line.x0 > current.level - 1

    def open_continues(self, line: Line) -> bool:
        open_ = self.open
        return (
            open_ is not None
            and open_.last is not None
            and open_.last.page == line.page - 1
            and abs(open_.last.size - line.size) <= 0.5
            and not open_.text.rstrip().endswith(_CLOSING)
        )

    def heading_continues(self, current: Block, line: Line) -> bool:
        last = current.last
        return (
            current.kind == "heading"
            and last is not None
            and last.page == line.page
            and (last.size, last.bold) == (line.size, line.bold)
            and line.top - last.bottom < 0.6 * line.size
        )

    def start(self, kind: str, line: Line) -> None:
        text, marker, level = line.text, "", 0
        if kind == "heading":
            level = self.levels.get(line.size, self.bold_level)
        elif kind == "footnote":
            found = _FOOTNOTE.match(text)
            assert found is not None
            marker = (found.group(1) or found.group(3) or "").lstrip("0") or (
                found.group(2).translate(_FROM_SUPERSCRIPT)
            )
            text = text[found.end() :]
        elif kind == "item":
            number = _NUMBER.match(text)
            found = number or _BULLET.match(text)
            marker = number.group(1) if number else ""
            text = text[found.end() :] if found else text
            level = int(line.x0)  # continuation lines are indented at least so far
        block = Block(
            "paragraph" if kind == "text" else kind,
            pieces=[(line.page, text)],
            level=level,
            marker=marker,
            last=line,
        )
        self.blocks.append(block)

    def append(self, block: Block, line: Line) -> None:
        page, previous = block.pieces[-1]
        text = line.text
        stripped = previous.rstrip()
        if stripped[-1:] in _BREAK_HYPHENS and stripped[-2:-1].strip() and text[:1].isalpha():
            previous, separator = stripped[:-1].rstrip() + _INSERTED_BREAK, ""
        elif stripped[-1:] == "-" and stripped[-2:-1].isalpha() and text[:1].isalpha():
            previous, separator = stripped[:-1] + _HYPHEN_BREAK, ""
        else:
            previous, separator = stripped, " "
        if line.page == page:
            block.pieces[-1] = (page, previous + separator + text)
        else:
            block.pieces[-1] = (page, previous + separator)
            block.pieces.append((line.page, text))
        block.last = line


# A word broken at a line end after its own hyphen, or after one the layout inserted,
# until the document's words say whether the hyphen stays (`hyphen_kept`).
_HYPHEN_BREAK = "\ue002"
_INSERTED_BREAK = "\ue003"
_BREAKS = re.compile(f"([{_HYPHEN_BREAK}{_INSERTED_BREAK}])")


def _blocks(lines: list[Line], tables: list[Table]) -> list[Block]:
    builder = _Builder(lines)
    items: list[Line | Table] = [*lines, *tables]
    for item in sorted(items, key=lambda item: (item.page, item.top)):
        if isinstance(item, Table):
            builder.add_table(item)
        else:
            builder.add_line(item)
    return [_grid_resolved(block) for block in builder.blocks]


def _grid_resolved(block: Block) -> Block:
    """An unruled table's lines as a table, its cells in the columns their starts line up
    in; a lone line set apart by wide gaps is a paragraph."""
    if block.kind != "grid":
        return block
    first = block.grid[0]
    if len(block.grid) == 1:
        return Block("paragraph", pieces=[(first.page, first.text)], last=first)
    starts = sorted(x for line in block.grid for x, _ in line.cells)
    columns = [starts[0]]
    for x in starts[1:]:
        if x - columns[-1] > first.size:
            columns.append(x)
    rows = []
    for line in block.grid:
        row = [""] * len(columns)
        for x, text in line.cells:
            index = max(i for i, column in enumerate(columns) if column <= x + first.size / 2)
            row[index] = f"{row[index]} {text}".strip()
        rows.append((line.page, row))
    return Block("table", rows=rows, last=block.grid[-1])


def escape_markdown(text: str, *, leading: bool = True) -> str:
    """`text` as Markdown whose shown text is `text`: inline specials escaped and, when it
    starts a block (`leading`), a start that would read as block markup."""
    text = _INLINE_SPECIALS.sub(r"\\\1", text.replace("\t", " "))
    if leading and _LEADING.match(text):
        text = "\\" + text
    if text.endswith("#") and not text.endswith("\\#"):
        text = text[:-1] + "\\#"  # a heading's closing hashes are not its words
    return text


def _hyphens_resolved(pieces: list[tuple[int, str]], words: Counter[str]) -> list[tuple[int, str]]:
    """The pieces with each hyphen at a line end kept or dropped (`hyphen_kept`)."""
    resolved = []
    for index, (page, text) in enumerate(pieces):
        following = pieces[index + 1][1] if index + 1 < len(pieces) else ""
        parts = _BREAKS.split(text)
        out = parts[0]
        for position in range(1, len(parts), 2):
            inserted, part = parts[position] == _INSERTED_BREAK, parts[position + 1]
            after = part if part or position + 2 < len(parts) else following
            first = re.search(r"(\w+)$", out)
            second = re.match(r"\w+", after)
            keep = (
                first is None
                or second is None
                or hyphen_kept(first[1], second[0], words, inserted=inserted)
            )
            out += ("-" if keep else "") + part
        resolved.append((page, out))
    return resolved


def _resolved(text: str, words: Counter[str]) -> str:
    return _hyphens_resolved([(0, text)], words)[0][1]


def _references(text: str, labels: set[str]) -> str:
    """Footnote references as Markdown where the footnote exists, else superscript digits."""
    return _REF_RUN.sub(
        lambda m: f"[^{m[1]}]" if m[1] in labels else m[1].translate(_TO_SUPERSCRIPT), text
    )


def _chunks(block: Block, labels: set[str], words: Counter[str]) -> list[tuple[int, str]]:
    """A block as Markdown, in pieces each on one page of the PDF."""
    if block.kind == "table":
        lines = []
        for number, (page, row) in enumerate(block.rows):
            cells = [
                _references(escape_markdown(_resolved(cell, words), leading=False), labels)
                for cell in row
            ]
            line = "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"
            if number == 0:
                line += "\n|" + " --- |" * len(row)
            lines.append((page, line + ("\n" if number < len(block.rows) - 1 else "")))
        return lines
    prefix = {
        "heading": "#" * block.level + " ",
        "item": f"{block.marker}. " if block.marker else "- ",
        "footnote": f"[^{block.marker}]: ",
    }.get(block.kind, "")
    chunks = []
    for index, (page, text) in enumerate(_hyphens_resolved(block.pieces, words)):
        escaped = escape_markdown(text, leading=index == 0 and block.kind != "heading")
        chunks.append((page, (prefix if index == 0 else "") + _references(escaped, labels)))
    return chunks


def _serialise(blocks: list[Block], pages: int, words: Counter[str]) -> tuple[str, list[int]]:
    """The Markdown text of the blocks and the offsets where pages 1..`pages` begin in it."""
    labels = {block.marker for block in blocks if block.kind == "footnote"}
    out: list[str] = []
    length = 0
    starts: dict[int, int] = {}
    for block in blocks:
        for number, (page, text) in enumerate(_chunks(block, labels, words)):
            if number == 0 and out:
                out.append("\n\n")
                length += 2
            if text.strip():
                starts.setdefault(page, length + len(text) - len(text.lstrip()))
            out.append(text)
            length += len(text)
    page_starts = [length] * pages
    following = length
    for page in range(pages, 0, -1):
        following = min(starts.get(page, following), following)
        page_starts[page - 1] = following
    if page_starts:
        page_starts[0] = 0
    return "".join(out) + "\n", page_starts
