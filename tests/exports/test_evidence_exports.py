"""Evidence in every export: a blank the source leaves (`none_stated`) told from a cell
nobody assessed (`not_assessed`) in the CSV, XLSX, JSON, Markdown and the data package;
the filter as on the page; evidence compared between releases."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from django.db import transaction
from frictionless import Package

from atlas.releases import release_create
from engagement.models import Cell, CellEvidence
from engagement.services import framework_cells_complete
from sources.models import CitationRole
from tests.factories import CitationFactory, FrameworkFactory
from tests.helpers import body, brief_cell, read_csv, read_xlsx, sheet_rows

pytestmark = pytest.mark.usefixtures("kb")

GAPS = "/frameworks/gaps/export"
BRIEF = "/frameworks/eu-ai-office-uk-aisi/export"


@pytest.fixture
def gaps():
    """A framework whose grid the gap-filler completed (every cell not assessed), its
    Institutional Development / Separation then marked as left blank by the source."""
    framework = FrameworkFactory(slug="gaps")
    framework_cells_complete(framework=framework)
    blank = framework.cells.get(
        activity__slug="institutional-development", level__slug="separation"
    )
    blank.evidence = CellEvidence.NONE_STATED
    blank.save()
    return framework


def test_csv_has_evidence_and_note_columns(client, gaps):
    rows = read_csv(client.get(f"{GAPS}.csv"))
    assert list(rows[0])[-2:] == ["evidence", "note"]
    evidence = {(r["activity"], r["level"]): r["evidence"] for r in rows}
    assert evidence.pop(("institutional-development", "separation")) == "none_stated"
    assert set(evidence.values()) == {"not_assessed"} and len(evidence) == 59
    article = read_csv(client.get("/frameworks/eu-ai-office-us-aisi/export.csv"))
    assert {r["evidence"] for r in article} == {"inferred"}
    assert all(r["note"].strip() for r in article)
    brief = read_csv(client.get(f"{BRIEF}.csv"))
    assert sorted(r["evidence"] for r in brief) == ["none_stated"] * 2 + ["stated"] * 58


def test_csv_and_every_format_filter_by_evidence_as_the_page(client, gaps):
    rows = read_csv(client.get(f"{GAPS}.csv?evidence=none_stated"))
    assert [(r["activity"], r["level"], r["evidence"]) for r in rows] == [
        ("institutional-development", "separation", "none_stated")
    ]
    data = json.loads(client.get(f"{BRIEF}.json?evidence=stated&level=separation").content)
    assert len(data["cells"]) == 14
    assert data["meta"]["filters"] == {"evidence": "stated", "level": "separation"}
    assert {c["evidence"] for c in data["cells"]} == {"stated"}


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json", "md"])
def test_an_unknown_evidence_is_a_400_naming_it(client, fmt):
    response = client.get(f"{BRIEF}.{fmt}?evidence=unknown")
    assert response.status_code == 400
    assert response.content.decode().splitlines()[1].startswith("evidence: ")


def test_xlsx_grid_and_cells_sheet(client, gaps):
    workbook = read_xlsx(client.get(f"{GAPS}.xlsx"))
    grid = {row[0]: row[1:] for row in sheet_rows(workbook["matrix"])}
    assert grid["Institutional Development"] == [
        "Not assessed",
        "Not assessed",
        "Not assessed",
        "None stated in the source",
    ]
    cells = sheet_rows(workbook["cells"])
    header = cells[0]
    assert header[-2:] == ["evidence", "note"]
    where = {(row[1], row[3]): row[header.index("evidence")] for row in cells[1:]}
    assert where[("institutional-development", "separation")] == "none_stated"
    assert where[("institutional-development", "collaboration")] == "not_assessed"


def test_json_carries_evidence_note_and_contradicting_citations(client, gaps):
    cell = brief_cell("standards", "separation")
    passage = cell.citations.get(role=CitationRole.SOURCE).passage.document.passages.get(
        anchor="footnote-2"
    )
    contradicting = CitationFactory(claim=cell, passage=passage, role=CitationRole.CONTRADICTS)
    data = json.loads(client.get(f"{BRIEF}.json?activity=standards").content)
    by_level = {c["level"]: c for c in data["cells"]}
    assert by_level["separation"]["evidence"] == "stated"
    assert [c["id"] for c in by_level["separation"]["contradicting_citations"]] == [
        contradicting.pk
    ]
    assert by_level["collaboration"]["contradicting_citations"] == []
    gaps_data = json.loads(client.get(f"{GAPS}.json?activity=institutional-development").content)
    assert [(c["level"], c["evidence"], c["note"]) for c in gaps_data["cells"]] == [
        ("collaboration", "not_assessed", ""),
        ("coordination", "not_assessed", ""),
        ("communication", "not_assessed", ""),
        ("separation", "none_stated", ""),
    ]


def test_markdown_names_each_empty_cells_evidence(client, gaps):
    text = client.get(f"{GAPS}.md?activity=institutional-development").content.decode()
    assert (
        "| Institutional Development | Not assessed | Not assessed | Not assessed "
        "| None stated in the source |"
    ) in text
    brief = client.get(f"{BRIEF}.md?activity=institutional-development").content.decode()
    assert "| Institutional Development | None stated in the source | Coordinate" in brief
    assert "Not assessed" not in brief


def _package(client, tmp_path):
    response = client.get("/export/datapackage.zip")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(body(response))) as archive:
        archive.extractall(tmp_path)
    with open(tmp_path / "data" / "cells.csv", encoding="utf-8", newline="") as f:
        return json.loads((tmp_path / "datapackage.json").read_text()), list(csv.DictReader(f))


def test_the_data_package_has_evidence_and_note_and_validates(client, gaps, tmp_path):
    descriptor, rows = _package(client, tmp_path)
    (cells,) = [r for r in descriptor["resources"] if r["name"] == "cells"]
    fields = {f["name"]: f for f in cells["schema"]["fields"]}
    assert fields["evidence"]["constraints"] == {
        "required": True,
        "enum": ["stated", "inferred", "none_stated", "not_assessed"],
    }
    assert fields["note"]["type"] == "string"
    # Added after the columns clients already read.
    assert [f["name"] for f in cells["schema"]["fields"]][-2:] == ["evidence", "note"]
    counts: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (row["framework"], row["evidence"])
        counts[key] = counts.get(key, 0) + 1
    assert counts == {
        ("eu-ai-office-uk-aisi", "stated"): 58,
        ("eu-ai-office-uk-aisi", "none_stated"): 2,
        ("eu-ai-office-us-aisi", "inferred"): 4,
        ("gaps", "not_assessed"): 59,
        ("gaps", "none_stated"): 1,
    }
    report = Package(str(tmp_path / "datapackage.json")).validate()
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "note"])


def test_a_release_comparison_lists_a_change_of_evidence(client):
    release_create(tag="before-evidence")
    with transaction.atomic():
        cell = brief_cell("institutional-development", "collaboration")
        cell.evidence = CellEvidence.NOT_ASSESSED
        cell.save()
    rows = read_csv(client.get("/releases/compare/export.csv?a=before-evidence&b=current"))
    assert [(r["kind"], r["change"], r["what"], r["fields"]) for r in rows] == [
        ("cell", "changed", "Institutional Development / Collaboration", "evidence")
    ]
    assert Cell.objects.filter(evidence=CellEvidence.NOT_ASSESSED).count() == 1
