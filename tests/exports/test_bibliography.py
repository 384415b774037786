"""A matrix's bibliography (`export.bib`, `.ris`, `.csl.json`), read as its users read it:
pybtex in strict mode, rispy, the CSL-JSON schema, citeproc-py, and pandoc `--citeproc`
rendering a report that cites cells, to HTML and to DOCX."""

from __future__ import annotations

import io
import json
import re
import warnings
import zipfile

import pytest
import rispy
from citeproc import Citation as CiteprocCitation
from citeproc import (
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON
from django.db import connection
from django.test.utils import CaptureQueriesContext

from engagement.models import Activity, Cell
from tests.references import pandoc, read_bibtex, validate_csl
from tests.seedtext import ARTICLE, BRIEF

pytestmark = pytest.mark.usefixtures("kb")

FRAMEWORKS = ["eu-ai-office-uk-aisi", "eu-ai-office-us-aisi"]
BRIEF_KEY = "thurnherr2025-synergies-eu-ai-office-uk-aisi-2025"
ARTICLE_KEY = "europeancommission2024-eu-us-ttc-ai-collaboration-2024"
ROW = "thurnherr2025-eu-ai-office-uk-aisi-incident-reporting-"
FORMATS = ["bib", "ris", "csl.json"]


def cell_key(cell: Cell) -> str:
    stem = {
        "eu-ai-office-uk-aisi": "thurnherr2025",
        "eu-ai-office-us-aisi": "europeancommission2024",
    }
    slug = cell.framework.slug
    return f"{stem[slug]}-{slug}-{cell.activity.slug}-{cell.level.slug}"


def cells():
    return Cell.objects.select_related("framework", "activity", "level").order_by("pk")


def keys_of(fmt: str, text: str) -> list[str]:
    if fmt == "bib":
        return list(read_bibtex(text).entries)
    if fmt == "ris":
        return [record["id"] for record in rispy.loads(text)]
    items = json.loads(text)
    validate_csl(items)
    return [item["id"] for item in items]


def test_every_seeded_cell_joined_is_one_bibliography_without_a_repeated_key(client):
    # Each cell's own citation file, all joined, as a reference manager would import them.
    joined = {"bib": "", "ris": "", "json": []}
    for cell in cells():
        url = cell.get_absolute_url() + "cite."
        joined["bib"] += client.get(url + "bib").content.decode() + "\n"
        joined["ris"] += client.get(url + "ris").content.decode()
        joined["json"] += json.loads(client.get(url + "json").content)
    for slug in (BRIEF, ARTICLE):
        joined["bib"] += client.get(f"/documents/{slug}/cite.bib").content.decode() + "\n"
    expected = [cell_key(cell) for cell in cells()]
    assert len(expected) == 64
    assert keys_of("bib", joined["bib"]) == [*expected, BRIEF_KEY, ARTICLE_KEY]
    assert keys_of("ris", joined["ris"]) == expected
    assert keys_of("csl.json", json.dumps(joined["json"])) == expected
    assert len(set(expected)) == 64


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_matrix_bibliography_is_its_source_and_each_cell_with_the_same_keys(client, fmt):
    keys = []
    for slug in FRAMEWORKS:
        response = client.get(f"/frameworks/{slug}/export.{fmt}")
        assert response.status_code == 200
        assert response["Content-Disposition"].endswith(f'.{fmt}"')
        keys += keys_of(fmt, response.content.decode())
    # Joined, the two matrices' bibliographies hold each cell once, with its cite.* key.
    assert sorted(keys) == sorted([BRIEF_KEY, ARTICLE_KEY, *(cell_key(c) for c in cells())])
    text = "".join(client.get(f"/frameworks/{s}/export.{fmt}").content.decode() for s in FRAMEWORKS)
    if fmt == "bib":
        read_bibtex(text)  # one file, strict: no repeated key


def test_the_bibliography_is_exactly_what_the_filtered_page_shows(client):
    response = client.get(
        "/frameworks/eu-ai-office-uk-aisi/export.csl.json?level=coordination&activity=standards,incident-reporting"
    )
    assert response["Content-Type"].startswith("application/vnd.citationstyles.csl+json")
    assert "-filtered-" in response["Content-Disposition"]
    assert [item["id"] for item in json.loads(response.content)] == [
        BRIEF_KEY,
        f"{ROW}coordination",
        "thurnherr2025-eu-ai-office-uk-aisi-standards-coordination",
    ]
    assert client.get("/frameworks/eu-ai-office-uk-aisi/export.ris?level=nope").status_code == 400


def test_citeproc_py_prints_each_part_without_a_warning(client):
    items = json.loads(client.get("/frameworks/eu-ai-office-uk-aisi/export.csl.json").content)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        style = CitationStylesStyle("harvard-cite-them-right", validate=False)
        bibliography = CitationStylesBibliography(style, CiteProcJSON(items), formatter.plain)
        for item in items:
            bibliography.register(CiteprocCitation([CitationItem(item["id"])]))
        entries = [str(entry) for entry in bibliography.bibliography()]
    assert [str(w.message) for w in caught] == []
    assert len(entries) == len(items) == 61
    assert any(
        "row “Incident Reporting”, column “Coordination”" in entry
        and "#table-1-incident-reporting:~:text=" in entry
        and ",Align%20%E2%80%9Cincident" in entry
        for entry in entries
    )


REPORT = """\
Two cells of one row [@{row}collaboration; @{row}coordination]. The article
[@{article}] and a cell drawn from it [@europeancommission2024-eu-ai-office-us-aisi-develop-evaluations-collaboration].
"""


def render(client, tmp_path, fmt: str, to: str = "plain") -> str:
    """The report rendered by pandoc --citeproc with both matrices' bibliographies."""
    names = []
    for slug in FRAMEWORKS:
        # pandoc reads `.bib` as BibLaTeX, `.json` as CSL-JSON (the default style: Chicago).
        name = f"{slug}.{'json' if fmt == 'csl.json' else fmt}"
        (tmp_path / name).write_bytes(client.get(f"/frameworks/{slug}/export.{fmt}").content)
        names.append(f"--bibliography={name}")
    (tmp_path / "report.md").write_text(REPORT.format(row=ROW, article=ARTICLE_KEY))
    if to == "docx":
        pandoc("report.md", "--citeproc", *names, "-o", "report.docx", cwd=tmp_path)
        with zipfile.ZipFile(io.BytesIO((tmp_path / "report.docx").read_bytes())) as docx:
            xml = docx.read("word/document.xml").decode()
        return "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>|<w:p[ >]", xml)).replace("&quot;", '"')
    return pandoc("report.md", "--citeproc", *names, "--to=plain", "--wrap=none", cwd=tmp_path)


