"""A cell's evidence and note through the API: read, filtered, written; contradicting
citations listed apart."""

from __future__ import annotations

import pytest

from engagement.models import NOTE_MAX_LENGTH, Cell, CellEvidence, CellKind
from engagement.services import framework_cells_complete
from sources.models import CitationRole
from tests.factories import CellFactory, CitationFactory, FrameworkFactory
from tests.helpers import body, brief_cell

pytestmark = pytest.mark.usefixtures("kb")

API = "/api/v1"
BRIEF_FRAMEWORK = "eu-ai-office-uk-aisi"


def results(client, **params) -> list[dict]:
    response = client.get(f"{API}/cells/", {"page_size": 500, **params})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def errors(response) -> dict:
    assert response.status_code == 400, response.content
    return response.json()["errors"]


@pytest.fixture
def unassessed() -> Cell:
    """A framework whose grid the gap-filler completed: every cell not assessed; one of
    them is then marked as left blank by its source."""
    framework = FrameworkFactory(slug="gaps")
    framework_cells_complete(framework=framework)
    blank = framework.cells.get(activity__slug="standards", level__slug="separation")
    blank.evidence = CellEvidence.NONE_STATED
    blank.save()
    return framework.cells.get(activity__slug="standards", level__slug="collaboration")


def test_the_briefs_cells_are_58_stated_and_2_none_stated(client_anon):
    cells = results(client_anon, framework=BRIEF_FRAMEWORK)
    by_evidence: dict[str, list] = {}
    for cell in cells:
        by_evidence.setdefault(cell["evidence"], []).append((cell["activity"], cell["level"]))
    assert {name: len(found) for name, found in by_evidence.items()} == {
        "stated": 58,
        "none_stated": 2,
    }
    assert sorted(by_evidence["none_stated"]) == [
        ("institutional-development", "collaboration"),
        ("institutional-development", "separation"),
    ]
    # The article's four cells are an analyst's, each with its reasoning.
    article = results(client_anon, framework="eu-ai-office-us-aisi")
    assert {cell["evidence"] for cell in article} == {"inferred"}
    assert all(cell["note"].strip() for cell in article)


def test_none_stated_and_not_assessed_are_told_apart(client_anon, unassessed):
    cells = {(c["activity"], c["level"]): c for c in results(client_anon, framework="gaps")}
    assert cells[("standards", "separation")]["evidence"] == "none_stated"
    assert cells[("standards", "collaboration")]["evidence"] == "not_assessed"
    assert {c["kind"] for c in cells.values()} == {"empty"}
    detail = client_anon.get(f"{API}/cells/{unassessed.pk}/").json()
    assert (detail["kind"], detail["evidence"], detail["note"]) == ("empty", "not_assessed", "")


def test_the_evidence_filter_alone_comma_separated_and_with_others(client_anon, unassessed):
    none_stated = results(client_anon, evidence="none_stated")
    assert sorted((c["framework"], c["activity"], c["level"]) for c in none_stated) == [
        ("eu-ai-office-uk-aisi", "institutional-development", "collaboration"),
        ("eu-ai-office-uk-aisi", "institutional-development", "separation"),
        ("gaps", "standards", "separation"),
    ]
    both = results(client_anon, evidence="none_stated,not_assessed", framework="gaps")
    assert len(both) == 60
    assert {c["evidence"] for c in both} == {"none_stated", "not_assessed"}
    stated = results(client_anon, evidence="stated", framework=BRIEF_FRAMEWORK, level="separation")
    assert len(stated) == 14
    assert results(client_anon, evidence="inferred", kind="verbatim") == []


@pytest.mark.parametrize("value", ["none", "NOT_ASSESSED", "stated,bogus", "<b>x</b>"])
def test_an_unknown_evidence_is_a_400_naming_it(client_anon, value):
    response = client_anon.get(f"{API}/cells/", {"evidence": value})
    assert list(errors(response)) == ["evidence"]


def test_contradicting_citations_are_listed_apart(client_anon):
    cell = brief_cell("standards", "separation")
    source = cell.citations.get(role=CitationRole.SOURCE)
    passage = source.passage.document.passages.get(anchor="footnote-2")
    contradicting = CitationFactory(claim=cell, passage=passage, role=CitationRole.CONTRADICTS)
    detail = client_anon.get(f"{API}/cells/{cell.pk}/").json()
    listed = [c for c in results(client_anon, framework=BRIEF_FRAMEWORK) if c["id"] == cell.pk]
    for shown in (detail, *listed):
        assert [c["id"] for c in shown["contradicting_citations"]] == [contradicting.pk]
        assert shown["contradicting_citations"][0]["role"] == "contradicts"
        assert shown["contradicting_citations"][0]["passage"] == "footnote-2"
        # Every citation is still under `citations`, each with its role.
        assert {(c["id"], c["role"]) for c in shown["citations"]} >= {
            (source.pk, "source"),
            (contradicting.pk, "contradicts"),
        }
    assert len(listed) == 1
    other = client_anon.get(f"{API}/cells/{brief_cell('standards', 'communication').pk}/")
    assert other.json()["contradicting_citations"] == []


