"""A cell's and a document's citation: BibTeX, CSL-JSON, RIS and plain text, one reference.

A cell is cited as its passage: the pinpoint is the reference's title, the document its
container; the key is the cell's own.
"""

from __future__ import annotations

import json

import pytest
import rispy
from django.utils import timezone

from core.dataset import dataset_version
from sources.references import text_fragment
from tests.references import read_bibtex, tex_text, validate_csl
from tests.seedtext import ARTICLE, BRIEF

pytestmark = pytest.mark.usefixtures("kb")

CELL = "/frameworks/eu-ai-office-uk-aisi/cells/incident-reporting/coordination"
EMPTY_CELL = "/frameworks/eu-ai-office-uk-aisi/cells/institutional-development/collaboration"
KEY = "thurnherr2025-eu-ai-office-uk-aisi-incident-reporting-coordination"
QUOTE = "Align “incident” definitions” and create interoperable reporting standards"
PART = (
    "Table 1: Areas for potential Collaboration, Coordination, Communication and Separation, "
    "row “Incident Reporting”, column “Coordination”"
)
TITLE = "Looking Ahead: Synergies Between the EU AI Office and UK AISI"
# The cell's quote is a table cell: the fragment's context is the words of the cells on
# either side, so that it matches in this row only.
QUOTE_URL = (
    f"http://testserver/documents/{BRIEF}/#table-1-incident-reporting:~:text="
    "incident%20reporting%20registry-,"
    "Align%20%E2%80%9Cincident%E2%80%9D%20definitions%E2%80%9D%20and%20create"
    "%20interoperable%20reporting%20standards"
    ",-Share%20incidents%20when"
)
AUTHORS = [
    ("Thurnherr", "Lara"),
    ("Uuk", "Risto"),
    ("Emborg", "Tekla"),
    ("Ziosi", "Marta"),
    ("Wilkinson", "Isabella"),
    ("Simpson", "Morgan"),
    ("Araujo", "Renan"),
    ("Martinet", "Charles"),
]


