"""Where the reader marks the page of the source (a PDF): where the page changes, and on a
passage that runs over a page break; nowhere for a document without pages."""

from __future__ import annotations

from sources.models import Passage
from sources.reader_html import source_page_marks


def passages(*pages: tuple[int | None, int | None]) -> list[Passage]:
    return [
        Passage(pk=number, anchor=f"p{number}", source_page=first, source_page_end=last)
        for number, (first, last) in enumerate(pages, start=1)
    ]


def labels(marks: dict[int, str]) -> dict[int, str]:
    return {pk: mark.split('data-label="')[1].split('"')[0] for pk, mark in marks.items()}


def test_a_mark_where_the_page_changes_and_where_a_passage_runs_over():
    marks = source_page_marks(passages((3, 3), (3, 3), (4, 4), (4, 5), (5, 5), (6, 6)))
    # The page's first passage says where it is, even mid-page of the source; one that
    # starts on the page the passage before it ended on says nothing.
    assert labels(marks) == {1: "p. 3", 3: "p. 4", 4: "pp. 4–5", 6: "p. 6"}
    assert marks[4] == (
        '<span class="source-page" role="img" aria-label="pages 4 to 5" '
        'data-label="pp. 4–5"></span>'
    )
    assert 'aria-label="page 3"' in marks[1]


def test_no_mark_without_pages():
    assert source_page_marks(passages((None, None), (None, None))) == {}
