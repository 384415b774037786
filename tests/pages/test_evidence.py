"""Evidence on the pages: a blank the source leaves told from a cell nobody assessed, in
words; inferred cells marked, with their note; contradicting citations apart."""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser

import pytest

from engagement.models import CellEvidence
from engagement.services import framework_cells_complete
from sources.models import CitationRole
from tests.factories import CitationFactory, FrameworkFactory
from tests.helpers import brief_cell, get_page, refused_page, text_content

pytestmark = pytest.mark.usefixtures("kb")

BRIEF = "/frameworks/eu-ai-office-uk-aisi/"
ARTICLE = "/frameworks/eu-ai-office-us-aisi/"
GAPS = "/frameworks/gaps/"
CELL = "cells/institutional-development/"
NONE_STATED = '<span class="kind kind-empty">None stated in the source</span>'
NOT_ASSESSED = '<span class="kind kind-empty">Not assessed</span>'


class _Structure(HTMLParser):
    """Ids and the nesting of the elements that must close, as a validator checks them."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
    CLOSED = {"section", "dl", "dt", "dd", "div", "ul", "li", "table", "tr", "td", "th", "p", "a"}

    def __init__(self) -> None:
        super().__init__()
        self.ids: Counter[str] = Counter()
        self.labelled_by: list[str] = []
        self.open: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if values.get("id"):
            self.ids[values["id"]] += 1
        if values.get("aria-labelledby"):
            self.labelled_by.extend(values["aria-labelledby"].split())
        if tag in self.CLOSED:
            self.open.append(tag)

    def handle_endtag(self, tag):
        if tag not in self.CLOSED:
            return
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.open[-1:] or 'nothing'}")
            return
        self.open.pop()


def assert_well_formed(html: str) -> None:
    parser = _Structure()
    parser.feed(html)
    parser.close()
    assert parser.problems == [] and parser.open == []
    assert [name for name, n in parser.ids.items() if n > 1] == []
    assert [name for name in parser.labelled_by if name not in parser.ids] == []


@pytest.fixture
def gaps():
    """A framework whose grid the gap-filler completed (every cell not assessed), one of
    them then marked as left blank by the source."""
    framework = FrameworkFactory(slug="gaps")
    framework_cells_complete(framework=framework)
    blank = framework.cells.get(
        activity__slug="institutional-development", level__slug="separation"
    )
    blank.evidence = CellEvidence.NONE_STATED
    blank.save()
    return framework


def test_the_briefs_two_blanks_are_none_stated(client):
    html = get_page(client, BRIEF)
    assert html.count(NONE_STATED) == 2
    assert NOT_ASSESSED not in html
    assert html.count('data-evidence="none_stated"') == 2


def test_none_stated_and_not_assessed_are_told_apart_in_words(client, gaps):
    html = get_page(client, GAPS)
    assert html.count(NONE_STATED) == 1
    assert html.count(NOT_ASSESSED) == 59
    assert html.count('data-evidence="not_assessed"') == 59
    assert_well_formed(html)
    transposed = get_page(client, GAPS + "?view=levels")
    assert (transposed.count(NONE_STATED), transposed.count(NOT_ASSESSED)) == (1, 59)


def test_inferred_cells_are_marked(client):
    html = get_page(client, ARTICLE)
    assert html.count('<span class="evidence evidence-inferred">Inferred</span>') == 4
    assert '<span class="evidence evidence-inferred">' not in get_page(client, BRIEF)


def test_the_evidence_filter_on_the_page(client, gaps):
    html = get_page(client, GAPS + "?evidence=none_stated")
    assert re.search(r'role="status">1 matching cell\b', html)
    assert html.count(NONE_STATED) == 1 and NOT_ASSESSED not in html
    assert 'id="f-evidence-none_stated" checked' in html
    assert 'id="f-evidence-not_assessed">' in html
    both = get_page(client, GAPS + "?evidence=none_stated,not_assessed&level=separation")
    assert re.search(r'role="status">15 matching cells\b', both)
    stated = get_page(client, BRIEF + "?evidence=stated&activity=institutional-development")
    assert re.search(r'role="status">2 matching cells\b', stated)


@pytest.mark.parametrize("value", ["none", "stated,unknown", "Not assessed"])
def test_an_unknown_evidence_on_the_page_is_a_400_naming_it(client, value):
    refused_page(client, f"{BRIEF}?evidence={value}", "evidence")


def test_the_page_with_the_evidence_filter_keeps_its_query_count(
    client, django_assert_max_num_queries
):
    # As with any filter: the page's two reads, the form's level and activity lookups.
    get_page(client, BRIEF)
    with django_assert_max_num_queries(4):
        get_page(client, BRIEF + "?evidence=none_stated,stated&level=collaboration")


def test_the_cell_page_says_none_stated(client):
    html = get_page(client, BRIEF + CELL + "collaboration/")
    assert (
        '<dt>Evidence</dt><dd class="evidence evidence-none_stated">None stated in the source</dd>'
        in html
    )
    assert "None stated in the source: the source's table leaves this cell blank." in html
    assert "Not assessed" not in html


def test_the_cell_page_says_not_assessed(client, gaps):
    html = get_page(client, GAPS + CELL + "collaboration/")
    assert '<dd class="evidence evidence-not_assessed">Not assessed</dd>' in html
    assert "Not assessed: no one has yet assessed this cell against the source." in html
    assert "None stated" not in html
    # Its neighbours say which of them the source leaves blank.
    neighbours = text_content(html.split('id="neighbours-heading"', 1)[1])
    assert "Separation: none stated in the source" in neighbours
    assert "Coordination: not assessed" in neighbours


def test_an_inferred_cell_shows_its_note(client):
    html = get_page(client, ARTICLE + "cells/develop-evaluations/collaboration/")
    assert '<dd class="evidence evidence-inferred">Inferred</dd>' in html
    assert '<h2 id="note-heading">Inferred: the analyst\'s note</h2>' in html
    assert "The article calls it a collaborative effort" in html
    assert_well_formed(html)


def test_contradicting_citations_are_shown_apart(client, django_assert_max_num_queries):
    cell = brief_cell("standards", "separation")
    passage = cell.citations.get(role=CitationRole.SOURCE).passage.document.passages.get(
        anchor="footnote-2"
    )
    CitationFactory(claim=cell, passage=passage, role=CitationRole.CONTRADICTS)
    url = BRIEF + "cells/standards/separation/"
    get_page(client, url)
    # As without one (`test_cell.test_cell_page_query_count`).
    with django_assert_max_num_queries(5):
        html = get_page(client, url)
    assert_well_formed(html)
    citations, contradicted = html.split('<h2 id="contradicted-heading">Contradicted by</h2>')
    citations = citations.split('<h2 id="citations-heading">Citations</h2>')[1]
    assert "footnote-2" in contradicted.split("</section>")[0]
    assert "footnote-2" not in citations
    assert "table-1-standards" in citations


def test_no_contradicted_by_heading_without_one(client):
    html = get_page(client, BRIEF + "cells/standards/separation/")
    assert "Contradicted by" not in html
