"""A citation into a source read from pages (a PDF) gives its pages as the pinpoint
locator, in every reference format, as its users' tools read them; a citation into a
document without pages gives none."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import citeproc
import pytest
import rispy

from tests.conftest import Paged
from tests.helpers import read_csv, read_xlsx, sheet_rows
from tests.references import pandoc, read_bibtex, validate_csl
from tests.seedtext import BRIEF

pytestmark = pytest.mark.usefixtures("kb")

SEEDED_CELL = "/frameworks/eu-ai-office-uk-aisi/cells/incident-reporting/coordination"


def cell_url(cell) -> str:
    return f"/frameworks/{cell.framework.slug}/cells/{cell.activity.slug}/{cell.level.slug}"


def cite(client, cell, fmt: str) -> str:
    response = client.get(f"{cell_url(cell)}/cite.{fmt}")
    assert response.status_code == 200
    return response.content.decode()


def test_bibtex_gives_the_pages(client, paged: Paged):
    (entry,) = read_bibtex(cite(client, paged.cell, "bib")).entries.values()
    assert (entry.type, entry.fields["pages"]) == ("incollection", "2")
    (entry,) = read_bibtex(cite(client, paged.over, "bib")).entries.values()
    assert entry.fields["pages"] == "2--3"


def test_csl_json_gives_the_page(client, paged: Paged):
    (item,) = json.loads(cite(client, paged.cell, "json"))
    (over,) = json.loads(cite(client, paged.over, "json"))
    validate_csl([item, over])
    assert (item["type"], item["page"], over["page"]) == ("chapter", "2", "2-3")
    assert item["container-title"] == "A Paged Report"


def test_ris_gives_the_start_page_and_the_end_page_when_it_runs_over(client, paged: Paged):
    text = cite(client, paged.cell, "ris")
    assert "\r\nSP  - 2\r\n" in text and "EP  -" not in text
    (record,) = rispy.loads(text)
    assert (record["type_of_reference"], record["start_page"]) == ("CHAP", "2")
    (record,) = rispy.loads(cite(client, paged.over, "ris"))
    assert (record["start_page"], record["end_page"]) == ("2", "3")


def test_plain_text_gives_the_page_after_the_container(client, paged: Paged):
    assert " In A Paged Report, p. 2. Report. " in cite(client, paged.cell, "txt")
    assert " In A Paged Report, pp. 2–3. Report. " in cite(client, paged.over, "txt")


def test_a_matrix_bibliography_gives_each_cells_pages(client, paged: Paged):
    base = f"/frameworks/{paged.cell.framework.slug}/export"
    items = json.loads(client.get(f"{base}.csl.json").content)
    validate_csl(items)
    # The source document itself first: a whole document has no pinpoint.
    assert [item.get("page") for item in items] == [None, "2", "2-3"]
    entries = read_bibtex(client.get(f"{base}.bib").content.decode()).entries.values()
    assert [e.fields.get("pages") for e in entries] == [None, "2", "2--3"]
    records = rispy.loads(client.get(f"{base}.ris").content.decode())
    assert [(r.get("start_page"), r.get("end_page")) for r in records] == [
        (None, None),
        ("2", None),
        ("2", "3"),
    ]


@pytest.mark.parametrize("fmt", ["bib", "json", "ris", "txt"])
def test_a_citation_without_pages_gives_none(client, fmt):
    for url in (f"{SEEDED_CELL}/cite.{fmt}", f"/documents/{BRIEF}/cite.{fmt}"):
        text = client.get(url).content.decode()
        assert "Looking Ahead" in text
        assert not any(token in text for token in ("pages =", "SP  -", '"page"', ", p. "))


@pytest.mark.parametrize("fmt", ["bib", "json", "ris", "txt"])
def test_pages_cost_no_query(client, paged: Paged, fmt, django_assert_num_queries):
    # The cell (framework, its document, activity and level joined), its citations (passage
    # and document joined), the dataset version; it cites no table row, so no header row is
    # read (a cell of the seeded brief's table makes one more, tests/exports/test_citations.py).
    with django_assert_num_queries(3):
        client.get(f"{cell_url(paged.cell)}/cite.{fmt}")


REPORT = "A finding [@{one}]. One over a page break [@{over}].\n"


@pytest.mark.pandoc
@pytest.mark.parametrize("fmt", ["csl.json", "bib"])
def test_pandoc_prints_the_pages(client, paged: Paged, tmp_path, fmt):
    slug = paged.cell.framework.slug
    name = f"{slug}.{'json' if fmt == 'csl.json' else fmt}"
    (tmp_path / name).write_bytes(client.get(f"/frameworks/{slug}/export.{fmt}").content)
    items = json.loads(client.get(f"/frameworks/{slug}/export.csl.json").content)
    one, over = items[1]["id"], items[2]["id"]
    (tmp_path / "report.md").write_text(REPORT.format(one=one, over=over))
    # A style that names its pages (Harvard, as the CSL project gives it) and the default
    # (Chicago author-date), which gives a chapter's pages after its container.
    style = Path(citeproc.__file__).parent / "data" / "styles" / "harvard-cite-them-right.csl"
    shutil.copy(style, tmp_path / "harvard.csl")
    args = ("report.md", "--citeproc", f"--bibliography={name}", "--to=plain", "--wrap=none")
    harvard = pandoc(*args, "--csl=harvard.csl", cwd=tmp_path)
    assert "A Paged Report, p. 2. Available at:" in harvard
    assert "A Paged Report, pp. 2–3. Available at:" in harvard
    chicago = pandoc(*args, cwd=tmp_path)
    assert "In A Paged Report, 2. " in chicago
    assert "In A Paged Report, 2–3. " in chicago


# The framework exports: a `source_pages` column, one line per citation; the pages in the
# JSON's citations and the Markdown's notes.


def test_the_framework_exports_give_each_citations_pages(client, paged: Paged):
    base = f"/frameworks/{paged.cell.framework.slug}/export"
    rows = read_csv(client.get(f"{base}.csv"))
    assert [(r["passage"], r["source_pages"]) for r in rows] == [
        ("findings-p2", "2"),
        ("findings-p3", "2-3"),
    ]
    workbook = read_xlsx(client.get(f"{base}.xlsx"))
    cells = sheet_rows(workbook["cells"])
    column = cells[0].index("source_pages")
    assert [row[column] for row in cells] == ["source_pages", "2", "2-3"]
    sources = sheet_rows(workbook["sources"])
    assert [(row[5], row[-1]) for row in sources] == [
        ("passage", "source_pages"),
        ("findings-p2", "2"),
        ("findings-p3", "2-3"),
    ]
    cells = json.loads(client.get(f"{base}.json").content)["cells"]
    assert [
        (c["passage"], c["source_page"], c["source_page_end"])
        for cell in cells
        for c in cell["citations"]
    ] == [("findings-p2", 2, 2), ("findings-p3", 2, 3)]
    markdown = client.get(f"{base}.md").content.decode()
    assert "A Paged Report, passage `findings-p2`, p\\. 2, <http" in markdown
    assert "A Paged Report, passage `findings-p3`, pp\\. 2–3, <http" in markdown


def test_the_framework_exports_of_a_source_without_pages_give_none(client):
    base = "/frameworks/eu-ai-office-uk-aisi/export"
    rows = read_csv(client.get(f"{base}.csv"))
    assert rows and all(r["source_pages"] == "" for r in rows)
    sources = sheet_rows(read_xlsx(client.get(f"{base}.xlsx"))["sources"])
    assert all(row[-1] in (None, "") for row in sources[1:])
    cells = json.loads(client.get(f"{base}.json").content)["cells"]
    citations = [c for cell in cells for c in cell["citations"]]
    assert citations and all(c["source_page"] is None for c in citations)
    assert "p\\. " not in client.get(f"{base}.md").content.decode()
