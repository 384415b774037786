"""Word-level differences (core.textdiff): whole words, both texts recoverable, escaped."""

from __future__ import annotations

import re
from html import unescape

from hypothesis import given
from hypothesis import strategies as st

from core.textdiff import MAX_TOKENS, diff_html, tokens, word_diff


def test_a_changed_word_is_shown_whole():
    assert word_diff("share results within a week", "share results within a month") == [
        ("equal", "share results within a "),
        ("delete", "week"),
        ("insert", "month"),
    ]


def test_added_and_removed_words_and_punctuation():
    assert word_diff("Yes (demonstrated)", "Yes, demonstrated") == [
        ("equal", "Yes"),
        ("insert", ","),
        ("equal", " "),
        ("delete", "("),
        ("equal", "demonstrated"),
        ("delete", ")"),
    ]
    assert word_diff("", "New text") == [("insert", "New text")]
    assert word_diff("Old text", "") == [("delete", "Old text")]
    assert word_diff("Same", "Same") == [("equal", "Same")]


def test_very_long_texts_are_shown_replaced_whole():
    before, after = "word " * MAX_TOKENS, "other " * MAX_TOKENS
    assert word_diff(before, after) == [("delete", before), ("insert", after)]


def test_the_html_says_in_words_what_changed():
    assert diff_html("a week", "a month") == (
        'a <del><span class="visually-hidden">removed: </span>week</del>'
        '<ins><span class="visually-hidden">added: </span>month</ins>'
    )


texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=60)


@given(texts, texts)
def test_both_texts_come_back_from_the_difference(before, after):
    runs = word_diff(before, after)
    assert "".join(text for op, text in runs if op != "insert") == before
    assert "".join(text for op, text in runs if op != "delete") == after
    assert "".join(tokens(before)) == before


@given(
    st.lists(
        st.sampled_from(["<script>", "</del>", "&amp;", '"', "'", "<ins>", "x", " "]), max_size=12
    ),
    texts,
)
def test_only_its_own_markup_comes_out(parts, after):
    html = diff_html("".join(parts), after)
    markup = set(re.findall(r"<[^>]*>", html))
    assert markup <= {
        "<del>",
        "</del>",
        "<ins>",
        "</ins>",
        '<span class="visually-hidden">',
        "</span>",
    }
    shown = re.sub(r'<span class="visually-hidden">(removed|added): </span>', "", html)
    # Without the added words, the text before, character for character; and the reverse.
    old = unescape(re.sub(r"</?del>", "", re.sub(r"<ins>.*?</ins>", "", shown, flags=re.S)))
    new = unescape(re.sub(r"</?ins>", "", re.sub(r"<del>.*?</del>", "", shown, flags=re.S)))
    assert (old, new) == ("".join(parts), after)
