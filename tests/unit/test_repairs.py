"""`sources.repairs`: where an orphaned quote may have gone, proposed, never applied."""

from __future__ import annotations

import random
import time

from hypothesis import given
from hypothesis import strategies as st
from rapidfuzz import utils

from sources.quotes import anchor_quote, quote_context
from sources.repairs import (
    COMMON_WORD_SHARE,
    MAX_SUGGESTIONS,
    MIN_SCORE,
    NEARBY,
    WORD_CANDIDATES,
    Candidate,
    Current,
    PassageIndex,
    is_candidate,
    suggestions,
)

OLD = "Communication is well-suited to areas like risk monitoring and incident reporting"
NEW = "Communication is best suited to areas such as risk monitoring and incident reporting"
PASSAGES = [
    Current("summary", "Executive summary"),
    Current(
        "summary-p2",
        "Coordination may be ideal for evaluations. " + NEW + ", where mandates differ.",
    ),
    Current("summary-p3", "Incident reporting is discussed below."),
]


def test_a_reworded_sentence_is_the_best_candidate_whole_words():
    found = suggestions(
        exact=OLD,
        prefix="ideal for evaluations. ",
        suffix=", where mandates differ.",
        passages=PASSAGES,
    )
    best = found[0]
    assert (best.passage, best.exact) == ("summary-p2", NEW)
    assert PASSAGES[1].shown[best.start : best.end] == best.exact
    assert MIN_SCORE <= best.score < 1


def test_an_unchanged_quote_that_moved_scores_one_and_keeps_its_words():
    moved = [Current("p1", "A new first sentence. " + OLD + ".")]
    [best] = suggestions(exact=OLD, prefix="", suffix=".", passages=moved)
    assert (best.exact, best.start) == (OLD, len("A new first sentence. "))
    assert best.score > 0.9


def test_context_chooses_between_two_places_with_the_same_words():
    rows = [Current("testing", "Testing\tYes\tNo"), Current("standards", "Standards\tNo\tYes")]
    found = suggestions(exact="Yes", prefix="Testing\t", suffix="\tNo", passages=rows)
    assert [c.passage for c in found] == ["testing", "standards"]
    assert found[0].score > found[1].score


def test_nothing_fits_nothing_is_suggested():
    assert (
        suggestions(exact="Zebras graze by the lighthouse", prefix="", suffix="", passages=PASSAGES)
        == []
    )
    assert suggestions(exact=OLD, prefix="", suffix="", passages=[]) == []
    assert suggestions(exact="   ", prefix="", suffix="", passages=PASSAGES) == []


def test_a_short_passage_is_no_candidate_for_a_long_quote():
    # Its words are all in the quote, but it cannot hold it.
    found = suggestions(exact=OLD, prefix="", suffix="", passages=[Current("h", "risk monitoring")])
    assert found == []


def test_at_most_three_best_first():
    many = [Current(f"p{i}", f"Intro {i}. " + OLD[: len(OLD) - i] + ".") for i in range(8)]
    found = suggestions(exact=OLD, prefix="", suffix="", passages=many)
    assert len(found) == MAX_SUGGESTIONS
    assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)
    assert found[0].passage == "p0"


def test_a_candidate_is_a_new_citation_by_the_quote_rules():
    [best, *_] = suggestions(
        exact=OLD, prefix="ideal for evaluations. ", suffix=", where", passages=PASSAGES
    )
    shown = PASSAGES[1].shown
    anchor = anchor_quote(shown, best.exact, start=best.start)
    assert (anchor.start, anchor.end) == (best.start, best.end)
    assert is_candidate([best], passage="summary-p2", start=best.start, end=best.end)
    assert not is_candidate([best], passage="summary-p2", start=best.start + 1, end=best.end)


def test_a_document_of_thousands_of_passages_stays_fast():
    filler = "The institutes publish a joint statement on testing number {} this year."
    passages = [Current(f"p{i}", filler.format(i)) for i in range(5000)]
    passages[3210] = Current("p3210", "Before it. " + NEW + ". After it.")
    started = time.perf_counter()
    found = suggestions(exact=OLD, prefix="", suffix="", passages=passages)
    elapsed = time.perf_counter() - started
    assert found[0].passage == "p3210" and found[0].exact == NEW
    assert elapsed < 2.0, elapsed