def test_the_csv_of_cells_carries_evidence_and_note(client_anon):
    response = client_anon.get(
        f"{API}/cells/",
        {"format": "csv", "framework": BRIEF_FRAMEWORK, "activity": "institutional-development"},
    )
    assert response.status_code == 200
    text = body(response).decode("utf-8")
    header = text.splitlines()[0]
    assert header.endswith("Evidence,Note,Contradicting citations")
    assert text.count("none_stated") == 2


# --- writes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "evidence"),
    [
        ("verbatim", "inferred"),
        ("verbatim", "none_stated"),
        ("empty", "stated"),
        ("analyst", "not_assessed"),
    ],
)
def test_evidence_that_does_not_fit_the_kind_is_a_400_that_writes_nothing(
    client_editor, kind, evidence
):
    cell = brief_cell("institutional-development", "collaboration")  # empty, none stated
    before = Cell.objects.values().get(pk=cell.pk)
    data = {"kind": kind, "evidence": evidence, "note": "Reasoning."}
    if kind != "empty":
        data["text"] = "Build the two institutions together"
    found = errors(client_editor.patch(f"{API}/cells/{cell.pk}/", data, format="json"))
    assert "evidence" in found
    assert f"not {evidence}" in found["evidence"][0]
    assert Cell.objects.values().get(pk=cell.pk) == before


def test_an_empty_cell_is_marked_not_assessed_and_back(client_editor):
    cell = brief_cell("institutional-development", "separation")
    url = f"{API}/cells/{cell.pk}/"
    response = client_editor.patch(url, {"evidence": "not_assessed"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["evidence"] == "not_assessed"
    assert Cell.objects.get(pk=cell.pk).evidence == CellEvidence.NOT_ASSESSED
    response = client_editor.patch(url, {"evidence": "none_stated"}, format="json")
    assert response.json()["evidence"] == "none_stated"


def test_an_inferred_cell_needs_its_note(client_editor):
    before = Cell.objects.count()
    data = {
        "framework": "eu-ai-office-us-aisi",
        "activity": "incident-reporting",
        "level": "communication",
        "kind": "analyst",
        "text": "Information on incidents is shared",
        "evidence": "inferred",
    }
    found = errors(client_editor.post(f"{API}/cells/", data, format="json"))
    assert list(found) == ["note"]
    assert found["note"] == ["An inferred cell says why: give the analyst's reasoning in `note`."]
    found = errors(client_editor.post(f"{API}/cells/", {**data, "note": "  \n"}, format="json"))
    assert list(found) == ["note"]
    assert Cell.objects.count() == before
    response = client_editor.post(
        f"{API}/cells/", {**data, "note": "The article speaks of sharing."}, format="json"
    )
    assert response.status_code == 201, response.content
    assert (response.json()["evidence"], response.json()["note"]) == (
        "inferred",
        "The article speaks of sharing.",
    )


def test_clearing_an_inferred_cells_note_is_refused(client_editor):
    cell = Cell.objects.filter(evidence=CellEvidence.INFERRED).first()
    note = cell.note
    found = errors(client_editor.patch(f"{API}/cells/{cell.pk}/", {"note": ""}, format="json"))
    assert list(found) == ["note"]
    assert Cell.objects.get(pk=cell.pk).note == note


def test_a_kind_changed_without_evidence_takes_the_evidence_that_fits(client_editor):
    """As a client written before evidence existed does: the kind alone."""
    cell = CellFactory(kind=CellKind.VERBATIM, text="Stated words")
    response = client_editor.patch(
        f"{API}/cells/{cell.pk}/", {"kind": "empty", "text": ""}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["evidence"] == "none_stated"
    response = client_editor.patch(
        f"{API}/cells/{cell.pk}/", {"kind": "analyst", "text": "A reading"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["evidence"] == "inferred"


@pytest.mark.parametrize(
    ("note", "reason"),
    [
        ("x" * (NOTE_MAX_LENGTH + 1), f"no more than {NOTE_MAX_LENGTH} characters"),
        ("A bell\x07 rings", "U+0007"),
        ("Escape \x1b[31m", "U+001B"),
    ],
)
def test_a_note_obeys_the_stored_text_rules(client_editor, note, reason):
    cell = Cell.objects.filter(evidence=CellEvidence.INFERRED).first()
    before = cell.note
    found = errors(client_editor.patch(f"{API}/cells/{cell.pk}/", {"note": note}, format="json"))
    assert list(found) == ["note"]
    assert reason in " ".join(found["note"])
    assert Cell.objects.get(pk=cell.pk).note == before


def test_a_note_of_the_longest_length_is_kept_whole(client_editor):
    cell = Cell.objects.filter(evidence=CellEvidence.INFERRED).first()
    note = "Why:\n" + "w" * (NOTE_MAX_LENGTH - 5)
    response = client_editor.patch(f"{API}/cells/{cell.pk}/", {"note": note}, format="json")
    assert response.status_code == 200, response.content
    assert Cell.objects.get(pk=cell.pk).note == note


def test_a_change_of_evidence_is_in_the_cells_history(client_editor):
    cell = brief_cell("institutional-development", "separation")
    url = f"{API}/cells/{cell.pk}/"
    assert client_editor.patch(url, {"evidence": "not_assessed"}, format="json").status_code == 200
    newest = client_editor.get(f"{url}history/").json()[0]
    assert (newest["evidence"], newest["note"]) == ("not_assessed", "")
    assert newest["changes"] == [{"field": "evidence", "old": "none_stated", "new": "not_assessed"}]
