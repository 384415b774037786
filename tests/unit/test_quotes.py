"""`sources.quotes`: where a quote stands in a text, and whether it still does."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sources.quotes import (
    CONTEXT_CHARS,
    Anchor,
    QuoteNotFound,
    anchor_quote,
    occurrence_of,
    quote_context,
    quote_stands,
)

TEXT = "The AI Office and the AISI test models; the AISI also tests agents."


def test_the_first_occurrence_by_default():
    anchor = anchor_quote(TEXT, "AISI")
    assert anchor == Anchor(
        exact="AISI",
        prefix="The AI Office and the ",
        suffix=" test models; the AISI also test",
        start=22,
        end=26,
    )
    assert TEXT[anchor.start : anchor.end] == "AISI"


def test_the_nth_occurrence():
    anchor = anchor_quote(TEXT, "AISI", occurrence=2)
    assert (anchor.start, anchor.end) == (44, 48)
    assert TEXT[44:48] == "AISI"
    assert anchor.prefix == TEXT[44 - CONTEXT_CHARS : 44]
    assert anchor.suffix == " also tests agents."


def test_overlapping_occurrences_each_count():
    assert [anchor_quote("aaaa", "aa", occurrence=n).start for n in (1, 2, 3)] == [0, 1, 2]
    with pytest.raises(QuoteNotFound) as raised:
        anchor_quote("aaaa", "aa", occurrence=4)
    assert str(raised.value) == "“aa” is not found in the passage (occurrence 4)."


def test_at_a_given_start():
    anchor = anchor_quote(TEXT, "AISI", start=44)
    assert (anchor.start, anchor.end) == (44, 48)
    assert anchor == anchor_quote(TEXT, "AISI", occurrence=2)


def test_a_given_start_wins_over_the_occurrence():
    assert anchor_quote(TEXT, "AISI", start=44, occurrence=1).start == 44


@pytest.mark.parametrize(
    ("exact", "options", "message"),
    [
        ("agency", {}, "“agency” is not found in the passage."),
        ("AISI", {"occurrence": 3}, "“AISI” is not found in the passage (occurrence 3)."),
        ("agency", {"where": "passage footnote-2"}, "“agency” is not found in passage footnote-2."),
        ("AISI", {"start": 23}, "The quote is not found at 23-27 of the passage."),
        ("AISI", {"start": 200}, "The quote is not found at 200-204 of the passage."),
        (
            "AISI",
            {"start": 21, "where": "the brief"},
            "The quote is not found at 21-25 of the brief.",
        ),
        ("", {}, "A quote cannot be empty."),
        ("", {"start": 0}, "A quote cannot be empty."),
        ("AISI", {"occurrence": 0}, "The occurrence must be 1 or more, not 0."),
        ("AISI", {"occurrence": -2}, "The occurrence must be 1 or more, not -2."),
    ],
)
def test_refusals_say_why(exact, options, message):
    with pytest.raises(QuoteNotFound) as raised:
        anchor_quote(TEXT, exact, **options)
    assert str(raised.value) == message


def test_a_quote_not_found_is_a_value_error():
    assert issubclass(QuoteNotFound, ValueError)


def test_a_long_quote_is_cut_to_80_characters_in_the_message():
    exact = "x" * 100
    with pytest.raises(QuoteNotFound) as raised:
        anchor_quote(TEXT, exact)
    assert str(raised.value) == f"“{'x' * 80}” is not found in the passage."


def test_prefix_and_suffix_are_context_chars_long():
    text = "p" * 50 + "QUOTE" + "s" * 50
    anchor = anchor_quote(text, "QUOTE")
    assert anchor.prefix == "p" * CONTEXT_CHARS
    assert anchor.suffix == "s" * CONTEXT_CHARS


@pytest.mark.parametrize(
    ("text", "prefix", "suffix"),
    [
        ("QUOTE", "", ""),
        ("QUOTE and after", "", " and after"),
        ("before and QUOTE", "before and ", ""),
        ("p" * CONTEXT_CHARS + "QUOTE", "p" * CONTEXT_CHARS, ""),
        ("p" * (CONTEXT_CHARS - 1) + "QUOTE", "p" * (CONTEXT_CHARS - 1), ""),
        ("QUOTE" + "s" * (CONTEXT_CHARS + 1), "", "s" * CONTEXT_CHARS),
    ],
)
def test_prefix_and_suffix_are_clipped_at_the_edges_of_the_text(text, prefix, suffix):
    anchor = anchor_quote(text, "QUOTE")
    assert (anchor.prefix, anchor.suffix) == (prefix, suffix)


def test_quote_context():
    assert quote_context(TEXT, 22, 26) == (TEXT[:22], TEXT[26 : 26 + CONTEXT_CHARS])
    assert quote_context("abc", 0, 3) == ("", "")
    assert quote_context("abcdef", 2, 4) == ("ab", "ef")


@pytest.mark.parametrize(
    ("exact", "start", "end", "stands"),
    [
        ("AISI", 22, 26, True),
        ("AISI", 44, 48, True),
        ("AISI", 23, 27, False),  # moved
        ("AISI", 22, 27, False),  # offsets wider than the quote
        ("AISI", 22, 25, False),  # narrower
        ("aisi", 22, 26, False),  # case matters
        ("AISI", -45, -41, False),  # a negative start never stands, even where slicing would
        ("AISI", 200, 204, False),  # past the end of the text
    ],
)
def test_quote_stands(exact, start, end, stands):
    assert quote_stands(TEXT, exact=exact, start=start, end=end) is stands


def test_the_negative_offsets_above_would_slice_to_the_quote():
    assert TEXT[-45:-41] == "AISI"


@pytest.mark.parametrize(
    ("text", "exact"),
    [(TEXT, "AISI"), (TEXT, "the"), (TEXT, "s"), ("aaaa", "aa"), ("abababa", "aba"), ("x", "x")],
)
def test_occurrence_of_agrees_with_anchor_quote(text, exact):
    starts = [m.start() for m in re.finditer(f"(?=({re.escape(exact)}))", text)]
    assert starts
    for number, start in enumerate(starts, 1):
        assert occurrence_of(text, exact, start) == number
        assert anchor_quote(text, exact, occurrence=number).start == start


@st.composite
def texts_with_a_quote(draw) -> tuple[str, int, int]:
    # A small alphabet makes repeated and overlapping quotes common.
    text = draw(st.one_of(st.text(alphabet="ab ", min_size=1), st.text(min_size=1)))
    start = draw(st.integers(0, len(text) - 1))
    end = draw(st.integers(start + 1, len(text)))
    return text, start, end


@given(texts_with_a_quote())
def test_the_anchor_of_any_quote_is_where_it_was_taken_from(case):
    text, start, end = case
    exact = text[start:end]
    anchor = anchor_quote(text, exact, occurrence=occurrence_of(text, exact, start))
    assert (anchor.start, anchor.end) == (start, end)
    assert quote_stands(text, exact=anchor.exact, start=anchor.start, end=anchor.end)
    assert (anchor.prefix, anchor.suffix) == quote_context(text, start, end)
