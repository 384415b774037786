"""Reading a source file for ingestion: Markdown, plain text or PDF, checked before use.

Every problem is an `IngestError` whose message names the file and the reason, so the
`ingest` command can refuse the file before anything is written.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from core.text import normalise_compatibility, normalise_controls
from sources.models import DatePrecision, DocumentFormat
from sources.pdf import PdfError, Reading, pdf_markdown

# Larger files are refused: the biggest real source is well under 1 MB of text.
INGEST_MAX_BYTES = 5 * 1024 * 1024

SUFFIXES = {
    ".md": DocumentFormat.MARKDOWN,
    ".markdown": DocumentFormat.MARKDOWN,
    ".txt": DocumentFormat.TEXT,
    ".text": DocumentFormat.TEXT,
    ".pdf": "pdf",
}


class IngestError(Exception):
    """The file cannot be ingested; the message says why."""


_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


def published_parse(value: str) -> tuple[date, str]:
    """`YYYY-MM-DD`, `YYYY-MM` or `YYYY`, with the precision it gives, or an IngestError."""
    match = _DATE.match(value)
    if not match or (match.group(3) and not match.group(2)):
        raise IngestError(f"{value!r} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)")
    year, month, day = match.groups()
    try:
        published = date(int(year), int(month or 1), int(day or 1))
    except ValueError as error:
        raise IngestError(f"{value!r} is not a date ({error})") from None
    precision = DatePrecision.DAY if day else DatePrecision.MONTH if month else DatePrecision.YEAR
    return published, precision


@dataclass(frozen=True)
class SourceFile:
    text: str
    format: str  # a DocumentFormat value: PDFs are read into Markdown (`sources.pdf`)
    kind: str  # "markdown", "text" or "pdf": what the file was
    # The characters the text held that stored text does not, by character, each turned
    # into what it meant (`core.text.normalise_controls`: a form feed, a page break, became
    # a blank line; `normalise_compatibility`: a ligature became its letters).
    normalised: Counter[str] = field(default_factory=Counter)
    # Where each page of a PDF begins in `text` (page 1 at 0); empty for other files.
    page_starts: tuple[int, ...] = ()


def source_read(path: Path, *, max_bytes: int = INGEST_MAX_BYTES) -> SourceFile:
    """The canonical text of the file at `path`, or an IngestError naming the problem."""
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise IngestError(
            f"{path}: unsupported file type {path.suffix or '(none)'!r}; "
            f"expected one of {', '.join(sorted(SUFFIXES))}"
        )
    if not path.exists():
        raise IngestError(f"{path}: no such file")
    if not path.is_file():
        raise IngestError(f"{path}: not a regular file")
    size = path.stat().st_size
    if size == 0:
        raise IngestError(f"{path}: the file is empty")
    if size > max_bytes:
        raise IngestError(f"{path}: {size} bytes is over the limit of {max_bytes} bytes")
    return source_parse(path, path.read_bytes(), max_bytes=max_bytes)


def source_parse(path: Path | str, data: bytes, *, max_bytes: int = INGEST_MAX_BYTES) -> SourceFile:
    """The canonical text of `data`, a file named `path` (its suffix says its type), or an
    IngestError naming the problem: the one rule for the command, the upload page and the
    API."""
    name = Path(str(path))
    kind = SUFFIXES.get(name.suffix.lower())
    if kind is None:
        raise IngestError(
            f"{path}: unsupported file type {name.suffix or '(none)'!r}; "
            f"expected one of {', '.join(sorted(SUFFIXES))}"
        )
    if not data:
        raise IngestError(f"{path}: the file is empty")
    if len(data) > max_bytes:
        raise IngestError(f"{path}: {len(data)} bytes is over the limit of {max_bytes} bytes")
    page_starts: tuple[int, ...] = ()
    if kind == "pdf":
        # The reader normalises the characters itself, so that the page offsets hold.
        reading = pdf_read(path, data)
        text, document_format, normalised = (
            reading.text,
            DocumentFormat.MARKDOWN,
            reading.normalised,
        )
        page_starts = tuple(reading.page_starts)
    else:
        text, normalised = normalise_controls(decoded_text(path, data))
        text, compatibility = normalise_compatibility(text)
        normalised += compatibility
        document_format = kind
    if not text.strip():
        raise IngestError(f"{path}: the file holds no text")
    return SourceFile(
        text=text,
        format=document_format,
        kind=kind,
        normalised=normalised,
        page_starts=page_starts,
    )


def decoded_text(path: Path | str, data: bytes) -> str:
    """UTF-8 text (a byte-order mark is dropped), with newlines made `\\n`. A NUL byte
    means the file is not text (binary, or UTF-16): it is refused. Other control characters
    are normalised by `source_read`."""
    if b"\x00" in data:
        raise IngestError(f"{path}: binary content (NUL bytes), not a text file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise IngestError(
            f"{path}: not valid UTF-8 text (byte {error.start}: {error.reason}); "
            "convert it to UTF-8 first"
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def pdf_read(path: Path | str, data: bytes) -> Reading:
    """The Markdown text of a PDF and where its pages begin (`sources.pdf`), or an
    IngestError naming the file."""
    if not data.startswith(b"%PDF-"):
        raise IngestError(f"{path}: not a PDF file (no %PDF- header)")
    try:
        return pdf_markdown(data)
    except PdfError as error:
        raise IngestError(f"{path}: {error}") from None
