"""Splitting the two seeded source texts into passages: coverage, anchors, stability.

Hand-written texts, one rule at a time, are split in tests/unit/test_parsing.py.
"""

from __future__ import annotations

import re

import pytest

from sources.parsing import split_passages
from tests.helpers import split_checked
from tests.seedtext import ARTICLE, BRIEF, source_text

# What the seeded texts hold between passages: white space and block markup, nothing else.
MARKUP_ONLY = re.compile(r"[\s#*+\-_|]*")


@pytest.mark.parametrize(("slug", "markdown"), [(BRIEF, False), (ARTICLE, True)])
def test_passages_in_order_cover_the_text(slug, markdown):
    split_checked(source_text(slug), markdown=markdown, between=MARKUP_ONLY)


def test_the_briefs_anchors_are_readable():
    passages = {p.anchor: p for p in split_passages(source_text(BRIEF))}
    assert passages["executive-summary-p2"].text.startswith("In particular, the institutions")
    assert passages["footnote-2"].text.startswith("² Collaboration as a joint working process")
    assert passages["footnote-2"].kind == "footnote"
    assert passages["table-1-incident-reporting"].kind == "table_row"
    assert passages["table-1-incident-reporting"].section.endswith(
        "Table 1: Areas for potential Collaboration, Coordination, Communication and Separation"
    )
    assert passages["table-1-header"].text.startswith("Common activities")
    assert passages["table-1-header-2"].text == passages["table-1-header"].text
    # The second table also called "Table 1" gets its own key.
    assert passages["table-1-comparisons-of-functions-evaluating-capabilities"].text == (
        "Evaluating capabilities\tYes (demonstrated)\tYes (expected)"
    )
    assert passages["1-collaboration"].kind == "heading"
    assert passages["further-reading-item-1"].kind == "list_item"
    assert passages["further-reading-item-1"].text.startswith("[Exploring EU-UK Collaboration")
    # The paragraph broken by a page break stays two passages, in order.
    assert passages["2-coordination-p2"].text.startswith("are low, and where complementary")


def test_the_articles_markdown_headings_nest():
    passages = split_passages(source_text(ARTICLE), markdown=True)
    first = passages[0]
    assert first.kind == "heading"
    assert first.level == 2
    assert (
        first.text == "EU and US Deepen AI Collaboration After Trade and Technology Council Meeting"
    )
    leuven = next(p for p in passages if "Leuven" in p.text)
    assert leuven.kind == "paragraph"
    assert leuven.anchor == f"{first.anchor}-p1"
    sub = next(p for p in passages if p.text.startswith("Initiating Collaborative"))
    assert sub.level == 3
    assert sub.section == first.text


def test_anchors_survive_an_edit_elsewhere():
    text = source_text(BRIEF)
    before = {p.anchor: p.text for p in split_passages(text)}
    edited = text.replace(
        "In short, there are a range of avenues", "In brief, there are many avenues"
    )
    after = {p.anchor: p.text for p in split_passages(edited)}
    assert before.keys() == after.keys()
    changed = {anchor for anchor in before if before[anchor] != after[anchor]}
    assert changed == {"executive-summary-p3"}
