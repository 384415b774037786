"""Word-level differences (core.textdiff): whole words, runs grouped, both texts
recoverable, escaped; for pages and for feed readers."""

from __future__ import annotations

import re
from html import unescape

from hypothesis import given
from hypothesis import strategies as st

from core.textdiff import MAX_TOKENS, diff_html, mostly_changed, tokens, word_diff


def test_a_changed_word_is_shown_whole():
    assert word_diff("share results within a week", "share results within a month") == [
        ("equal", "share results within a "),
        ("delete", "week"),
        ("insert", "month"),
    ]


def test_added_and_removed_words_and_punctuation():
    assert word_diff("Yes (demonstrated)", "Yes, demonstrated") == [
        ("equal", "Yes"),
        # Only a space between two changes: one change.
        ("delete", " ("),
        ("insert", ", "),
        ("equal", "demonstrated"),
        ("delete", ")"),
    ]
    assert word_diff("", "New text") == [("insert", "New text")]
    assert word_diff("Old text", "") == [("delete", "Old text")]
    assert word_diff("Same", "Same") == [("equal", "Same")]


REWRITTEN_START = (
    "A collaborative effort to share evaluation results between the two institutes",
    "Text changed after review: share evaluation results between the two institutes",
)


def test_a_replaced_run_is_the_old_run_then_the_new_never_word_by_word():
    before, after = REWRITTEN_START
    assert word_diff(before, after) == [
        ("delete", "A collaborative effort to"),
        ("insert", "Text changed after review:"),
        ("equal", " share evaluation results between the two institutes"),
    ]
    html = diff_html(before, after)
    assert html.startswith(
        '<del><span class="visually-hidden">removed: </span>A collaborative effort to</del>'
        '<ins><span class="visually-hidden">added: </span>Text changed after review:</ins>'
        " share evaluation"
    )
    assert html.count("<del>") == html.count("<ins>") == 1


def test_changes_kept_apart_by_a_word_stay_apart():
    assert word_diff("within one week, then monthly", "within two weeks, then yearly") == [
        ("equal", "within "),
        ("delete", "one week"),
        ("insert", "two weeks"),
        ("equal", ", then "),
        ("delete", "monthly"),
        ("insert", "yearly"),
    ]


MOSTLY_CHANGED = (
    "Separate national registries for incidents",
    "Share incident reports through one common registry",
)


def test_a_text_that_mostly_changed_is_shown_before_and_after_in_full():
    before, after = MOSTLY_CHANGED
    assert mostly_changed(before, after, word_diff(before, after))
    assert diff_html(before, after) == (
        '<span class="diff-side diff-before"><span class="diff-label">Before:</span> '
        "Separate national registries for incidents</span>"
        '<span class="diff-side diff-after"><span class="diff-label">After:</span> '
        "Share incident reports through one common registry</span>"
    )
    # Half the words kept or more: a difference.
    assert not mostly_changed(*REWRITTEN_START, word_diff(*REWRITTEN_START))
    # A text added or removed whole is not a rewrite.
    assert not mostly_changed("", after, word_diff("", after))


def test_the_feed_has_the_new_text_in_one_run_and_the_old_beside_it_without_hidden_labels():
    before, after = REWRITTEN_START
    feed = diff_html(before, after, feed=True)
    assert feed == (
        "<p>Now: <ins>Text changed after review:</ins> share evaluation results between the "
        "two institutes</p>"
        "<p>Was: <del>A collaborative effort to</del> share evaluation results between the "
        "two institutes</p>"
    )
    assert diff_html(*MOSTLY_CHANGED, feed=True) == (
        "<p>Now: Share incident reports through one common registry</p>"
        "<p>Was: Separate national registries for incidents</p>"
    )
    assert diff_html("", "New <text>", feed=True) == "<p>New &lt;text&gt;</p>"
    assert diff_html("Old text", "", feed=True) == "<p>Was: Old text</p>"


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


hostile = st.lists(
    st.sampled_from(["<script>", "</del>", "&amp;", '"', "'", "<ins>", "x", "y", " ", "Before:"]),
    max_size=12,
).map("".join)
SIDE = re.compile(
    r'^<span class="diff-side diff-before"><span class="diff-label">Before:</span> (.*)</span>'
    r'<span class="diff-side diff-after"><span class="diff-label">After:</span> (.*)</span>$',
    re.S,
)


@given(hostile, st.one_of(hostile, texts))
def test_only_its_own_markup_comes_out(before, after):
    html = diff_html(before, after)
    sides = SIDE.match(html)
    if sides:
        assert (unescape(sides.group(1)), unescape(sides.group(2))) == (before, after)
        return
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
    assert (old, new) == (before, after)


@given(hostile, st.one_of(hostile, texts))
def test_the_feed_gives_each_text_whole_with_only_its_own_markup(before, after):
    html = diff_html(before, after, feed=True)
    assert set(re.findall(r"<[^>]*>", html)) <= {
        "<p>",
        "</p>",
        "<del>",
        "</del>",
        "<ins>",
        "</ins>",
    }
    paragraphs = [
        unescape(re.sub(r"<[^>]*>", "", p)) for p in re.findall(r"<p>(.*?)</p>", html, re.S)
    ]
    expected = []
    if after:
        expected.append(("Now: " if before else "") + after)
    if before:
        expected.append("Was: " + before)
    assert paragraphs == expected
