"""`/frameworks/<slug>/export.csv|xlsx|json|md`: exactly the filtered matrix, with provenance."""

from __future__ import annotations

import io
import json
import re

import pandas as pd
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.dataset import dataset_version
from engagement.models import Activity, Cell, EngagementLevel, Framework
from engagement.serializers import CellSerializer
from sources.models import Citation, Document
from tests.factories import CellFactory, CitationFactory, FrameworkFactory
from tests.helpers import body, read_csv, read_xlsx, sheet_rows, unguard
from tests.seedtext import BRIEF, LEVELS, table_1, table_1_rows

pytestmark = pytest.mark.usefixtures("kb")

BRIEF_FRAMEWORK = "eu-ai-office-uk-aisi"
ARTICLE_FRAMEWORK = "eu-ai-office-us-aisi"

URL = f"/frameworks/{BRIEF_FRAMEWORK}/export"
COLUMNS = [
    "framework",
    "activity",
    "activity_name",
    "level",
    "level_name",
    "kind",
    "emphasised",
    "text",
    "citation_role",
    "document",
    "passage",
    "quote",
    "source_url",
    "permalink",
    # Added with the pages of a source (a PDF): after the first columns, none of which moved.
    "source_pages",
    "evidence",
    "note",
]


# CSV


def test_csv_unfiltered_is_every_cell_with_the_source_texts(client):
    response = client.get(f"{URL}.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv; charset=utf-8")
    data = body(response)
    assert not data.startswith(b"\xef\xbb\xbf"), "UTF-8 with a BOM only when asked for"
    assert b"\r\n" in data and data.endswith(b"\r\n")
    rows = read_csv(response)
    assert list(rows[0]) == COLUMNS
    assert len(rows) == 60
    expected = table_1()
    for row in rows:
        text = expected[(row["activity_name"], row["level"])]
        if text.strip():
            assert row["kind"] == "verbatim"
            assert unguard(row["text"]) == text
        else:
            assert (row["kind"], row["text"], row["quote"]) == ("empty", "", "")
    incident = next(
        r for r in rows if (r["activity"], r["level"]) == ("incident-reporting", "collaboration")
    )
    assert incident == {
        "framework": BRIEF_FRAMEWORK,
        "activity": "incident-reporting",
        "activity_name": "Incident Reporting",
        "level": "collaboration",
        "level_name": "Collaboration",
        "kind": "verbatim",
        "emphasised": "false",
        "text": "Develop common AI incident reporting registry",
        "citation_role": "source",
        "document": BRIEF,
        "passage": "table-1-incident-reporting",
        "quote": "Develop common AI incident reporting registry",
        # The reader at the row; the text fragment's context, the cells on either side, makes
        # it match this cell only.
        "source_url": f"http://testserver/documents/{BRIEF}/#table-1-incident-reporting"
        ":~:text=Incident%20Reporting-,Develop%20common%20AI%20incident%20reporting%20registry"
        ",-Align%20%E2%80%9Cincident%E2%80%9D%20definitions%E2%80%9D",
        "permalink": f"http://testserver/frameworks/{BRIEF_FRAMEWORK}/cells/incident-reporting/collaboration/",
        "source_pages": "",  # the brief is a text without pages
        "evidence": "stated",
        "note": "",
    }


def test_csv_carries_the_dataset_version_in_its_headers(client):
    response = client.get(f"{URL}.csv")
    version = dataset_version().version
    assert response["X-Dataset-Version"] == str(version)
    assert response["Content-Disposition"] == (
        f'attachment; filename="{BRIEF_FRAMEWORK}-v{version}.csv"'
    )
    filtered = client.get(f"{URL}.csv?level=separation")
    assert f"{BRIEF_FRAMEWORK}-filtered-v{version}.csv" in filtered["Content-Disposition"]


