"""The changes feed's cursor: what a `next` link carries, and nothing else."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.changes import MAX_VERSION, Cursor


@given(st.integers(0, MAX_VERSION), st.integers(0, 999), st.integers(0, MAX_VERSION))
def test_a_cursor_comes_back_as_it_went(version, rank, history_id):
    cursor = Cursor(version, rank, history_id)
    assert Cursor.decode(cursor.encode()) == cursor


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not-base64!",
        "MS4y",
        "LTEuMi4z",
        "YS5iLmM",
        "x" * 81,
        "OTk5OTk5OTk5OTk5OTk5OTk5OTkuMS4x",
    ],
)
def test_anything_else_is_refused(text):
    with pytest.raises(ValueError):
        Cursor.decode(text)


def test_cursors_order_as_the_feed_does():
    assert Cursor(3, 0, 9) < Cursor(3, 1, 1) < Cursor(4, 0, 0) < Cursor.after_version(4)
