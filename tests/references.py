"""Reading the reference and Markdown exports as their users' tools read them.

pandoc (Debian's, installed by `make test`), pybtex in strict mode with pylatexenc to turn
TeX back into text, rispy, the CSL-JSON schema, Python-Markdown. A missing pandoc fails the
test that needs it: it never skips.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import markdown
import pybtex.errors
import pytest
from pybtex.database import BibliographyData, parse_string
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

from sources.references import control_picture
from tests.tiers import require_marker

CSL_SCHEMA = Path(__file__).parent / "exports" / "schema" / "csl-data.json"


def pandoc(*args: str, stdin: str = "", cwd: Path | None = None) -> str:
    """Run Debian's pandoc; its output, or a failure naming the error."""
    require_marker("pandoc", "runs pandoc")
    executable = shutil.which("pandoc")
    if executable is None:
        pytest.fail("pandoc is not installed: `make test` installs it (apt-get install pandoc)")
    run = subprocess.run(
        [executable, *args], input=stdin, capture_output=True, text=True, cwd=cwd, timeout=60
    )
    assert run.returncode == 0, run.stderr
    return run.stdout


def read_bibtex(text: str) -> BibliographyData:
    """Parse as pybtex does in strict mode: a repeated key or a syntax error raises."""
    strict = pybtex.errors.strict
    pybtex.errors.set_strict_mode(True)
    try:
        return parse_string(text, "bibtex")
    finally:
        pybtex.errors.set_strict_mode(strict)


@cache
def _latex_to_text() -> LatexNodes2Text:
    context = get_default_latex_context_db()
    # Text-mode symbols pylatexenc does not know (or maps to a look-alike).
    context.add_context_category(
        "text-symbols",
        prepend=True,
        macros=[
            MacroTextSpec("textbraceleft", "{"),
            MacroTextSpec("textbraceright", "}"),
            MacroTextSpec("textasciicircum", "^"),
            MacroTextSpec("textasciigrave", "`"),
        ],
    )
    return LatexNodes2Text(latex_context=context, math_mode="verbatim")


def tex_text(value: str) -> str:
    """A BibTeX field's TeX as the text it typesets."""
    return _latex_to_text().latex_to_text(value)


def validate_csl(items: list[dict]) -> None:
    """Raise unless `items` is valid CSL-JSON (the CSL project's schema, vendored)."""
    schema = json.loads(CSL_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(items, schema)


class _Cells(HTMLParser):
    """The text of each table cell (`<br>` as a line break), and every tag seen."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.cells: list[str] = []
        self.tags: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag in ("td", "th"):
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.cells.append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def html_cells(html: str) -> tuple[list[str], list[str]]:
    """(the text of every table cell, every tag) of an HTML document."""
    parser = _Cells()
    parser.feed(html)
    parser.close()
    return parser.cells, parser.tags


def markdown_html(text: str, *, processor: str) -> str:
    """Markdown rendered to HTML by `pandoc` (its default Markdown, `smart` on) or
    `python-markdown` (with its tables and footnotes extensions)."""
    if processor == "pandoc":
        return pandoc("--from=markdown", "--to=html", "--wrap=none", stdin=text)
    return markdown.markdown(text, extensions=["tables", "footnotes"])


def md_expected(text: str) -> str:
    """What a processor shows of stored `text` in the Markdown export: the text itself, line
    breaks as line breaks, other control characters as their control pictures."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(
        c if c in "\n\t" or not (ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F) else control_picture(c)
        for c in text
    )