def test_csv_filtered_is_exactly_what_the_page_shows(client):
    response = client.get(f"{URL}.csv?level=collaboration,coordination&activity=incident-reporting")
    rows = read_csv(response)
    assert [(r["activity"], r["level"], r["text"]) for r in rows] == [
        ("incident-reporting", "collaboration", "Develop common AI incident reporting registry"),
        (
            "incident-reporting",
            "coordination",
            "Align “incident” definitions” and create interoperable reporting standards",
        ),
    ]
    emphasised = read_csv(client.get(f"{URL}.csv?emphasised=true"))
    assert (
        len(emphasised)
        == Cell.objects.filter(framework__slug=BRIEF_FRAMEWORK, emphasised=True).count()
        == 12
    )
    standards = next(r for r in emphasised if r["activity"] == "standards")
    # One line per citation, aligned across the citation columns.
    roles = standards["citation_role"].split("\n")
    assert sorted(roles) == ["emphasis", "emphasis", "source"]
    assert len(standards["passage"].split("\n")) == len(standards["source_url"].split("\n")) == 3
    keyword = read_csv(client.get(f"{URL}.csv?q=registry"))
    assert {r["text"] for r in keyword} >= {"Develop common AI incident reporting registry"}


def test_csv_reads_into_pandas_and_the_excel_variant_has_a_bom(client):
    frame = pd.read_csv(
        io.BytesIO(body(client.get(f"{URL}.csv"))), keep_default_na=False, dtype=str
    )
    assert frame.shape == (60, len(COLUMNS))
    assert (frame["kind"] == "empty").sum() == 2
    excel = body(client.get(f"{URL}.csv?excel=1&level=separation"))
    assert excel.startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(io.BytesIO(excel), encoding="utf-8-sig", keep_default_na=False, dtype=str)
    assert list(frame.columns) == COLUMNS
    assert set(frame["level"]) == {"separation"}


BAD_FILTERS = [
    ("level=nope", "level"),
    ("activity=incident-reporting,nope", "activity"),
    ("kind=whatever", "kind"),
    ("emphasised=maybe", "emphasised"),
]


@pytest.mark.parametrize(
    ("fmt", "query", "field"),
    [
        (fmt, q, f)
        for fmt in ("csv", "xlsx", "json", "md", "bib", "ris", "csl.json")
        for q, f in BAD_FILTERS
    ]
    + [("csv", "excel=perhaps", "excel")],
)
def test_a_bad_filter_is_a_400_naming_it_like_the_page(client, query, field, fmt):
    response = client.get(f"{URL}.{fmt}?{query}")
    assert response.status_code == 400
    assert response.content.decode().splitlines()[1].startswith(f"{field}: ")
    if field != "excel":
        assert client.get(f"/frameworks/{BRIEF_FRAMEWORK}/?{query}").status_code == 400


def test_a_formula_in_a_cell_is_guarded_and_the_rest_untouched(client):
    cell = Cell.objects.get(
        framework__slug=BRIEF_FRAMEWORK, activity__slug="standards", level__slug="collaboration"
    )
    Cell.objects.filter(pk=cell.pk).update(text='=HYPERLINK("http://evil","x")')
    rows = read_csv(client.get(f"{URL}.csv?activity=standards&level=collaboration"))
    assert rows[0]["text"] == '\'=HYPERLINK("http://evil","x")'
    workbook = read_xlsx(client.get(f"{URL}.xlsx?activity=standards&level=collaboration"))
    stored = [c for row in workbook["cells"].iter_rows(min_row=2) for c in row]
    assert '\'=HYPERLINK("http://evil","x")' in [c.value for c in stored]
    assert all(c.data_type == "s" for c in stored if c.value is not None)


# XLSX