def note(version: int) -> str:
    return (
        "Engagement matrix “EU AI Office and UK AISI (policy brief, March 2025)”, "
        f"Incident Reporting at Coordination: “{QUOTE}”; Engagement Atlas dataset v{version}"
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


def test_cell_csl_json_is_its_passage_as_a_part_of_the_brief(client):
    response = client.get(f"{CELL}/cite.json")
    assert response["Content-Type"].startswith("application/vnd.citationstyles.csl+json")
    items = json.loads(response.content)
    validate_csl(items)
    today = timezone.localdate()
    assert items == [
        {
            "id": KEY,
            "type": "chapter",
            "title": PART,
            "container-title": TITLE,
            "author": [{"family": f, "given": g} for f, g in AUTHORS],
            "genre": "Policy brief",
            "issued": {"date-parts": [[2025, 3]]},  # the cover gives the month only
            "URL": QUOTE_URL,
            "accessed": {"date-parts": [[today.year, today.month, today.day]]},
            "note": note(dataset_version().version),
            "language": "en",
        }
    ]


def test_cell_bibtex_is_the_same_reference(client):
    response = client.get(f"{CELL}/cite.bib")
    assert response["Content-Type"].startswith("application/x-bibtex")
    assert response["Content-Disposition"] == (
        'attachment; filename="eu-ai-office-uk-aisi-incident-reporting-coordination.bib"'
    )
    entry = read_bibtex(response.content.decode()).entries[KEY]
    assert entry.type == "incollection"
    assert tex_text(entry.fields["title"]) == PART
    assert tex_text(entry.fields["booktitle"]) == TITLE
    assert [(p.last_names[0], p.first_names[0]) for p in entry.persons["author"]] == AUTHORS
    assert (entry.fields["year"], entry.fields["month"], entry.fields["date"]) == (
        "2025",
        "March",
        "2025-03",
    )
    assert entry.fields["url"] == QUOTE_URL
    assert entry.fields["urldate"] == timezone.localdate().isoformat()
    assert tex_text(entry.fields["note"]) == note(dataset_version().version)


def test_cell_ris_is_the_same_reference(client):
    response = client.get(f"{CELL}/cite.ris")
    assert response["Content-Type"].startswith("application/x-research-info-systems")
    assert response.content.startswith(b"TY  - CHAP\r\n")
    (record,) = rispy.loads(response.content.decode())
    today = timezone.localdate()
    assert record == {
        "type_of_reference": "CHAP",
        "id": KEY,
        "title": PART,
        "secondary_title": TITLE,
        "authors": [f"{f}, {g}" for f, g in AUTHORS],
        "year": "2025",
        "date": "2025/03/",
        "type_of_work": "Policy brief",
        "urls": [QUOTE_URL],
        "access_date": today.strftime("%Y/%m/%d"),
        "notes": [note(dataset_version().version)],
        "language": "en",
    }


def test_cell_text_is_the_same_reference(client):
    text = client.get(f"{CELL}/cite.txt").content.decode()
    today = timezone.localdate()
    assert text == (
        "Thurnherr, L., Uuk, R., Emborg, T., Ziosi, M., Wilkinson, I., Simpson, M., "
        f"Araujo, R., & Martinet, C. (March 2025). {PART}. In {TITLE}. Policy brief. "
        f"{note(dataset_version().version)}. "
        f"Retrieved {today.day} {today:%B %Y}, from {QUOTE_URL}\n"
    )


@pytest.mark.parametrize("fmt", ["bib", "json", "ris", "txt"])
def test_an_empty_cell_cites_the_framework_source_with_its_note_in_every_format(client, fmt):
    response = client.get(f"{EMPTY_CELL}/cite.{fmt}")
    assert response.status_code == 200
    text = response.content.decode()
    assert (
        "Engagement matrix “EU AI Office and UK AISI (policy brief, March 2025)”, "
        "Institutional Development at Collaboration: no entry in the source; "
    ) in text
    if fmt != "txt":  # plain text has no key
        assert "thurnherr2025-eu-ai-office-uk-aisi-institutional-development-collaboration" in text
    assert f"http://testserver/documents/{BRIEF}/" in text


def test_document_citations_name_the_institution_once_as_author(client):
    items = json.loads(client.get(f"/documents/{ARTICLE}/cite.json").content)
    validate_csl(items)
    (item,) = items
    assert item["id"] == "europeancommission2024-eu-us-ttc-ai-collaboration-2024"
    assert item["type"] == "document"
    assert item["author"] == [{"literal": "European Commission"}]
    assert "publisher" not in item and "container-title" not in item
    assert item["issued"] == {"date-parts": [[2024, 4, 8]]}
    bib = client.get(f"/documents/{ARTICLE}/cite.bib").content.decode()
    entry = read_bibtex(bib).entries[item["id"]]
    assert [str(p) for p in entry.persons["author"]] == ["{European Commission}"]
    assert entry.fields["date"] == "2024-04-08"
    (record,) = rispy.loads(client.get(f"/documents/{ARTICLE}/cite.ris").content.decode())
    assert (record["type_of_reference"], record["authors"]) == ("GEN", ["European Commission"])
    text = client.get(f"/documents/{ARTICLE}/cite.txt").content.decode()
    assert text.startswith(
        "European Commission (8 April 2024). EU and US Deepen AI Collaboration After Trade "
        "and Technology Council Meeting. News article. Engagement Atlas dataset v"
    )
    assert text.count("European Commission") == 1


def test_unknown_things_are_404(client):
    assert client.get("/documents/nope/cite.bib").status_code == 404
    assert client.get(f"/documents/{BRIEF}/cite.pdf").status_code == 404
    assert client.get(f"{CELL}/cite.csv").status_code == 404
    assert (
        client.get("/frameworks/eu-ai-office-uk-aisi/cells/nope/coordination/cite.bib").status_code
        == 404
    )


@pytest.mark.parametrize("fmt", ["bib", "json", "ris", "txt"])
def test_a_citation_makes_a_fixed_number_of_queries(client, fmt, django_assert_num_queries):
    # The cell (framework, its document, activity and level joined), its citations (passage
    # and document joined), the dataset version, the header rows of the cited table. The
    # link's text fragment takes its context from the citation's selector.
    with django_assert_num_queries(4):
        client.get(f"{CELL}/cite.{fmt}")
    # The document, the dataset version.
    with django_assert_num_queries(2):
        client.get(f"/documents/{BRIEF}/cite.{fmt}")
