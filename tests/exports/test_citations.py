"""Citations of a cell and of a document: BibTeX, CSL-JSON with a pinpoint, plain text."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from core.dataset import dataset_version
from sources.citing import text_fragment
from tests.seedtext import ARTICLE, BRIEF

pytestmark = pytest.mark.usefixtures("kb")

CELL = "/frameworks/eu-ai-office-uk-aisi/cells/incident-reporting/coordination"
# The cell's quote is a table cell: the fragment's context is the words of the cells on
# either side, so that it matches in this row only.
QUOTE_URL = (
    f"http://testserver/documents/{BRIEF}/#table-1-incident-reporting:~:text="
    "incident%20reporting%20registry-,"
    "Align%20%E2%80%9Cincident%E2%80%9D%20definitions%E2%80%9D%20and%20create"
    "%20interoperable%20reporting%20standards"
    ",-Share%20incidents%20when"
)


def test_text_fragment_percent_encodes_the_directive_syntax():
    assert text_fragment("AI-risk, safety & security") == (
        ":~:text=AI%2Drisk%2C%20safety%20%26%20security"
    )
    # A long quote is named by its first and last words.
    long = "one two three four five six seven eight nine ten eleven-twelve"
    assert (
        text_fragment(long)
        == ":~:text=one%20two%20three%20four,eight%20nine%20ten%20eleven%2Dtwelve"
    )
    # With the selector's context: whole words, from the block next to the quote.
    assert (
        text_fragment(
            "Communication is well-suited", prefix="ks and AI summits.\n", suffix=" to areas"
        )
        == ":~:text=and%20AI%20summits.-,Communication%20is%20well%2Dsuited,-to%20areas"
    )


def test_cell_csl_json_has_the_passage_as_locator(client):
    response = client.get(f"{CELL}/cite.json")
    assert response["Content-Type"].startswith("application/vnd.citationstyles.csl+json")
    (item,) = json.loads(response.content)
    assert item["type"] == "report"
    assert item["genre"] == "Policy brief"
    assert item["title"] == "Looking Ahead: Synergies Between the EU AI Office and UK AISI"
    assert item["author"][0] == {"family": "Thurnherr", "given": "Lara"}
    assert len(item["author"]) == 8
    assert item["issued"] == {"date-parts": [[2025, 3]]}  # the cover gives the month only
    assert item["locator"] == "table-1-incident-reporting"
    assert item["label"] == "table"
    assert item["URL"] == QUOTE_URL
    today = timezone.localdate()
    assert item["accessed"] == {"date-parts": [[today.year, today.month, today.day]]}
    assert (
        "Align “incident” definitions” and create interoperable reporting standards" in item["note"]
    )


def test_cell_bibtex_and_text(client):
    bib = client.get(f"{CELL}/cite.bib")
    assert bib["Content-Type"].startswith("application/x-bibtex")
    assert bib["Content-Disposition"] == (
        'attachment; filename="eu-ai-office-uk-aisi-incident-reporting-coordination.bib"'
    )
    entry = bib.content.decode()
    assert entry.startswith("@techreport{thurnherr2025looking:table-1-incident-reporting,\n")
    assert "  author = {Thurnherr, Lara and Uuk, Risto and Emborg, Tekla" in entry
    assert "  year = {2025},\n  month = {mar},\n  date = {2025-03},\n" in entry
    assert f"  url = {{{QUOTE_URL}}},\n" in entry
    assert f"  urldate = {{{timezone.localdate().isoformat()}}}" in entry
    assert entry.count("{") == entry.count("}")

    text = client.get(f"{CELL}/cite.txt").content.decode()
    assert text.startswith(
        "Thurnherr, L., Uuk, R., Emborg, T., Ziosi, M., Wilkinson, I., Simpson, M., "
        "Araujo, R., & Martinet, C. (March 2025). Looking Ahead: Synergies Between the EU AI "
        "Office and UK AISI. Policy brief."
    )
    assert "passage table-1-incident-reporting" in text
    assert f"dataset v{dataset_version().version}" in text
    assert text.rstrip().endswith(f"from {QUOTE_URL}")


def test_an_empty_cell_cites_the_framework_source(client):
    response = client.get(
        "/frameworks/eu-ai-office-uk-aisi/cells/institutional-development/collaboration/cite.txt"
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "no entry in the source" in text
    assert text.rstrip().endswith(f"from http://testserver/documents/{BRIEF}/")


def test_document_citations_use_its_metadata(client):
    (item,) = json.loads(client.get(f"/documents/{ARTICLE}/cite.json").content)
    assert item["type"] == "article-newspaper"
    assert item["publisher"] == "European Commission"
    assert item["issued"] == {"date-parts": [[2024, 4, 8]]}
    assert "author" not in item and "locator" not in item
    bib = client.get(f"/documents/{ARTICLE}/cite.bib").content.decode()
    assert bib.startswith("@misc{europeancommission2024deepen,\n")
    assert "  date = {2024-04-08},\n" in bib
    text = client.get(f"/documents/{ARTICLE}/cite.txt").content.decode()
    assert text.startswith(
        "European Commission (8 April 2024). EU and US Deepen AI Collaboration After Trade "
        "and Technology Council Meeting. News article."
    )


def test_unknown_things_are_404(client):
    assert client.get("/documents/nope/cite.bib").status_code == 404
    assert client.get(f"/documents/{BRIEF}/cite.ris").status_code == 404
    assert (
        client.get("/frameworks/eu-ai-office-uk-aisi/cells/nope/coordination/cite.bib").status_code
        == 404
    )


def test_a_citation_makes_a_fixed_number_of_queries(client, django_assert_num_queries):
    # The cell (framework, its document, activity and level joined), its citations (passage
    # and document joined), the dataset version, the passages before and after the cited
    # one (the link's text fragment context).
    with django_assert_num_queries(5):
        client.get(f"{CELL}/cite.bib")
    # The document, the dataset version.
    with django_assert_num_queries(2):
        client.get(f"/documents/{BRIEF}/cite.bib")