def test_xlsx_has_the_grid_the_long_table_the_sources_and_about(client):
    response = client.get(f"{URL}.xlsx")
    assert response.status_code == 200
    assert response["X-Dataset-Version"] == str(dataset_version().version)
    workbook = read_xlsx(response)
    assert workbook.sheetnames == ["matrix", "cells", "sources", "about"]

    grid = workbook["matrix"]
    assert grid.freeze_panes == "B2"
    rows = sheet_rows(grid)
    assert rows[0] == [
        "Common activity",
        "Collaboration",
        "Coordination",
        "Communication",
        "Separation",
    ]
    assert [row[0] for row in rows[1:]] == [row[0] for row in table_1_rows()]
    for source_row, row in zip(table_1_rows(), rows[1:], strict=True):
        for text, value in zip(source_row[1:], row[1:], strict=True):
            expected = text if text.strip() else "None stated in the source"
            assert value.split("\n\n★")[0] == expected
    header = grid["B1"]
    assert header.fill.fgColor.rgb.endswith("DBEAFE") and header.value == "Collaboration"
    assert grid["B2"].alignment.wrap_text

    cells = workbook["cells"]
    assert cells.freeze_panes == "A2"
    long_rows = sheet_rows(cells)
    assert long_rows[0] == COLUMNS
    csv_rows = [list(r.values()) for r in read_csv(client.get(f"{URL}.csv"))]
    assert [[v or "" for v in row] for row in long_rows[1:]] == csv_rows

    sources = sheet_rows(workbook["sources"])
    assert (
        len(sources) - 1 == Citation.objects.filter(cell__framework__slug=BRIEF_FRAMEWORK).count()
    )
    assert sources[next(i for i, r in enumerate(sources) if r[5] == "table-1-incident-reporting")][
        :3
    ] == ["Incident Reporting", "Collaboration", "source"]

    about = dict(sheet_rows(workbook["about"]))
    assert about["Dataset version"] == str(dataset_version().version)
    assert about["Title"] == "EU AI Office and UK AISI (policy brief, March 2025)"
    assert about["Filter"] == "none (every cell)"
    assert about["How to cite"].startswith("Thurnherr, L., Uuk, R.") and about["Licence"]
    # One line, as the .txt citation is, without the file's final line break.
    assert about["How to cite"].endswith(f"/documents/{BRIEF}/")
    assert about["Exported at"][:4].isdigit()


def test_xlsx_filtered_grid_keeps_only_the_chosen_levels_and_activities(client):
    workbook = read_xlsx(
        client.get(f"{URL}.xlsx?level=separation&activity=standards,incident-reporting")
    )
    assert sheet_rows(workbook["matrix"]) == [
        ["Common activity", "Separation"],
        [
            "Incident Reporting",
            "Separately monitor highly sensitive incidents, e.g. cybersecurity incidents at AI companies.",
        ],
        ["Standards", table_1()[("Standards", "separation")]],
    ]
    assert len(sheet_rows(workbook["cells"])) == 3
    assert (
        dict(sheet_rows(workbook["about"]))["Filter"]
        == "level=separation; activity=standards,incident-reporting"
    )


# JSON and Markdown


def test_json_is_the_api_cell_shape_with_meta(client):
    response = client.get(f"{URL}.json?activity=incident-reporting")
    data = json.loads(response.content)
    assert data["meta"]["dataset_version"] == dataset_version().version
    assert data["meta"]["filters"] == {"activity": "incident-reporting"}
    assert data["meta"]["framework"] == BRIEF_FRAMEWORK
    assert [c["level"] for c in data["cells"]] == LEVELS
    assert all(list(c) == list(CellSerializer.Meta.fields) for c in data["cells"])
    assert data["cells"][0]["citations"][0]["passage"] == "table-1-incident-reporting"
    assert data["cells"][0]["text"] == "Develop common AI incident reporting registry"


def test_markdown_is_a_pipe_table_with_citations_as_footnotes(client):
    response = client.get(f"{URL}.md?activity=incident-reporting,institutional-development")
    text = response.content.decode()
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert f"- Dataset version: {dataset_version().version}" in text
    assert "| Common activity | Collaboration | Coordination | Communication | Separation |" in text
    assert (
        "| Institutional Development | None stated in the source | Coordinate institutional development"
        in text
    )
    assert "| Incident Reporting | Develop common AI incident reporting registry[^1] |" in text
    assert (
        "[^1]: Source of the text: “Develop common AI incident reporting registry”, "
        "Looking Ahead: Synergies Between the EU AI Office and UK AISI, passage "
        "`table-1-incident-reporting`, <http://testserver/documents/"
    ) in text
    footnotes = [line for line in text.splitlines() if line.startswith("[^")]
    assert (
        len(footnotes)
        == Citation.objects.filter(
            cell__framework__slug=BRIEF_FRAMEWORK,
            cell__activity__slug__in=["incident-reporting", "institutional-development"],
        ).count()
    )


