"""`/export/datapackage.zip`: the whole knowledge base as a Frictionless Data Package v2."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from frictionless import Package

from core.dataset import dataset_version
from engagement.models import Activity, Cell, EngagementLevel, Framework
from institutions.models import Function, Institution, Mandate, Relationship
from sources.models import Citation, Document, Passage
from tests.helpers import body, unguard

pytestmark = pytest.mark.usefixtures("kb")

TABLES = {
    "documents": Document,
    "passages": Passage,
    "institutions": Institution,
    "functions": Function,
    "mandates": Mandate,
    "relationships": Relationship,
    "levels": EngagementLevel,
    "activities": Activity,
    "frameworks": Framework,
    "cells": Cell,
    "citations": Citation,
}


@pytest.fixture
def package_dir(client, tmp_path):
    response = client.get("/export/datapackage.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    version = dataset_version().version
    assert response["X-Dataset-Version"] == str(version)
    assert f"engagement-atlas-v{version}-datapackage.zip" in response["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(body(response))) as archive:
        archive.extractall(tmp_path)
    return tmp_path


def read_table(package_dir, name: str) -> list[dict[str, str]]:
    with open(package_dir / "data" / f"{name}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_the_package_validates_with_frictionless_as_v2(package_dir):
    descriptor = json.loads((package_dir / "datapackage.json").read_text())
    assert descriptor["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert descriptor["version"] == str(dataset_version().version)
    assert descriptor["created"][:4].isdigit()
    report = Package(str(package_dir / "datapackage.json")).validate()
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "note"])
    assert {task.name for task in report.tasks} >= set(TABLES)


def test_every_table_has_every_row_with_keys(package_dir):
    descriptor = json.loads((package_dir / "datapackage.json").read_text())
    resources = {r["name"]: r for r in descriptor["resources"]}
    for name, model in TABLES.items():
        assert len(read_table(package_dir, name)) == model.objects.count(), name
        assert resources[name]["schema"]["primaryKey"] == ["id"]
    foreign = {
        name: {
            (fk["fields"][0], fk["reference"].get("resource"))
            for fk in resources[name]["schema"].get("foreignKeys", [])
        }
        for name in resources
    }
    assert foreign["cells"] == {
        ("framework", "frameworks"),
        ("activity", "activities"),
        ("level", "levels"),
    }
    assert foreign["citations"] == {("passage", "passages")}
    assert foreign["passages"] == {("document", "documents")}


def test_the_tables_hold_the_seeded_facts(package_dir):
    cells = read_table(package_dir, "cells")
    registry = next(
        c
        for c in cells
        if (c["framework"], c["activity"], c["level"])
        == ("eu-ai-office-uk-aisi", "incident-reporting", "collaboration")
    )
    assert registry["text"] == "Develop common AI incident reporting registry"
    citations = [
        c
        for c in read_table(package_dir, "citations")
        if c["claim_table"] == "cells" and c["claim_id"] == registry["id"]
    ]
    passages = {p["id"]: p for p in read_table(package_dir, "passages")}
    (citation,) = citations
    passage = passages[citation["passage"]]
    assert passage["anchor"] == "table-1-incident-reporting"
    text = unguard(passage["text"])
    assert text[int(citation["start"]) : int(citation["end"])] == citation["exact"]
    documents = {d["slug"]: d for d in read_table(package_dir, "documents")}
    assert json.loads(documents[passage["document"]]["authors"])[0] == "Lara Thurnherr"


def test_a_broken_foreign_key_fails_validation(package_dir):
    """The validation really checks the references: a cell pointing nowhere is caught."""
    path = package_dir / "data" / "cells.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace(",collaboration,", ",nowhere,", 1),
        encoding="utf-8",
    )
    report = Package(str(package_dir / "datapackage.json")).validate()
    assert not report.valid
    assert "foreign-key" in {error.type for task in report.tasks for error in task.errors}


def test_the_package_makes_one_query_per_table(client, django_assert_num_queries):
    # The dataset version, then one query per table (documents, passages, institutions,
    # aliases, functions, mandates, relationships, levels, activities, frameworks, framework
    # institutions, cells, citations), each read in chunks through one cursor.
    with django_assert_num_queries(14):
        body(client.get("/export/datapackage.zip"))


def test_passages_and_documents_carry_the_pages_of_a_source(client, paged, tmp_path):
    response = client.get("/export/datapackage.zip")
    with zipfile.ZipFile(io.BytesIO(body(response))) as archive:
        archive.extractall(tmp_path)
    report = Package(str(tmp_path / "datapackage.json")).validate()
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "note"])
    documents = {row["slug"]: row for row in read_table(tmp_path, "documents")}
    assert json.loads(documents["paged-report"]["page_starts"]) == paged.document.page_starts
    assert documents["synergies-eu-ai-office-uk-aisi-2025"]["page_starts"] == "[]"
    passages = {
        (row["document"], row["anchor"]): (row["source_page"], row["source_page_end"])
        for row in read_table(tmp_path, "passages")
    }
    assert passages[("paged-report", "findings-p2")] == ("2", "2")
    assert passages[("paged-report", "findings-p3")] == ("2", "3")
    assert passages[("synergies-eu-ai-office-uk-aisi-2025", "footnote-2")] == ("", "")
