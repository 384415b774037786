"""`search.query`: the query language; and what search makes of it without a database (the
FTS5 expression SQLite receives, the snippets it shows)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from search.backends import postgresql_full_text, sqlite_full_text
from search.query import MAX_QUERY_LENGTH, STOP_WORDS, ParsedQuery, QueryError, parse_query
from search.results import MARK_START, MARK_STOP, highlight


def _alternatives(parsed: ParsedQuery) -> list[tuple[list[str], list[str]]]:
    """Each alternative as (terms it needs, terms it excludes), a term's words joined."""
    return [
        (
            [" ".join(term.words) for term in group.include],
            [" ".join(term.words) for term in group.exclude],
        )
        for group in parsed.groups
    ]


@pytest.mark.parametrize(
    ("text", "alternatives"),
    [
        ("AI Office", [(["ai", "office"], [])]),
        ('"safety institute" report', [(["safety institute", "report"], [])]),
        ("model -evaluation", [(["model"], ["evaluation"])]),
        ('model -"red teaming"', [(["model"], ["red teaming"])]),
        # AND binds tighter than `or`.
        ("x or y z or w", [(["x"], []), (["y", "z"], []), (["w"], [])]),
        ("risk OR incident", [(["risk"], []), (["incident"], [])]),
        ("x or or y", [(["x"], []), (["y"], [])]),
        ("x -y or z", [(["x"], ["y"]), (["z"], [])]),
        # A stop word alone is dropped; inside a phrase it is kept.
        ("the AI Office", [(["ai", "office"], [])]),
        ('"the office" of', [(["the office"], [])]),
        # An unclosed quote runs to the end of the query.
        ('report "unclosed phrase words', [(["report", "unclosed phrase words"], [])]),
        # A hyphen between words joins them, as a phrase; one followed by a space excludes nothing.
        ("AI-Office", [(["ai office"], [])]),
        ("x - y", [(["x", "y"], [])]),
        ("Évaluation CAFÉ", [(["évaluation", "café"], [])]),
    ],
)
def test_the_query_is_read_as_websearch_reads_it(text, alternatives):
    assert _alternatives(parse_query(text)) == alternatives


def test_the_text_kept_is_the_query_without_surrounding_spaces():
    # PostgreSQL receives this text through websearch_to_tsquery.
    assert parse_query('  "AI Office" -uk  ').text == '"AI Office" -uk'


def test_a_query_of_the_longest_length_is_searched():
    assert parse_query("x" * MAX_QUERY_LENGTH).text == "x" * MAX_QUERY_LENGTH


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter words to search for."),
        ("   ", "Enter words to search for."),
        ("x" * (MAX_QUERY_LENGTH + 1), "The query is too long: at most 200 characters."),
        ("the and", "The query has only common words (such as “the” or “and”)."),
        ('"of the"', "The query has only common words (such as “the” or “and”)."),
        ("!!! ...", "The query has no words to search for, only punctuation."),
        ('"" -', "The query has no words to search for, only punctuation."),
        (
            "-x -y",
            "Say what to find, not only what to leave out: “-word” excludes, it does not search.",
        ),
        (
            '-"red teaming"',
            "Say what to find, not only what to leave out: “-word” excludes, it does not search.",
        ),
    ],
)
def test_a_query_with_nothing_to_find_is_refused_saying_why(text, message):
    with pytest.raises(QueryError) as refusal:
        parse_query(text)
    assert str(refusal.value) == message


def test_the_stop_words_are_postgresqls_english_list():
    assert {"the", "and", "or", "not", "of"} <= STOP_WORDS
    assert "office" not in STOP_WORDS


@pytest.mark.parametrize(
    ("text", "fts5"),
    [
        ("AI Office", '("ai" AND "office")'),
        ('"safety institute" -uk', '(("safety institute") NOT ("uk"))'),
        ('model -evaluation -"red teaming"', '(("model") NOT ("evaluation" OR "red teaming"))'),
        ("x y or z", '("x" AND "y") OR ("z")'),
        # FTS5 syntax typed in is only words: quoted, lower-cased, its punctuation dropped.
        ("NEAR(a b) x* ^y title:z", '("near a" AND "b" AND "x" AND "y" AND "title z")'),
        ("{title weight_b}: x", '("title" AND "weight b" AND "x")'),
        ('x + "y', '("x" AND "y")'),
    ],
)
def test_sqlite_receives_every_word_quoted(text, fts5):
    assert parse_query(text).fts5 == fts5


_QUOTED = re.compile(r'"[^\W_]+(?: [^\W_]+)*"')
_OPERATORS = re.compile(r"AND|OR|NOT|\(|\)")

_fragments = st.sampled_from(
    ["or", "OR", "-", '"', "(", ")", "*", "^", ":", "+", "NEAR", "AND", "NOT", "the", "ai", "é"]
)


@given(st.lists(st.one_of(_fragments, st.text(max_size=8)), max_size=30).map(" ".join))
def test_any_text_is_refused_or_becomes_fts5_words_and_operators_only(text):
    """User text never becomes FTS5 syntax: outside the quoted words there are only the
    operators and parentheses written by `fts5`, and nothing but QueryError is raised."""
    try:
        parsed = parse_query(text)
    except QueryError:
        return
    outside = _QUOTED.split(parsed.fts5)
    assert all(_OPERATORS.sub("", piece).strip() == "" for piece in outside)
    assert parsed.fts5.count("(") == parsed.fts5.count(")")


def test_the_user_text_reaches_either_database_only_as_a_parameter():
    parsed = parse_query("'); DROP TABLE search_fts; --")
    for full_text in (postgresql_full_text(parsed), sqlite_full_text(parsed)):
        pieces = (full_text.match, full_text.rank, full_text.snippet)
        assert not any("DROP" in piece.text for piece in pieces)
    assert postgresql_full_text(parsed).match.params == (parsed.text,)
    assert sqlite_full_text(parsed).match.params == (parsed.fts5,)


@pytest.mark.parametrize(
    ("marked", "html"),
    [
        (f"the {MARK_START}AI Office{MARK_STOP} tests", "the <mark>AI Office</mark> tests"),
        (
            f"<script>alert(\"{MARK_START}x{MARK_STOP}\")</script> & 'y'",
            "&lt;script&gt;alert(&quot;<mark>x</mark>&quot;)&lt;/script&gt; &amp; &#x27;y&#x27;",
        ),
        (f"<mark>{MARK_START}x{MARK_STOP}</mark>", "&lt;mark&gt;<mark>x</mark>&lt;/mark&gt;"),
        # Stray or nested delimiters are dropped, never left in the page.
        (f"a{MARK_STOP} {MARK_START}b", "a b"),
        (f"{MARK_START}a {MARK_START}b{MARK_STOP}", "a <mark>b</mark>"),
        # The source's dead links and `**` markers are shown plain.
        (f"[the {MARK_START}brief{MARK_STOP}](#) **here**", "the <mark>brief</mark> here"),
        ("", ""),
    ],
)
def test_highlight_escapes_the_text_then_marks_the_matches(marked, html):
    assert highlight(marked) == html
