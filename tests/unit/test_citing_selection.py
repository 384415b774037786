"""The words of a selection in a passage (`sources.citing.selection_quote`): pure."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from sources.citing import selection_quote

SHOWN = "Row label\tAlign “incident” definitions and create\tShare incidents"


def passage(shown: str = SHOWN):
    return SimpleNamespace(shown=shown)


def test_the_selected_words_without_the_spaces_around_them():
    start = SHOWN.index(" “incident”")
    assert selection_quote(passage(), start, start + 12) == ("“incident”", start + 1)
    assert selection_quote(passage(), 0, 3) == ("Row", 0)


def test_a_selection_across_cells_keeps_the_tab_between_them():
    start = SHOWN.index("create")
    exact, first = selection_quote(passage(), start, start + len("create\tShare"))
    assert (exact, first) == ("create\tShare", start)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (5, 5, "is not within the passage"),
        (6, 2, "is not within the passage"),
        (0, len(SHOWN) + 1, "is not within the passage"),
        (3, 4, "holds no words"),
    ],
)
def test_a_selection_outside_the_passage_or_without_words_is_refused(start, end, message):
    with pytest.raises(ValueError, match=message):
        selection_quote(passage(), start, end)
