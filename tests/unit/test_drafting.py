"""The plan of a framework drafted from a table (`engagement.drafting`), without a
database: columns matched to levels, rows to activities, every cell quoted in its row."""

from __future__ import annotations

import pytest

from engagement.drafting import (
    DraftError,
    Level,
    Row,
    activities_matched,
    draft_plan,
    free_slug,
    headings_of,
    split_cells,
)
from sources.quotes import CONTEXT_CHARS, quote_stands

LEVELS = [
    Level("collaboration", "Collaboration"),
    Level("coordination", "Coordination"),
    Level("communication", "Communication"),
    Level("separation", "Separation"),
]
HEADER = Row("Common activities\tCollaboration\tCOORDINATION\tRemarks", header=True)
ROWS = [
    HEADER,
    Row("Standards\tHarmonise standards\tAlign  them \tSome remark"),
    Row("Risk  monitoring\t\tShare results"),
    HEADER,
    Row("Talent\tFund talent\t \tAnother"),
]
ANCHORS = ["t-header", "t-standards", "t-risk-monitoring", "t-header-2", "t-talent"]


def plan(rows=ROWS, **options):
    return draft_plan(rows, anchors=ANCHORS[: len(rows)], levels=LEVELS, **options)


def test_split_cells_gives_each_cells_words_and_where_they_start():
    shown = "Standards\t  Harmonise standards \t\tlast"
    cells = split_cells(shown)
    assert cells == [("Standards", 0), ("Harmonise standards", 12), ("", 33), ("last", 34)]
    for words, start in cells:
        assert shown[start : start + len(words)] == words


def test_headings_name_levels_by_name_case_and_spacing_aside_other_columns_are_left_out():
    result = plan()
    assert [(c.heading, c.level) for c in result.columns] == [
        ("Collaboration", "collaboration"),
        ("COORDINATION", "coordination"),
        ("Remarks", None),
    ]
    # The repeated header row (a table continued on another page) is not a body row.
    assert [row.name for row in result.rows] == ["Standards", "Risk  monitoring", "Talent"]
    assert [(c.row, c.level, c.text) for c in result.cells] == [
        (1, "collaboration", "Harmonise standards"),
        (1, "coordination", "Align  them"),
        (2, "collaboration", ""),
        (2, "coordination", "Share results"),
        (4, "collaboration", "Fund talent"),
        (4, "coordination", ""),
    ]


def test_every_cell_is_quoted_on_exactly_its_words_in_its_row():
    result = plan(before=["Table 9: A caption"], after=["The paragraph after the table."])
    for cell in result.cells:
        if not cell.text:
            assert cell.quote is None
            continue
        shown = ROWS[cell.row].shown
        assert cell.quote.exact == cell.text
        assert quote_stands(shown, exact=cell.text, start=cell.quote.start, end=cell.quote.end)
        assert len(cell.quote.prefix) <= CONTEXT_CHARS and len(cell.quote.suffix) <= CONTEXT_CHARS
    # Prefix and suffix reach into the rows around, as the reader's text has them.
    first = result.cells[0].quote
    assert first.prefix == "aboration\tCOORDINATION\tRemarks\nStandards\t"[-CONTEXT_CHARS:]
    talent = result.cells[4].quote
    assert talent.suffix == "\t \tAnother\nThe paragraph after the table."[:CONTEXT_CHARS]
    assert [row.quote.exact for row in result.rows] == ["Standards", "Risk  monitoring", "Talent"]


def test_a_header_row_short_of_cells_leaves_the_row_labels_column_without_heading():
    rows = [Row("UK AISI\tEU AI Office", header=True), Row("Evaluating\tYes\tNo")]
    assert headings_of(rows) == ["", "UK AISI", "EU AI Office"]
    with pytest.raises(DraftError) as error:
        draft_plan(rows, anchors=["h", "r"], levels=LEVELS)
    assert error.value.field == "levels"
    mapped = draft_plan(
        rows,
        anchors=["h", "r"],
        levels=LEVELS,
        mapping={"uk aisi": "collaboration", "EU AI Office": "separation"},
    )
    assert [(c.level, c.text) for c in mapped.cells] == [
        ("collaboration", "Yes"),
        ("separation", "No"),
    ]


def test_a_mapping_changes_and_leaves_out_columns():
    result = plan(mapping={"Remarks": "communication", "COORDINATION": None})
    assert [(c.heading, c.level) for c in result.columns] == [
        ("Collaboration", "collaboration"),
        ("COORDINATION", None),
        ("Remarks", "communication"),
    ]
    assert [c.text for c in result.cells if c.row == 1] == ["Harmonise standards", "Some remark"]
    assert plan(mapping={"Remarks": ""}).columns[2].level is None


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"Nothing": "collaboration"}, "“Nothing” is not a column heading of the table"),
        ({"Remarks": "friendship"}, "“friendship” (for “Remarks”) is not a level"),
        ({"Remarks": "collaboration"}, "are both the level collaboration"),
        ({"Collaboration": None, "COORDINATION": ""}, "leaves no column of the table a level"),
    ],
)
def test_a_mapping_that_cannot_be_applied_is_an_error_on_levels(mapping, message):
    with pytest.raises(DraftError) as error:
        plan(mapping=mapping)
    assert error.value.field == "levels" and message in error.value.message


def test_headings_that_name_no_level_without_a_mapping_are_an_error_on_levels():
    rows = [Row("Activity\tA\tB", header=True), Row("X\t1\t2")]
    with pytest.raises(DraftError) as error:
        draft_plan(rows, anchors=["h", "x"], levels=LEVELS)
    assert error.value.field == "levels"
    assert "No column heading of the table names a level" in error.value.message


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([Row("Standards\tHarmonise")], "The table has no header row"),
        ([HEADER, HEADER], "The table has no rows below its header row"),
        ([HEADER, Row("\tHarmonise")], "The row t-standards names no activity"),
        (
            [HEADER, Row("Talent\ta"), Row(" talent \tb")],
            "t-standards and t-risk-monitoring name the same activity, “talent”",
        ),
        ([HEADER, Row("x" * 201 + "\ta")], "longer than 200 characters"),
    ],
)
def test_a_table_that_cannot_be_drafted_is_an_error_on_table(rows, message):
    with pytest.raises(DraftError) as error:
        plan(rows)
    assert error.value.field == "table" and message in error.value.message


def test_rows_name_existing_activities_by_name_or_slug():
    existing = [("risk-monitoring", "Risk Monitoring"), ("ai-risk-estimates", "AI Risk estimates")]
    names = ["risk  MONITORING", "AI risk-estimates", "Something new"]
    assert activities_matched(names, existing) == ["risk-monitoring", "ai-risk-estimates", None]


def test_new_slugs_are_free_and_short_enough():
    taken = {"talent", "talent-2"}
    assert free_slug("Talent", taken) == "talent-3"
    assert "talent-3" in taken
    long = free_slug("word " * 40, set())
    assert len(long) <= 100 and not long.endswith("-")
    assert len(free_slug("word " * 40, {long})) <= 100
    assert free_slug("!!!", set()) == "activity"
