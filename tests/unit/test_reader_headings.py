"""The reader's heading ranks: under the page's `h1`, never skipping one, whatever level a
page of the document starts at (the W3C's checker rejected a section page that went from its
`h1` to an `h3`)."""

from __future__ import annotations

from itertools import pairwise

from sources.reader_html import heading_tags


def test_a_page_from_the_top_of_the_document_nests_its_levels():
    assert heading_tags([1, 2, 3, 3, 2, 3]) == [2, 3, 4, 4, 3, 4]


def test_a_section_page_starts_at_h2_whatever_its_first_level():
    # A chapter (level 2), its articles (level 3).
    assert heading_tags([2, 3, 3]) == [2, 3, 3]
    # The rest of one chapter's articles, then the next chapter and its articles.
    assert heading_tags([3, 3, 2, 3]) == [2, 2, 2, 3]


def test_levels_the_source_skips_are_not_skipped_and_h6_is_the_deepest():
    assert heading_tags([1, 4, 4, 2]) == [2, 3, 3, 3]
    assert heading_tags([1, 2, 3, 4, 5, 6, 7]) == [2, 3, 4, 5, 6, 6, 6]


def test_no_rank_is_more_than_one_below_the_one_before():
    levels = [3, 1, 5, 2, 2, 6, 4, 1, 3]
    ranks = [1, *heading_tags(levels)]
    assert all(b <= a + 1 for a, b in pairwise(ranks))
