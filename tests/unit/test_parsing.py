"""`sources.parsing.split_passages` on small hand-written texts, plain and Markdown.

The two seeded source texts are split in tests/seeded/test_parsing.py.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sources.parsing import MAX_SLUG, PassageSpec, short_slug, source_pages
from tests.helpers import split_checked as split


def kinds_and_anchors(passages: list[PassageSpec]) -> list[tuple[str, str]]:
    return [(p.kind, p.anchor) for p in passages]


# --- plain text ----------------------------------------------------------------------------

PLAIN = """Executive summary

The first paragraph of the summary.

The second paragraph, which goes on
over two lines.

1. Collaboration

Working together, on evaluations.

- One item.
- Another item,
  continued on a second line.
"""


def test_plain_text_headings_paragraphs_and_list_items():
    passages = split(PLAIN)
    assert kinds_and_anchors(passages) == [
        ("heading", "executive-summary"),
        ("paragraph", "executive-summary-p1"),
        ("paragraph", "executive-summary-p2"),
        ("heading", "1-collaboration"),
        ("paragraph", "1-collaboration-p1"),
        ("list_item", "1-collaboration-item-1"),
        ("list_item", "1-collaboration-item-2"),
    ]
    texts = [p.text for p in passages]
    assert texts[2] == "The second paragraph, which goes on\nover two lines."
    assert texts[5:] == ["One item.", "Another item,\n  continued on a second line."]


def test_plain_text_headings_are_level_2_and_name_the_section():
    passages = {p.anchor: p for p in split(PLAIN)}
    assert passages["executive-summary"].level == 2
    assert passages["executive-summary"].section == ""
    assert passages["executive-summary-p1"].level == 0
    assert passages["executive-summary-p1"].section == "Executive summary"
    # A heading of the same level closes the one before.
    assert passages["1-collaboration-p1"].section == "1. Collaboration"


def test_a_plain_heading_is_one_short_line_without_closing_punctuation():
    passages = split(
        "A heading\n\nA sentence.\n\nlower case start\n\nTwo lines\nof text\n\n" + "Long " * 30
    )
    assert [p.kind for p in passages] == ["heading", *["paragraph"] * 4]


def test_paragraphs_before_any_heading_are_counted_from_the_start():
    passages = split("First words here.\n\nSecond words here.\n")
    assert kinds_and_anchors(passages) == [("paragraph", "p1"), ("paragraph", "p2")]
    assert passages[0].section == ""


def test_counters_start_again_under_each_heading():
    anchors = [p.anchor for p in split("One\n\nText a.\n\nText b.\n\nTwo\n\nText c.\n\n- Item.\n")]
    assert anchors == ["one", "one-p1", "one-p2", "two", "two-p1", "two-item-1"]


def test_a_repeated_heading_gets_a_numbered_anchor():
    passages = split("Summary\n\nText.\n\nSummary\n\nMore text.\n")
    assert [p.anchor for p in passages] == ["summary", "summary-p1", "summary-2", "summary-2-p1"]


@pytest.mark.parametrize(
    ("note", "anchor"),
    [
        ("¹ The first note.", "footnote-1"),
        ("² Collaboration as a joint working process.", "footnote-2"),
        ("¹² A note with two digits.", "footnote-12"),
        ("⁰ A note numbered zero.", "footnote-0"),
    ],
)
def test_superscript_footnotes(note, anchor):
    (heading, footnote) = split(f"Notes\n\n{note}\n")
    assert heading.kind == "heading"
    assert (footnote.kind, footnote.anchor, footnote.text) == ("footnote", anchor, note)
    assert footnote.section == "Notes"


def test_tab_table_under_its_caption():
    text = (
        "Table 1: Areas for potential work\n\n"
        "Common activities\tCollaboration\tSeparation\n"
        "Incident Reporting\tShare a registry\tMonitor alone\n"
        "Standards\tAgree on them\tWrite our own\n"
        "Common activities\tCollaboration\tSeparation\n"
        "Research\tPool it\tKeep it\n"
    )
    passages = split(text)
    assert kinds_and_anchors(passages) == [
        ("heading", "table-1"),
        ("table_row", "table-1-header"),
        ("table_row", "table-1-incident-reporting"),
        ("table_row", "table-1-standards"),
        # The header repeated (after a page break in a PDF) is a header again.
        ("table_row", "table-1-header-2"),
        ("table_row", "table-1-research"),
    ]
    caption, header, incident, *_ = passages
    assert caption.level == 3
    assert header.text == "Common activities\tCollaboration\tSeparation"
    assert incident.text == "Incident Reporting\tShare a registry\tMonitor alone"
    assert incident.section == "Table 1: Areas for potential work"
    assert passages[4].text == header.text


def test_a_second_table_1_caption_gives_a_longer_key():
    text = (
        "Table 1: Areas for potential work\n\n"
        "Common activities\tCollaboration\n"
        "Incident Reporting\tShare a registry\n\n"
        "Table 1: Comparisons of Functions\n\n"
        "\tUK AISI\tEU AI Office\n"
        "Evaluating capabilities\tYes (demonstrated)\tYes (expected)\n"
    )
    passages = {p.anchor: p for p in split(text)}
    assert list(passages) == [
        "table-1",
        "table-1-header",
        "table-1-incident-reporting",
        "table-1-comparisons-of-functions",
        "table-1-comparisons-of-functions-header",
        "table-1-comparisons-of-functions-evaluating-capabilities",
    ]
    assert passages["table-1-comparisons-of-functions"].kind == "heading"
    assert passages["table-1-comparisons-of-functions-header"].text == "UK AISI\tEU AI Office"
    assert passages["table-1-comparisons-of-functions-evaluating-capabilities"].text == (
        "Evaluating capabilities\tYes (demonstrated)\tYes (expected)"
    )


def test_a_table_without_a_caption_is_numbered_in_its_section():
    text = "Results\n\na\tb\nc\td\n\nBetween them.\n\ne\tf\ng\th\n"
    assert kinds_and_anchors(split(text)) == [
        ("heading", "results"),
        ("table_row", "results-table-1-header"),
        ("table_row", "results-table-1-c"),
        ("paragraph", "results-p1"),
        ("table_row", "results-table-2-header"),
        ("table_row", "results-table-2-g"),
    ]
    assert [p.anchor for p in split("a\tb\nc\td\n")] == ["table-1-header", "table-1-c"]


def test_a_row_without_a_label_is_named_by_its_number():
    passages = split("| a | b |\n|---|---|\n|   | z |\n", markdown=True)
    assert [p.anchor for p in passages] == ["table-1-header", "table-1-row-2"]
    assert passages[1].text == "|   | z |"


def test_windows_line_endings_keep_the_offsets():
    passages = split("Summary\r\n\r\nOne line,\r\nand another.\r\n\r\n- An item.\r\n")
    assert kinds_and_anchors(passages) == [
        ("heading", "summary"),
        ("paragraph", "summary-p1"),
        ("list_item", "summary-item-1"),
    ]
    assert passages[1].text == "One line,\r\nand another."


def test_an_edit_changes_only_the_edited_passage():
    before = {p.anchor: p.text for p in split(PLAIN)}
    after = {p.anchor: p.text for p in split(PLAIN.replace("first paragraph", "opening one"))}
    assert before.keys() == after.keys()
    assert {a for a in before if before[a] != after[a]} == {"executive-summary-p1"}


def test_short_slug_cuts_long_text_at_a_word():
    long = "word " * 40
    slug = short_slug(long)
    assert len(slug) <= MAX_SLUG
    assert slug.endswith("word") and slug.startswith("word-word")
    assert short_slug("Table 1: Comparisons of Functions") == "table-1-comparisons-of-functions"
    passages = split(f"# {long.strip().title()}\n\nText.\n", markdown=True)
    assert passages[0].anchor == slug


# --- Markdown ------------------------------------------------------------------------------


def test_markdown_headings_nest_by_level():
    text = "# Title\n\nIntro.\n\n## Part one\n\nText.\n\n### Detail\n\nMore.\n\n## Part two ##\n\nEnd\n"
    passages = split(text, markdown=True)
    assert [(p.kind, p.anchor, p.level) for p in passages] == [
        ("heading", "title", 1),
        ("paragraph", "title-p1", 0),
        ("heading", "part-one", 2),
        ("paragraph", "part-one-p1", 0),
        ("heading", "detail", 3),
        ("paragraph", "detail-p1", 0),
        ("heading", "part-two", 2),
        ("paragraph", "part-two-p1", 0),
    ]
    sections = {p.anchor: p.section for p in passages}
    assert sections["detail-p1"] == "Title > Part one > Detail"
    assert sections["part-two-p1"] == "Title > Part two"
    # The heading's text leaves out the hashes, the closing ones too.
    assert passages[6].text == "Part two"
    # In Markdown only `#` makes a heading: "End" stays a paragraph.
    assert passages[7].text == "End"


def test_markdown_ordered_lists_are_items_and_rules_are_skipped():
    text = "# Steps\n\n1. First.\n2. Second,\n   continued.\n\n---\n\n3) Third.\n"
    passages = split(text, markdown=True)
    assert kinds_and_anchors(passages) == [
        ("heading", "steps"),
        ("list_item", "steps-item-1"),
        ("list_item", "steps-item-2"),
        ("list_item", "steps-item-3"),
    ]
    assert [p.text for p in passages[1:]] == ["First.", "Second,\n   continued.", "Third."]


def test_in_plain_text_a_numbered_line_is_a_heading():
    (heading, paragraph) = split("1. Introduction\n\nSome text.\n")
    assert (heading.kind, heading.anchor) == ("heading", "1-introduction")
    assert paragraph.anchor == "1-introduction-p1"


@pytest.mark.parametrize(
    ("note", "anchor", "markdown"),
    [("[^1]: A note.", "footnote-1", True), ("[^source]: Where from.", "footnote-source", True)],
)
def test_markdown_footnotes(note, anchor, markdown):
    (footnote,) = split(note + "\n", markdown=markdown)
    assert (footnote.kind, footnote.anchor, footnote.text) == ("footnote", anchor, note)


def test_pipe_table_with_header_and_alignment_row():
    text = "## Figures\n\n| Name | Value |\n| --- | :---: |\n| Alpha | 1 |\n| Beta | 2 |\n"
    passages = split(text, markdown=True)
    assert kinds_and_anchors(passages) == [
        ("heading", "figures"),
        ("table_row", "figures-table-1-header"),
        ("table_row", "figures-table-1-alpha"),
        ("table_row", "figures-table-1-beta"),
    ]
    assert passages[1].text == "| Name | Value |"
    assert passages[3].section == "Figures"


def test_lists_footnotes_and_pipe_tables_in_markdown():
    text = "# Title\n\nIntro paragraph.\n\n- one\n- two\n  continued\n\n| a | b |\n|---|---|\n| x | y |\n\n[^1]: A note.\n"
    passages = split(text, markdown=True)
    assert [(p.kind, p.anchor) for p in passages] == [
        ("heading", "title"),
        ("paragraph", "title-p1"),
        ("list_item", "title-item-1"),
        ("list_item", "title-item-2"),
        ("table_row", "title-table-1-header"),
        ("table_row", "title-table-1-x"),
        ("footnote", "footnote-1"),
    ]
    assert passages[3].text == "two\n  continued"


# --- any text made of such blocks ----------------------------------------------------------

words = st.lists(st.text(alphabet="abcdefghij", min_size=1, max_size=8), min_size=1, max_size=6)
sentence = words.map(lambda w: " ".join(w).capitalize() + ".")
paragraph = st.lists(sentence, min_size=1, max_size=3).map("\n".join)
heading = st.tuples(st.integers(1, 4), words).map(
    lambda t: "#" * t[0] + " " + " ".join(t[1]).title()
)
bullets = st.lists(sentence, min_size=1, max_size=3).map(lambda s: "\n".join(f"- {x}" for x in s))
numbered = st.lists(sentence, min_size=1, max_size=3).map(
    lambda s: "\n".join(f"{n}. {x}" for n, x in enumerate(s, 1))
)
pipe_table = st.lists(words, min_size=1, max_size=3).map(
    lambda rows: "| h | i |\n|---|---|\n" + "\n".join(f"| {' '.join(r)} | x |" for r in rows)
)
tab_table = st.lists(words, min_size=1, max_size=3).map(
    lambda rows: "\n".join(f"{' '.join(r)}\tx\ty" for r in rows)
)
footnote = st.tuples(st.sampled_from("¹²³⁴⁵"), sentence).map(" ".join)
blocks = st.one_of(
    paragraph, heading, bullets, numbered, pipe_table, tab_table, footnote, st.just("---")
)
separator = st.sampled_from(["\n\n", "\n\n\n", "\n \n", "\n\t\n\n", "  \n\n"])


@given(
    parts=st.lists(st.tuples(blocks, separator), min_size=1, max_size=8),
    markdown=st.booleans(),
)
def test_any_text_splits_into_passages_with_only_markup_between(parts, markdown):
    text = "".join(block + gap for block, gap in parts)
    split(text, markdown=markdown)


@given(paragraphs=st.lists(paragraph, min_size=1, max_size=8), markdown=st.booleans())
def test_every_paragraph_is_one_passage(paragraphs, markdown):
    text = "\n\n".join(paragraphs) + "\n"
    passages = split(text, markdown=markdown)
    assert [p.text for p in passages] == paragraphs
    assert [p.anchor for p in passages] == [f"p{n}" for n in range(1, len(paragraphs) + 1)]
    assert {p.kind for p in passages} == {"paragraph"}


# --- the pages of a source -----------------------------------------------------------------


def test_a_passage_is_on_the_pages_its_first_and_last_characters_are_on():
    starts = [0, 100, 200]  # pages 1, 2 and 3 begin at these offsets
    assert source_pages(starts, 0, 40) == (1, 1)
    assert source_pages(starts, 100, 150) == (2, 2)  # it starts where page 2 begins
    assert source_pages(starts, 150, 200) == (2, 2)  # it ends just before page 3
    assert source_pages(starts, 150, 201) == (2, 3)  # it runs over onto page 3
    assert source_pages(starts, 40, 250) == (1, 3)
    assert source_pages(starts, 250, 250) == (3, 3)  # an empty span is on its start page


def test_a_text_without_pages_gives_no_page():
    assert source_pages([], 0, 40) == (None, None)


def test_text_before_the_first_page_start_is_on_page_1():
    assert source_pages([10, 100], 0, 5) == (1, 1)
