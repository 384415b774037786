"""Text stored before control characters were refused still exports, in every format.

The API and the admin refuse them now, but a database may hold them from before (a form
feed from a PDF page break, `\\x01`, `\\x0b`): no export may fail on them. XLSX, being XML,
cannot hold most C0 characters: each is written as its Unicode control picture (U+000C
as "␌", `core.text.xml_safe`); every other format writes the text as stored.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import pytest
from django.db import connection
from django.db.models import F

from core.text import xml_safe
from engagement.models import Activity, Cell, Framework
from institutions.models import Institution, Mandate
from sources.models import Citation, Document
from sources.references import one_line
from tests.helpers import body, read_csv, read_xlsx, sheet_rows, unguard
from tests.references import read_bibtex, tex_text, validate_csl
from tests.unit.test_text_and_params import FORBIDDEN_CONTROLS

pytestmark = pytest.mark.usefixtures("kb")

FRAMEWORK = "eu-ai-office-uk-aisi"
POSITION = {"activity__slug": "incident-reporting", "level__slug": "coordination"}
# C0, DEL and C1: what no line of a reference may hold.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


@pytest.fixture
def hostile() -> str:
    """Every control character stored text may not hold (PostgreSQL cannot store NUL)."""
    controls = [
        c for c in FORBIDDEN_CONTROLS if not (c == "\x00" and connection.vendor == "postgresql")
    ]
    return "start " + "".join(controls) + " end"


@pytest.fixture
def stored(hostile) -> Cell:
    """Hostile text written straight to the database, as old data would hold it."""
    cell = Cell.objects.get(framework__slug=FRAMEWORK, **POSITION)
    Cell.objects.filter(pk=cell.pk).update(text=hostile)
    # SQLite's length() stops at a NUL, and a constraint checks the quote's length.
    quote = hostile.replace("\x00", "")
    Citation.objects.filter(pk=cell.citations.first().pk).update(
        exact=quote, end=F("start") + len(quote)
    )
    Activity.objects.filter(slug="incident-reporting").update(name="Incident " + hostile)
    Framework.objects.filter(slug=FRAMEWORK).update(description=hostile)
    Document.objects.filter(pk=cell.framework.document_id).update(title="Brief " + hostile)
    Institution.objects.filter(slug="uk-aisi").update(name="UK " + hostile)
    Mandate.objects.filter(institution__slug="uk-aisi").update(statement=hostile)
    return cell


def get(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, (url, body(response)[:300])
    return response


def test_the_csv_export_holds_the_text_as_stored(client, stored, hostile):
    rows = read_csv(get(client, f"/frameworks/{FRAMEWORK}/export.csv"))
    (row,) = [
        r for r in rows if r["activity"] == "incident-reporting" and r["level"] == "coordination"
    ]
    assert unguard(row["text"]) == hostile
    assert unguard(row["quote"]) == hostile.replace("\x00", "")
    excel = get(client, f"/frameworks/{FRAMEWORK}/export.csv?excel=1")
    assert body(excel).startswith(b"\xef\xbb\xbf")


def test_the_xlsx_export_writes_control_pictures_for_what_xml_cannot_hold(client, stored, hostile):
    workbook = read_xlsx(get(client, f"/frameworks/{FRAMEWORK}/export.xlsx"))
    shown = xml_safe(hostile.replace("\r", "\n"))
    assert "\u240c" in shown and "\u2401" in shown  # form feed, start of heading
    cells = sheet_rows(workbook["cells"])
    header = cells[0]
    (row,) = [
        r
        for r in cells[1:]
        if r[header.index("activity")] == "incident-reporting"
        and r[header.index("level")] == "coordination"
    ]
    assert row[header.index("text")] == shown
    assert any(shown in (value or "") for row in sheet_rows(workbook["matrix"]) for value in row)
    assert any(shown in (value or "") for row in sheet_rows(workbook["sources"]) for value in row)
    about = dict((label, value) for label, value in sheet_rows(workbook["about"]))
    assert about["Source document"] == xml_safe("Brief " + hostile.replace("\r", "\n"))


def test_the_json_and_markdown_exports_are_written(client, stored, hostile):
    data = json.loads(body(get(client, f"/frameworks/{FRAMEWORK}/export.json")))
    (cell,) = [c for c in data["cells"] if c["id"] == stored.pk]
    assert cell["text"] == hostile
    markdown = body(get(client, f"/frameworks/{FRAMEWORK}/export.md")).decode()
    assert "start " in markdown and " end" in markdown


def reference_fields(fmt: str, text: str) -> dict[str, str]:
    """The title, container title and note of the one reference in `text`, read as a
    reference manager reads the format (pybtex in strict mode, the CSL-JSON schema); a plain
    text reference is one line, all three at once."""
    if fmt == "bib":
        (entry,) = read_bibtex(text).entries.values()
        return {
            k: tex_text(v) for k, v in entry.fields.items() if k in ("title", "booktitle", "note")
        }
    if fmt == "json":
        (item,) = json.loads(text)
        validate_csl([item])
        return {
            "title": item["title"],
            "booktitle": item.get("container-title", ""),
            "note": item.get("note", ""),
        }
    line, newline, rest = text.partition("\n")
    assert newline and not rest, "a plain text reference is one line"
    return {"title": line, "booktitle": line, "note": line}


@pytest.mark.parametrize("fmt", ["bib", "json", "txt"])
def test_the_citation_exports_write_the_text_as_one_line_with_control_pictures(
    client, stored, hostile, fmt
):
    # A reference is one line: white space runs are one space, every other control
    # character its visible picture; nothing else of the text is lost.
    title = one_line("Brief " + hostile)
    # NUL (␀) where the database can hold it: PostgreSQL cannot (`hostile`).
    first = "\u2401" if connection.vendor == "postgresql" else "\u2400\u2401"
    assert f"start {first}" in title and "\u2421" in title and title.endswith(" end")
    document = Document.objects.get(pk=stored.framework.document_id)
    whole = reference_fields(
        fmt, body(get(client, f"/documents/{document.slug}/cite.{fmt}")).decode()
    )
    assert title in whole["title"]
    cell_url = f"/frameworks/{FRAMEWORK}/cells/incident-reporting/coordination/cite.{fmt}"
    part = reference_fields(fmt, body(get(client, cell_url)).decode())
    assert title in part["booktitle"]
    assert one_line("Incident " + hostile) in part["note"]
    assert f"“{one_line(hostile.replace(chr(0), ''))}”" in part["note"]
    for value in (*whole.values(), *part.values()):
        assert not CONTROL.search(value), value


def test_the_comparison_exports_are_written(client, stored, hostile):
    query = "a=eu-ai-office&b=uk-aisi"
    rows = list(
        csv.reader(
            io.StringIO(
                body(get(client, f"/institutions/compare/export.csv?{query}")).decode(), newline=""
            )
        )
    )
    assert any(unguard(value) == hostile for row in rows for value in row)
    workbook = read_xlsx(get(client, f"/institutions/compare/export.xlsx?{query}"))
    values = [value for row in sheet_rows(workbook["functions"]) for value in row]
    assert xml_safe(hostile.replace("\r", "\n")) in values


def test_the_data_package_holds_the_text_as_stored(client, stored, hostile):
    archive = zipfile.ZipFile(io.BytesIO(body(get(client, "/export/datapackage.zip"))))
    cells = list(csv.DictReader(io.StringIO(archive.read("data/cells.csv").decode(), newline="")))
    assert hostile in [unguard(row["text"]) for row in cells]


def test_the_api_reads_are_written(client, stored, hostile):
    assert get(client, f"/api/v1/cells/{stored.pk}/").json()["text"] == hostile
    rows = read_csv(get(client, f"/api/v1/cells/?format=csv&framework={FRAMEWORK}"))
    assert hostile in [unguard(row["Text"]) for row in rows]
