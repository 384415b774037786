"""`sources.pdf`: the PDF reader's parts, on hand-built PDFs (no browser, no database).

PDFs printed by Chromium are read in tests/editorial/test_pdf_reader.py.
"""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench.pdfdoc import build_pdf, build_pdf_pages
from core.text import normalise_compatibility, normalised_summary
from sources.parsing import split_passages
from sources.passage_rendering import render_passage
from sources.pdf import PdfError, escape_markdown, hyphen_kept, pdf_markdown


@pytest.mark.parametrize(
    ("first", "second", "words", "inserted", "kept"),
    [
        # The document uses the hyphenated form elsewhere: kept.
        ("post", "deployment", {"post-deployment": 1}, False, True),
        ("post", "deployment", {"post-deployment": 1}, True, True),
        # It uses the joined form elsewhere: joined, whichever hyphen was printed.
        ("synergis", "tic", {"synergistic": 2}, False, False),
        ("incompre", "hensible", {"incomprehensible": 1}, True, False),
        # Neither: a hyphen the layout inserted is dropped, one of the text's own is kept.
        ("incompre", "hensible", {}, True, False),
        ("post", "deployment", {"deployment": 3}, False, True),
        ("EU", "UK", {}, False, True),
    ],
)
def test_a_hyphen_at_a_line_end_is_decided_by_the_documents_words(
    first, second, words, inserted, kept
):
    assert hyphen_kept(first, second, Counter(words), inserted=inserted) is kept


@pytest.mark.parametrize(
    ("text", "markdown"),
    [
        ("Plain words.", "Plain words."),
        ("*all* of _them_ `x` [1] <b>", "\\*all\\* of \\_them\\_ \\`x\\` \\[1\\] \\<b>"),
        ("# not a heading", "\\# not a heading"),
        ("1. not a list item", "\\1. not a list item"),
        ("- not a bullet", "\\- not a bullet"),
        ("| not a table", "\\| not a table"),
        ("---", "\\---"),
        ("C#", "C\\#"),
        ("a\\b", "a\\\\b"),
    ],
)
def test_markdown_specials_in_a_pdfs_words_are_escaped(text, markdown):
    assert escape_markdown(text) == markdown


@given(st.text(alphabet=st.sampled_from("ab #*_`[]<>\\|-1.)!:^"), min_size=1, max_size=30))
def test_an_escaped_paragraph_shows_exactly_its_words(text):
    """Whatever the words, the passage made of their Markdown shows them."""
    words = " ".join(text.split())
    if not words or words[0] in "⁰¹²³⁴⁵⁶⁷⁸⁹":
        return
    specs = split_passages(escape_markdown(words) + "\n", markdown=True)
    assert len(specs) == 1 and specs[0].kind == "paragraph"
    assert render_passage(specs[0].text, kind="paragraph", markdown=True).shown == words


def test_ligatures_and_soft_hyphens_are_normalised_and_reported():
    text, found = normalise_compatibility("The O\ufb00ice \ufb01nds o\ufb03cial in\u00adformation.")
    assert text == "The Office finds official information."
    assert normalised_summary(found) == (
        "1 × U+00AD (soft hyphen) → removed; 1 × U+FB00 (latin small ligature ff) → ff; "
        "1 × U+FB01 (latin small ligature fi) → fi; 1 × U+FB03 (latin small ligature ffi) → ffi"
    )
    # Nothing else is folded: superscript footnote markers and fractions stay as they are.
    assert normalise_compatibility("Ziosi¹ ½")[0] == "Ziosi¹ ½"


def test_pages_running_footers_and_a_paragraph_across_the_page_break():
    pages = [
        [("Plan", 16), "", "The institutes test models", "together"],
        ["before deployment.", "", "A second paragraph.", "", "1 A note in small type?"],
        [],
    ]
    reading = pdf_markdown(build_pdf_pages(pages, footer="Joint plan, page {page}"))
    assert reading.text == (
        "# Plan\n\nThe institutes test models together before deployment.\n\n"
        "A second paragraph.\n\n1 A note in small type?\n"
    )
    start = reading.text.index("before")
    assert reading.page_starts == [0, start, len(reading.text) - 1]


def test_a_paragraph_that_ended_before_the_page_break_does_not_go_on():
    reading = pdf_markdown(build_pdf_pages([["One sentence ends here."], ["Another begins."]]))
    assert reading.text == "One sentence ends here.\n\nAnother begins.\n"


def test_lists_numbered_and_bulleted():
    reading = pdf_markdown(build_pdf(["1. Publish a protocol.", "2. Exchange staff.", "", "- One"]))
    assert reading.text == "1. Publish a protocol.\n\n2. Exchange staff.\n\n- One\n"
    specs = split_passages(reading.text, markdown=True)
    assert [s.kind for s in specs] == ["list_item", "list_item", "list_item"]


def test_an_unreadable_pdf_is_a_pdf_error():
    with pytest.raises(PdfError, match="the PDF is encrypted"):
        pdf_markdown(build_pdf(["Secret"], encrypt=True))
    with pytest.raises(PdfError, match="2 pages is over the limit of 1 pages"):
        pdf_markdown(build_pdf_pages([["a"], ["b"]]), page_limit=1)
    with pytest.raises(PdfError, match="not a readable PDF"):
        pdf_markdown(b"%PDF-1.4\nnothing else")
