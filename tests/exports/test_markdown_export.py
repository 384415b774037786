"""The Markdown export read by Markdown processors: pandoc (its default Markdown, `smart`
on) and Python-Markdown give back every cell's text, and nothing in it becomes markup."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from engagement.exports import grid_label
from engagement.models import Activity, Cell, EngagementLevel
from tests.factories import CellFactory, CitationFactory, PassageFactory
from tests.references import html_cells, markdown_html, pandoc

pytestmark = pytest.mark.usefixtures("kb")

PROCESSORS = [pytest.param("pandoc", marks=pytest.mark.pandoc), "python-markdown"]
# What a rendered Markdown export may hold: the preamble, the table, footnotes, links.
ALLOWED_TAGS = {
    "h1", "ul", "ol", "li", "p", "a", "code", "table", "colgroup", "col", "thead", "tbody",
    "tr", "th", "td", "br", "sup", "section", "hr", "div",
}  # fmt: skip


def grid(slug: str) -> list[list[str]]:
    """The matrix as the page shows it: every activity (the source's order) at every level,
    each position's label ("No entry in the source", "Not addressed" where it has no cell)."""
    cells = {(c.activity_id, c.level_id): c for c in Cell.objects.filter(framework__slug=slug)}
    return [
        [activity.name]
        + [
            grid_label(cells.get((activity.pk, level.pk))).replace("\n\n★", " ★")
            for level in EngagementLevel.objects.order_by("ordinal")
        ]
        for activity in Activity.objects.order_by("ordinal")
    ]


def without_footnote_marks(html: str) -> str:
    # A footnote reference is a link around a superscript number after the cell's text.
    return re.sub(r"<a [^>]*footnote-ref[^>]*>.*?</a>|<sup [^>]*fnref[^>]*>.*?</sup>", "", html)


@pytest.mark.parametrize("processor", PROCESSORS)
@pytest.mark.parametrize("slug", ["eu-ai-office-uk-aisi", "eu-ai-office-us-aisi"])
def test_every_cell_renders_back_to_its_text(client, slug, processor):
    markdown = client.get(f"/frameworks/{slug}/export.md").content.decode()
    html = markdown_html(markdown, processor=processor)
    cells, tags = html_cells(without_footnote_marks(html))
    rows = grid(slug)
    width = len(rows[0])
    body = cells[width:]
    assert [body[i : i + width] for i in range(0, len(body), width)] == rows
    assert set(tags) <= ALLOWED_TAGS, set(tags) - ALLOWED_TAGS
    # The straight quotes of the brief's own words stay straight, with their spaces.
    if slug == "eu-ai-office-uk-aisi":
        assert 'Develop shared standards for Assurance Approaches or write a " Crosswalk "' in (
            cell for row in rows for cell in row
        )
        assert "e.g. cybersecurity incidents" in html and "e.g.\u00a0" not in html


@pytest.mark.pandoc
def test_a_line_break_in_a_cell_survives_in_html_and_docx(client, tmp_path):
    level = EngagementLevel.objects.get(slug="collaboration")
    cell = CellFactory(level=level, text="First line\nsecond line")
    CitationFactory(claim=cell, passage=PassageFactory(document=cell.framework.document))
    url = f"/frameworks/{cell.framework.slug}/export.md"
    markdown = client.get(url).content.decode()
    assert "| First line<br>second line[^1] |" in markdown
    for processor in ("pandoc", "python-markdown"):
        cells, _tags = html_cells(markdown_html(markdown, processor=processor))
        assert "First line\nsecond line1" in cells, processor  # 1: the footnote mark
    # pandoc keeps raw HTML out of DOCX; through its HTML reader the break is a Word one.
    (tmp_path / "matrix.md").write_text(markdown)
    html = pandoc("matrix.md", "--to=html", "--standalone", "--metadata=title:x", cwd=tmp_path)
    (tmp_path / "matrix.html").write_text(html)
    pandoc("matrix.html", "--from=html", "-o", "matrix.docx", cwd=tmp_path)
    with zipfile.ZipFile(io.BytesIO((tmp_path / "matrix.docx").read_bytes())) as docx:
        xml = docx.read("word/document.xml").decode()
    assert re.search(r"First line</w:t>\s*</w:r>\s*<w:r>\s*<w:br\s*/>", xml), xml[:2000]
