"""Drafting a framework from a source's table through the API (`POST
/api/v1/frameworks/drafts/`): the brief's Table 1 drafts into the seeded framework, cell by
cell; bad input is a 400 naming the field, and writes nothing; editors only."""

from __future__ import annotations

import pytest

from engagement.models import Activity, Cell, Framework
from sources.models import Citation, Passage, PassageKind
from tests.drafting import TABLE_1, assert_draft_is_table_1, synthetic_table
from tests.factories import DocumentFactory
from tests.seedtext import BRIEF

pytestmark = pytest.mark.usefixtures("kb")

DRAFTS = "/api/v1/frameworks/drafts/"
NEWS = "eu-us-ttc-ai-collaboration-2024"


def test_table_1_drafts_into_the_seeded_framework(client_editor, editor):
    response = client_editor.post(
        DRAFTS,
        {"document": BRIEF, "table": TABLE_1, "institutions": ["eu-ai-office", "uk-aisi"]},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    draft = Framework.objects.get(slug=body["slug"])
    assert_draft_is_table_1(draft)
    assert body["status"] == "draft" and body["document"] == BRIEF
    assert body["institutions"] == ["eu-ai-office", "uk-aisi"]
    assert len(body["cells"]) == 60


def written() -> dict[str, int]:
    """How many rows each table a draft writes holds, with the histories."""
    return {
        model.__name__: model.objects.count()
        for model in (
            Framework,
            Framework.history.model,
            Framework.institutions.through,
            Cell,
            Cell.history.model,
            Activity,
            Activity.history.model,
            Citation,
            Citation.history.model,
        )
    }


FUNCTIONS = "table-1-comparisons-of-functions-header"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"document": "no-such-document", "table": TABLE_1}, "document", "no-such-document"),
        ({"document": BRIEF, "table": "no-such-anchor"}, "table", "has no passage no-such-anchor"),
        ({"document": BRIEF, "table": "footnote-2"}, "table", "is a footnote, not a table row"),
        ({"document": NEWS, "table": TABLE_1}, "table", "has no passage table-1-header"),
        ({"document": BRIEF, "table": FUNCTIONS}, "levels", "No column heading"),
        (
            {"document": BRIEF, "table": TABLE_1, "levels": {"Nothing": "collaboration"}},
            "levels",
            "“Nothing” is not a column heading",
        ),
        (
            {"document": BRIEF, "table": TABLE_1, "levels": {"Separation": "friendship"}},
            "levels",
            "“friendship” (for “Separation”) is not a level",
        ),
        (
            {"document": BRIEF, "table": TABLE_1, "levels": {"Separation": "collaboration"}},
            "levels",
            "are both the level collaboration",
        ),
        ({"document": BRIEF, "table": TABLE_1, "levels": ["collaboration"]}, "levels", ""),
        (
            {"document": BRIEF, "table": TABLE_1, "institutions": ["uk-aisi", "nowhere"]},
            "institutions",
            "nowhere",
        ),
        ({"document": BRIEF, "table": TABLE_1, "slug": "eu-ai-office-uk-aisi"}, "slug", ""),
        ({"document": BRIEF, "table": TABLE_1, "slug": "drafts"}, "slug", "names a route"),
        ({"document": BRIEF, "table": TABLE_1, "slug": "Not a slug!"}, "slug", ""),
        ({"document": BRIEF, "table": TABLE_1, "name": "x" * 201}, "name", ""),
        ({"document": BRIEF, "table": TABLE_1, "name": "A\x00name"}, "name", ""),
        ({"document": BRIEF}, "table", "required"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(
    client_editor, data, field, message
):
    before = written()
    response = client_editor.post(DRAFTS, data, format="json")
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert list(errors) == [field], errors
    assert message in " ".join(errors[field])
    assert written() == before


def test_a_table_without_a_header_row_is_a_400_naming_table(client_editor):
    Passage.objects.filter(document__slug=BRIEF, anchor__startswith="table-1-header").update(
        kind=PassageKind.PARAGRAPH
    )
    before = written()
    response = client_editor.post(
        DRAFTS, {"document": BRIEF, "table": "table-1-standards"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "table": ["The table has no header row: its columns name no levels."]
    }
    assert written() == before


def test_only_editors_draft(client_anon, client_outsider):
    before = written()
    data = {"document": BRIEF, "table": TABLE_1}
    assert client_anon.post(DRAFTS, data, format="json").status_code == 401
    assert client_outsider.post(DRAFTS, data, format="json").status_code == 403
    assert written() == before


def test_drafts_is_no_framework_to_read(client_anon, client_editor):
    """`drafts` is the drafting route, never read as a framework's slug."""
    assert client_anon.get(DRAFTS).status_code in (401, 405)
    answer = client_editor.get(DRAFTS)
    assert answer.status_code == 405 and answer["Allow"] == "POST, OPTIONS"
    assert client_editor.post(
        "/api/v1/frameworks/",
        {"slug": "drafts", "name": "D", "document": BRIEF, "institutions": ["uk-aisi"]},
        format="json",
    ).json()["errors"] == {"slug": ["“drafts” names a route of the API; choose another slug."]}


def test_a_mapped_table_drafts_with_new_activities_cited_to_their_rows(client_editor, editor):
    activities = Activity.objects.count()
    last = Activity.objects.order_by("-ordinal").first()
    response = client_editor.post(
        DRAFTS,
        {
            "document": BRIEF,
            "table": "table-1-comparisons-of-functions-evaluating-capabilities",
            "levels": {"UK AISI": "coordination", "EU AI Office": "separation"},
            "institutions": ["uk-aisi", "eu-ai-office"],
            "slug": "functions-draft",
            "name": "Functions, drafted",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["slug"], body["name"], body["status"]) == (
        "functions-draft",
        "Functions, drafted",
        "draft",
    )
    assert response["Location"] == "http://testserver/api/v1/frameworks/functions-draft/"
    assert response["ETag"] == client_editor.get(response["Location"])["ETag"]
    new = list(Activity.objects.filter(ordinal__gt=last.ordinal).order_by("ordinal"))
    assert Activity.objects.count() == activities + 6 == activities + len(new)
    assert new[2].name == "Evaluating capabilities" and new[2].slug == "evaluating-capabilities"
    for activity in new:
        (citation,) = activity.citations.with_passage()
        assert citation.valid and citation.exact == activity.name
        assert activity.history.get().history_user == editor
    cells = {(c["activity"], c["level"]): c for c in body["cells"]}
    assert len(cells) == 12
    evaluating = cells[("evaluating-capabilities", "coordination")]
    assert (evaluating["kind"], evaluating["text"]) == ("verbatim", "Yes (demonstrated)")
    (citation,) = evaluating["citations"]
    assert citation["passage"] == "table-1-comparisons-of-functions-evaluating-capabilities"
    assert (citation["exact"], citation["valid"]) == ("Yes (demonstrated)", True)
    assert cells[("evaluating-capabilities", "separation")]["text"] == "Yes (expected)"
    draft = Framework.objects.get(slug="functions-draft")
    assert {record.history_user for record in draft.history.all()} == {editor}
    assert {c.history.get().history_user for c in draft.cells.all()} == {editor}


def test_drafting_a_table_twice_numbers_the_default_slug(client_editor):
    slugs = [
        client_editor.post(DRAFTS, {"document": BRIEF, "table": TABLE_1}, format="json").json()[
            "slug"
        ]
        for _ in range(2)
    ]
    assert slugs == [f"{BRIEF}-table-1", f"{BRIEF}-table-1-2"]


@pytest.mark.parametrize("rows", [10, 40])
def test_a_large_table_drafts_in_a_fixed_number_of_queries(
    client_editor, django_assert_max_num_queries, rows
):
    document = DocumentFactory(slug=f"synthetic-{rows}", text=synthetic_table(rows))
    # The token and the editor's permissions (3); the document; the table: its passage, its
    # bounds, its rows, the passages before and after (5); the levels; the framework's slugs
    # taken, its document, its slug free, its insert and history, its institutions; the
    # activities matched, the slugs taken, the last ordinal, the new ones and their
    # history, their citations and theirs; the cells and theirs; the cells' citations and
    # theirs; the answer's framework, institutions, cells and citations; two savepoints
    # (31). SQLite takes at most 999 values a statement, so it writes the history of 160
    # cells and their citations in a few inserts more; the same ceiling for 10 rows and 40.
    with django_assert_max_num_queries(44):
        response = client_editor.post(
            DRAFTS, {"document": document.slug, "table": "table-7-header"}, format="json"
        )
    assert response.status_code == 201, response.content
    cells = response.json()["cells"]
    assert len(cells) == rows * 4
    assert {c["citations"][0]["exact"] for c in cells} == {
        f"Cell {row}.{column} of the table" for row in range(1, rows + 1) for column in range(1, 5)
    }


def test_a_draft_that_loses_a_race_for_a_slug_is_a_409_writing_nothing(client_editor, monkeypatch):
    from django.db import IntegrityError

    from engagement import serializers

    real = serializers.framework_draft

    def racing(**kwargs):
        real(**kwargs)  # all of it written, then refused by the database at the end
        raise IntegrityError("UNIQUE constraint failed: engagement_activity.slug")

    monkeypatch.setattr(serializers, "framework_draft", racing)
    before = written()
    response = client_editor.post(DRAFTS, {"document": BRIEF, "table": TABLE_1}, format="json")
    assert response.status_code == 409
    assert "same slug at the same time; retry" in response.json()["errors"]["non_field_errors"][0]
    assert written() == before