def test_the_article_framework_exports_its_analyst_cells(client):
    rows = read_csv(client.get(f"/frameworks/{ARTICLE_FRAMEWORK}/export.csv"))
    assert {r["kind"] for r in rows} == {"analyst"}
    assert {r["document"].split("\n")[0] for r in rows} == {"eu-us-ttc-ai-collaboration-2024"}


def test_an_unknown_framework_or_format_is_a_404(client):
    assert client.get("/frameworks/nope/export.csv").status_code == 404
    assert client.get(f"{URL}.pdf").status_code == 404


# Query counts: the same however many cells a framework has.


def _synthetic_framework(cells: int) -> Framework:
    document = Document.objects.defer("text").get(slug=BRIEF)
    framework = FrameworkFactory(document=document)
    passage = document.passages.order_by("ordinal").first()
    levels = list(EngagementLevel.objects.all())
    positions = [(a, level) for a in Activity.objects.all() for level in levels]
    for activity, level in positions[:cells]:
        cell = CellFactory(framework=framework, activity=activity, level=level)
        CitationFactory(claim=cell, passage=passage, end=5)
    return framework


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json", "md"])
def test_queries_do_not_grow_with_the_cells(client, fmt, django_assert_max_num_queries):
    counts = []
    for size in (1, 60):
        framework = _synthetic_framework(size)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/frameworks/{framework.slug}/export.{fmt}")
            assert response.status_code == 200
            body(response)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    # The framework (document joined), its institutions, the dataset version, the cells
    # (framework, activity and level joined) and their citations (passage and document
    # joined), one query each per chunk of cells; the grid of XLSX and Markdown also
    # reads the levels and the activities.
    expected = {"csv": 5, "json": 5, "xlsx": 7, "md": 7}[fmt]
    assert counts[0] == expected
    with django_assert_max_num_queries(expected):
        body(client.get(f"{URL}.{fmt}"))


_FILTERS = [
    "",
    "emphasised=false",
    "emphasised=true",
    "kind=analyst",
    "level=coordination",
    "activity=incident-reporting,standards",
    "q=incident",
    "q=incident&emphasised=false",
]


def _page_rows(client, framework: str, query: str) -> list[str]:
    html = client.get(f"/frameworks/{framework}/?{query}").content.decode()
    return re.findall(
        r'<th scope="row"><span class="ordinal">\d+\.</span> <a [^>]*>([^<]*)</a>', html
    )


def _grid_rows(workbook) -> list[str]:
    return [row[0] for row in sheet_rows(workbook["matrix"])[1:]]


def _markdown_rows(text: str) -> list[str]:
    table = [line for line in text.splitlines() if line.startswith("| ")][1:]
    return [
        line.split(" | ")[0].removeprefix("| ") for line in table if not line.startswith("| ---")
    ]


@pytest.mark.parametrize("framework", [BRIEF_FRAMEWORK, ARTICLE_FRAMEWORK])
@pytest.mark.parametrize("query", _FILTERS)
def test_every_grid_export_has_the_rows_the_page_shows(client, framework, query):
    """One selector decides the grid's rows for the page and its exports; before, the
    Markdown export of `emphasised=false` dropped the rows the page keeps."""
    expected = _page_rows(client, framework, query)
    url = f"/frameworks/{framework}/export"
    markdown = body(client.get(f"{url}.md?{query}")).decode()
    assert _markdown_rows(markdown) == expected
    assert _grid_rows(read_xlsx(client.get(f"{url}.xlsx?{query}"))) == expected