def _long_document() -> list[Current]:
    """3,000 passages, each with words of its own beside words that every passage has."""
    topics = ["testing", "standards", "incident", "evaluation", "procurement", "compute"]
    return [
        Current(
            f"p{i}",
            f"The office and the institute review {topics[i % 6]} item {i} "
            f"with partner {i * 7919 % 104729} in region {i % 97}.",
        )
        for i in range(3000)
    ]


def test_one_index_serves_many_quotes_as_a_scan_of_every_passage_would(monkeypatch):
    passages = _long_document()
    index = PassageIndex(passages)
    quotes = [(passages[i].shown[4:60], passages[i - 1].shown[-20:]) for i in (5, 1234, 2999)]
    found = [suggestions(exact=q, prefix=p, suffix="", passages=index) for q, p in quotes]
    assert [f[0].passage for f in found] == ["p5", "p1234", "p2999"]
    shortlist = index.shortlist(index.processed[1234])
    assert 1234 in shortlist and len(shortlist) <= WORD_CANDIDATES < len(passages)
    # Without the first step's shortlist, every passage compared: the same best place (the
    # runners-up of this document of near-twins may differ, by a few hundredths).
    monkeypatch.setattr("sources.repairs.WORD_CANDIDATES", len(passages))
    scanned = [suggestions(exact=q, prefix=p, suffix="", passages=passages) for q, p in quotes]
    assert [s[0] for s in scanned] == [f[0] for f in found]


def test_a_quote_of_words_in_every_passage_is_matched_against_every_passage():
    passages = _long_document()
    index = PassageIndex(passages)
    assert index.shortlist("the office and the institute review") == list(range(3000))
    [best, *_] = suggestions(
        exact="The office and the institute review", prefix="", suffix="", passages=index
    )
    assert best.exact == "The office and the institute review"


def test_a_word_in_hundreds_of_passages_is_left_out_of_the_shortlist():
    """In a long text a word can be in few of its passages yet in hundreds of them: it is
    left out, so matching one quote costs the same in a text twice as long."""
    passages = [
        Current(f"p{i}", f"passage {i} " + ("shared words" if i % 16 == 0 else "other"))
        for i in range(10_000)
    ]
    passages[4321] = Current("p4321", "the unique passage")
    index = PassageIndex(passages)
    assert len(index.postings()["shared"]) == 625 < COMMON_WORD_SHARE * 10_000
    assert index.shortlist("shared unique") == [4321]


def test_a_quote_of_common_words_is_looked_for_near_where_it_stood():
    # Every passage: eight words of twenty, so every word is in most passages.
    rng = random.Random(7)
    vocabulary = ["risk", "model", "office", "testing", "report", "data", "code", "rules"]
    vocabulary += ["audit", "trust", "panel", "safety", "market", "access", "review"]
    vocabulary += ["notice", "scope", "level", "chain", "cost"]
    passages = [Current(f"p{i}", " ".join(rng.sample(vocabulary, 8))) for i in range(3000)]
    quote = "audit chain access panel safety trust"
    passages[2100] = Current("p2100", f"{quote}.")
    index = PassageIndex(passages)
    words = utils.default_process(quote)
    assert index.shortlist(words) == list(range(3000))
    assert index.shortlist(words, near="p2050") == list(range(2050 - NEARBY, 2050 + NEARBY + 1))
    [best, *_] = suggestions(exact=quote, prefix="", suffix="", passages=index, near="p2050")
    assert (best.passage, best.exact) == ("p2100", quote)


@given(
    words=st.lists(
        st.sampled_from(["risk", "monitoring", "and", "incident", "a", "the", "AI", "."]),
        min_size=3,
        max_size=30,
    ),
    data=st.data(),
)
def test_every_candidate_is_whole_words_and_an_unchanged_quote_is_found(words, data):
    text = " ".join(words)
    first = data.draw(st.integers(0, len(words) - 1))
    last = data.draw(st.integers(first, len(words) - 1))
    start = len(" ".join(words[:first])) + (1 if first else 0)
    exact = " ".join(words[first : last + 1])
    prefix, suffix = quote_context(text, start, start + len(exact))
    found = suggestions(exact=exact, prefix=prefix, suffix=suffix, passages=[Current("p", text)])
    assert found and found[0].exact == exact
    for candidate in found:
        assert isinstance(candidate, Candidate)
        assert text[candidate.start : candidate.end] == candidate.exact
        assert candidate.start == 0 or text[candidate.start - 1] == " "
        assert candidate.end == len(text) or text[candidate.end] == " "
        assert 0 <= candidate.score <= 1
