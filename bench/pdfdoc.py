"""Hand-built PDFs: lines of Helvetica placed on pages, for the PDF reader's benchmark and
tests; and a long synthetic report, to show that reading stays linear in its pages.

No PDF library writes them: each is a few objects and a content stream per page, so that
what the reader gets is exactly what the line list says.
"""

from __future__ import annotations

import random
import time
import tracemalloc
from dataclasses import dataclass

from bench.largedoc import WORDS

Line = str | list[str] | tuple[str, int]


def _escape(line: str) -> str:
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _content(lines: list[Line], *, leading: int, column: int, top: int = 720) -> bytes:
    ops = []
    for number, line in enumerate(lines):
        y = top - number * leading
        font, size = "/F1", 11
        if isinstance(line, tuple):
            (line, size), font = line, "/F2"
        cells = line if isinstance(line, list) else [line]
        for index, cell in enumerate(cells):
            if cell:
                x = 72 + index * column
                ops.append(f"BT {font} {size} Tf {x} {y} Td ({_escape(cell)}) Tj ET")
    return "\n".join(ops).encode("latin-1")


def build_pdf_pages(
    pages: list[list[Line]],
    *,
    leading: int = 16,
    column: int = 150,
    encrypt: bool = False,
    footer: str = "",
) -> bytes:
    """A PDF of US Letter pages, each showing its lines top to bottom in 11-point Helvetica:
    an empty string leaves a blank line, a list of strings is a table row (its cells in
    columns `column` points apart), a (text, size) pair a line in Helvetica-Bold of that
    size. `footer` (with `{page}` for the page number) is set at the foot of every page.
    `encrypt` adds an encryption dictionary whose password no one knows."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, once the pages are numbered
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold >>",
    ]
    kids = []
    for number, lines in enumerate(pages, 1):
        stream = _content(lines, leading=leading, column=column)
        if footer:
            stream += b"\n" + _content([footer.format(page=number)], leading=0, column=0, top=40)
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents %d 0 R >>" % (len(objects))
        )
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))
    if encrypt:
        owner, user = b"ab" * 32, b"cd" * 32
        objects.append(b"<< /Filter /Standard /V 1 /R 2 /P -4 /O <%s> /U <%s> >>" % (owner, user))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    encryption = b" /Encrypt %d 0 R /ID [<%s> <%s>]" % (len(objects), b"00" * 16, b"00" * 16)
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        encryption if encrypt else b"",
        xref,
    )
    return bytes(out)


def build_pdf(lines: list[Line], **options) -> bytes:
    """A one-page PDF of `lines` (`build_pdf_pages`)."""
    return build_pdf_pages([lines], **options)


def synthetic_pdf(pages: int, *, seed: int = 1) -> bytes:
    """A report of `pages` pages: on each a heading, paragraphs of 80-character lines, a
    table without rules, and a running footer with the page number."""
    rng = random.Random(seed)
    content: list[list[Line]] = []
    for number in range(1, pages + 1):
        lines: list[Line] = [(f"Section {number}", 14), ""]
        for _ in range(4):
            for _ in range(rng.randint(3, 6)):
                words = []
                while len(" ".join(words)) < 80:
                    words.append(rng.choice(WORDS))
                lines.append(" ".join(words))
            lines[-1] += "."
            lines.append("")
        lines += [["", "Office", "Institute"], [f"Task {number}", "Yes", "No"], ""]
        content.append(lines)
    return build_pdf_pages(content, footer="Synthetic report, page {page}")


@dataclass(frozen=True)
class PdfTiming:
    pages: int
    size: int  # bytes
    seconds: float
    cpu_seconds: float  # this process's: what a busy machine does not inflate
    peak: int  # bytes allocated at most while reading (tracemalloc)
    characters: int

    @property
    def per_page(self) -> float:
        return self.cpu_seconds / self.pages


def pdf_read_timing(pages: int) -> PdfTiming:
    """Read a synthetic PDF of `pages` pages (`sources.pdf.pdf_markdown`), timed, with the
    peak of memory allocated while reading."""
    from sources.pdf import pdf_markdown

    data = synthetic_pdf(pages)
    tracemalloc.start()
    started, cpu_started = time.perf_counter(), time.process_time()
    reading = pdf_markdown(data)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return PdfTiming(pages, len(data), seconds, cpu_seconds, peak, len(reading.text))
