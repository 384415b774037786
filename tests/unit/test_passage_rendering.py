"""`sources.passage_rendering`, `sources.reader_layout` and the reader's quotes: passages as the reader
shows them, pages, re-derived quotes and text fragments. No database."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sources.passage_rendering import Footnotes, mark_html, render_passage, shown_range, table_cells
from sources.quotes import (
    CONTEXT_CHARS,
    NotRederivable,
    anchor_quote,
    quote_context,
    reading_context,
    rederive,
)
from sources.reader_layout import (
    PAGE_MAX_PASSAGES,
    PAGE_MAX_WEIGHT,
    PASSAGE_OVERHEAD,
    Block,
    Source,
    lay_out,
    page_anchors,
)
from sources.references import text_fragment
from tests.helpers import text_content

# --- rendering ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "markdown", "shown", "html"),
    [
        ("plain words", False, "plain words", "plain words"),
        (
            "from **collaborating** on",
            False,
            "from collaborating on",
            "from <strong>collaborating</strong> on",
        ),
        ("the [re-naming](#) of", False, "the re-naming of", "the re-naming of"),
        (
            "see [the act](https://example.org/act) now",
            False,
            "see the act now",
            'see <a href="https://example.org/act" rel="noopener noreferrer nofollow">the act</a> now',
        ),
        ("Office \\(C/2024/390\\)", False, "Office (C/2024/390)", "Office (C/2024/390)"),
        ("Thurnherr*, Uuk*", False, "Thurnherr*, Uuk*", "Thurnherr*, Uuk*"),
        (
            "an *emphasis* and `code`",
            True,
            "an emphasis and code",
            "an <em>emphasis</em> and <code>code</code>",
        ),
        ("an *emphasis*", False, "an *emphasis*", "an *emphasis*"),
        ("snake_case_name", True, "snake_case_name", "snake_case_name"),
        ("a <b>tag</b> here", True, "a tag here", "a tag here"),
        ("1 < 2 & 3 > 2", False, "1 < 2 & 3 > 2", "1 &lt; 2 &amp; 3 &gt; 2"),
        ("[x](javascript:alert(1)) y", False, "x y", "x y"),
        ("nul\x00here", False, "nulhere", "nulhere"),
        # A code span is not scanned for markup, but what HTML cannot carry is left out too.
        ("`a\x00b\x01c`", True, "abc", "<code>abc</code>"),
    ],
)
def test_inline_markup_is_shown_as_a_reader_sees_it(source, markdown, shown, html):
    rendered = render_passage(source, kind="paragraph", markdown=markdown)
    assert (rendered.shown, rendered.html) == (shown, html)
    assert text_content(rendered.html) == rendered.shown
    assert [source[o] for o in rendered.origins] == list(rendered.shown)


def test_a_table_row_is_its_cells_tab_separated():
    body = render_passage("Incident Reporting\tDevelop registry\t\tShare", kind="table_row")
    assert body.shown == "Incident Reporting\tDevelop registry\t\tShare"
    assert body.html == (
        '<th scope="row">Incident Reporting</th>\t<td>Develop registry</td>\t<td></td>\t<td>Share</td>'
    )
    header = render_passage("| | UK AISI | EU AI Office |", kind="table_row", header=True)
    assert header.shown == "\tUK AISI\tEU AI Office"
    assert (
        header.html
        == '<th scope="col"></th>\t<th scope="col">UK AISI</th>\t<th scope="col">EU AI Office</th>'
    )
    assert table_cells("| a \\| b | c |") == [(2, 8), (11, 12)]


def test_footnote_references_and_markers_link_across_pages():
    pages = {"footnote-2": "", "intro-p1": "/d/sections/intro/"}
    notes = Footnotes(
        labels={"2"},
        page_of=lambda anchor: pages.get(anchor, ""),
        first_reference={"2": "intro-p1"},
    )
    reference = render_passage("separation² - this", kind="paragraph", footnotes=notes)
    assert reference.shown == "separation² - this"
    assert reference.html == (
        'separation<a class="footnote-ref" id="footnote-ref-2" href="#footnote-2" '
        'aria-label="Footnote 2">²</a> - this'
    )
    again = render_passage("twice²", kind="paragraph", footnotes=notes)
    assert 'id="footnote-ref-2-2"' in again.html
    note = render_passage("² Collaboration as", kind="footnote", footnotes=notes)
    assert note.shown == "² Collaboration as"
    assert note.html.startswith('<a class="footnote-back" href="/d/sections/intro/#footnote-ref-2"')
    markdown = render_passage(
        "see[^2] and m² and [^9]", kind="paragraph", markdown=True, footnotes=notes
    )
    assert markdown.shown == "see2 and m² and [^9]"  # no footnote 9: shown as written


def test_shown_range_maps_a_source_range_and_refuses_hidden_content():
    rendered = render_passage("a **b** [c](https://x.org) d", kind="paragraph")
    assert rendered.shown == "a b c d"
    assert shown_range(rendered, 0, 7) == (0, 3)  # "a **b**" -> "a b"
    assert shown_range(rendered, 8, 11) == (4, 5)  # "[c]" -> "c"
    assert shown_range(rendered, 8, 26) is None  # covers the link's target
    assert shown_range(rendered, 2, 4) is None  # "**" alone shows nothing


def test_mark_html_marks_each_text_node_and_never_a_gap_between_cells():
    rendered = render_passage("In particular **collaborating** on", kind="paragraph")
    assert mark_html(rendered.html, 3, 30) == (
        'In <mark class="quote">particular </mark><strong><mark class="quote">collaborating'
        '</mark></strong><mark class="quote"> on</mark>'
    )
    row = render_passage("A & B\tC", kind="table_row")
    assert mark_html(row.html, 2, 7) == (
        '<th scope="row">A <mark class="quote">&amp; B</mark></th>\t<td><mark class="quote">C</mark></td>'
    )


# --- quotes over the shown text -------------------------------------------------------------


def test_rederive_takes_the_words_a_reader_sees():
    source = "could benefit from **collaborating** on jointly"
    rendered = render_passage(source, kind="paragraph")
    exact = "from **collaborating** on"
    start = source.index(exact)
    assert rederive(source, rendered, exact=exact, start=start, end=start + len(exact)) == (
        "from collaborating on",
        14,
        35,
    )
    with pytest.raises(NotRederivable, match="does not stand"):
        rederive(source, rendered, exact="nowhere", start=0, end=7)
    linked = "read [the act](https://example.org) now"
    with pytest.raises(NotRederivable, match="does not show"):
        rederive(
            linked, render_passage(linked, kind="paragraph"), exact=linked, start=0, end=len(linked)
        )


def test_context_reaches_into_the_neighbouring_passages():
    before, after = reading_context(["second before", "first"], ["next one", "and more"])
    assert before == ("first\nsecond before\n")[-CONTEXT_CHARS:]
    assert after == "\nnext one\nand more"
    anchor = anchor_quote("Quote here.", "Quote", before=before, after=after)
    assert anchor.prefix == before and anchor.suffix == " here.\nnext one\nand more"[:CONTEXT_CHARS]
    assert quote_context("abc", 0, 3, before="x" * 40, after="y" * 40) == (
        "x" * CONTEXT_CHARS,
        "y" * CONTEXT_CHARS,
    )
    assert reading_context([], []) == ("", "")


# --- text fragments -------------------------------------------------------------------------


def test_text_fragments_carry_whole_words_of_context_from_one_block():
    # A cell's quote: its context is the words of the cells on either side.
    assert (
        text_fragment(
            "Align definitions",
            prefix="n AI incident reporting registry\t",
            suffix="\tShare incidents when reported to",
        )
        == ":~:text=incident%20reporting%20registry-,Align%20definitions,-Share%20incidents%20when"
    )
    # A full window that cut a word in two leaves that word out.
    window = "We are collaborating on standards"[-CONTEXT_CHARS:]
    assert window.startswith("e are")
    assert text_fragment("x", prefix=window + " ", suffix="") == (
        ":~:text=collaborating%20on%20standards-,x"
    )
    assert text_fragment("x", prefix=("y" * 40)[-CONTEXT_CHARS:], suffix="") == ":~:text=x"
    # A quote across cells starts in its first cell and ends in its last.
    assert text_fragment("Incident Reporting\tDevelop registry") == (
        ":~:text=Incident%20Reporting,Develop%20registry"
    )
    assert text_fragment("  ") == ""


# --- pages ----------------------------------------------------------------------------------


def _blocks(spec: str, weight: int = 100) -> list[Block]:
    """`spec`: one letter a passage, H1/H2 a heading of that level, p a paragraph."""
    blocks = []
    for index, item in enumerate(spec.split()):
        if item.startswith("H"):
            blocks.append(Block(f"h{index}", "heading", int(item[1:]), weight))
        else:
            blocks.append(Block(f"p{index}", "paragraph", 0, weight))
    return blocks


def test_a_short_document_is_read_whole_on_its_front_page():
    assert page_anchors(_blocks("p H2 p p H2 p")) == [""] * 6


def test_a_long_document_is_cut_at_its_sections_and_no_page_is_too_large():
    heavy = PAGE_MAX_WEIGHT // 3
    blocks = _blocks("p H2 p p p H2 p H3 p p p p p p H2 p", weight=heavy)
    pages = page_anchors(blocks)
    assert pages[0] == ""  # the start of the text
    assert pages[1] == "h1"
    assert len(set(pages)) > 4
    for page in set(pages):
        members = [b for b, p in zip(blocks, pages, strict=True) if p == page]
        assert sum(b.weight + PASSAGE_OVERHEAD for b in members) <= PAGE_MAX_WEIGHT
        assert len(members) <= PAGE_MAX_PASSAGES
        # A page is named by its first passage, and its passages are consecutive.
        first = pages.index(page)
        assert page in ("", blocks[first].anchor)
        assert pages[first : first + len(members)] == [page] * len(members)


@given(st.lists(st.tuples(st.booleans(), st.integers(1, 3), st.integers(1, 60_000)), max_size=80))
def test_any_document_is_cut_into_pages_within_the_limits(items):
    blocks = [
        Block(f"b{i}", "heading" if heading else "paragraph", level if heading else 0, weight)
        for i, (heading, level, weight) in enumerate(items)
    ]
    pages = page_anchors(blocks)
    assert len(pages) == len(blocks)
    for page in set(pages):
        members = [b for b, p in zip(blocks, pages, strict=True) if p == page]
        assert len(members) <= PAGE_MAX_PASSAGES
        assert (
            len(members) == 1
            or sum(b.weight + PASSAGE_OVERHEAD for b in members) <= PAGE_MAX_WEIGHT
        )


def test_lay_out_links_table_rows_to_their_header_and_footnotes_across_pages():
    sources = [
        Source("t", "heading", 1, "Title"),
        Source("table-1-header", "table_row", 0, "A\tB", header=True),
        Source("table-1-x", "table_row", 0, "x\ty²"),
        Source("footnote-2", "footnote", 0, "² A note."),
    ]
    layouts = lay_out(sources, markdown=False, page_href=lambda page: f"/p/{page}/")
    assert [layout.table_header for layout in layouts] == [None, None, "table-1-header", None]
    assert [layout.page for layout in layouts] == [""] * 4
    assert 'href="#footnote-2"' in layouts[2].html
    assert 'href="#footnote-ref-2"' in layouts[3].html