@pytest.mark.pandoc
@pytest.mark.parametrize("fmt", ["csl.json", "bib"])
def test_pandoc_prints_two_cells_of_one_row_as_two_references_each_with_its_passage(
    client, tmp_path, fmt
):
    text = render(client, tmp_path, fmt)
    entries = [line for line in text.splitlines() if "Table 1: Areas" in line]
    row = "Row ‘Incident Reporting,’ Column"  # Chicago's title case and nested quotes
    assert len(entries) == 2
    assert f"{row} ‘Collaboration’." in entries[0] and f"{row} ‘Coordination’." in entries[1]
    urls = [re.search(r"(http://testserver/\S+)\.$", entry).group(1) for entry in entries]
    # Each link's text fragment carries the neighbouring cells' words, so that it matches
    # in this row only.
    assert urls == [
        f"http://testserver/documents/{BRIEF}/#table-1-incident-reporting:~:text="
        "Incident%20Reporting-,Develop%20common%20AI%20incident%20reporting%20registry,"
        "-Align%20%E2%80%9Cincident%E2%80%9D%20definitions%E2%80%9D",
        f"http://testserver/documents/{BRIEF}/#table-1-incident-reporting:~:text="
        "incident%20reporting%20registry-,Align%20%E2%80%9Cincident%E2%80%9D%20definitions"
        "%E2%80%9D%20and%20create%20interoperable%20reporting%20standards,"
        "-Share%20incidents%20when",
    ]
    assert entries[0].startswith("Thurnherr, Lara, Risto Uuk, Tekla Emborg,")
    assert entries[1].startswith("———. 2025b.")  # Chicago's "same authors"
    for entry, url in zip(entries, urls, strict=True):
        assert entry.replace(url, "").count("2025") == 1  # the date once
        assert "In Looking Ahead: Synergies Between the EU AI Office and UK AISI." in entry


@pytest.mark.pandoc
@pytest.mark.parametrize("fmt", ["csl.json", "bib"])
def test_pandoc_prints_the_commission_as_author_once_and_the_date_once(client, tmp_path, fmt):
    text = render(client, tmp_path, fmt)
    article = next(line for line in text.splitlines() if line.startswith("European Commission."))
    assert article == (
        "European Commission. 2024a. “EU and US Deepen AI Collaboration After Trade and "
        "Technology Council Meeting.” News article. "
        f"http://testserver/documents/{ARTICLE}/."
    )
    part = next(line for line in text.splitlines() if line.startswith("———. 2024b."))
    assert "European Commission" not in part
    assert part.split("http://")[0].count("2024") == 1


def test_ris_names_the_commission_once_and_dates_it_once(client):
    records = rispy.loads(
        client.get("/frameworks/eu-ai-office-us-aisi/export.ris").content.decode()
    )
    for record in records:
        assert record["authors"] == ["European Commission"]
        assert "publisher" not in record
        assert (record["year"], record["date"]) == ("2024", "2024/04/08")
    assert [r["type_of_reference"] for r in records] == ["GEN", "CHAP", "CHAP", "CHAP", "CHAP"]


@pytest.mark.pandoc
def test_a_report_citing_cells_renders_to_docx_with_each_passage(client, tmp_path):
    text = render(client, tmp_path, "csl.json", to="docx")
    assert "Row ‘Incident Reporting,’ Column ‘Collaboration’." in text
    assert "Row ‘Incident Reporting,’ Column ‘Coordination’." in text
    assert "European Commission. 2024a." in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_bibliography_makes_a_fixed_number_of_queries(client, fmt):
    client.get(f"/frameworks/eu-ai-office-uk-aisi/export.{fmt}")  # content types now cached
    every = ",".join(Activity.objects.values_list("slug", flat=True))
    counts = []
    for query in ("?activity=incident-reporting", f"?activity={every}"):
        with CaptureQueriesContext(connection) as queries:
            assert (
                client.get(f"/frameworks/eu-ai-office-uk-aisi/export.{fmt}{query}").status_code
                == 200
            )
        counts.append(len(queries))
    # The activities named by the filter, the framework (document joined), its institutions,
    # the dataset version, the cells (framework and its document, activity and level
    # joined), their citations (passage and document joined), the header rows of the cited
    # tables: the same for 4 cells as for 60.
    assert counts == [7, 7]
