"""The pages of a source (a PDF) on the pages: the reader marks in its margin where the
source's page changes, named for a screen reader; a cell's page names the page of each
passage it cites. A document without pages shows none."""

from __future__ import annotations

import pytest

from sources.models import Passage
from tests.conftest import Paged
from tests.factories import CitationFactory, InstitutionFactory
from tests.helpers import get_page, text_content

pytestmark = pytest.mark.usefixtures("kb")

BRIEF = "/documents/synergies-eu-ai-office-uk-aisi-2025/"


def mark(pages: str, spoken: str) -> str:
    return (
        f'<span class="source-page" role="img" aria-label="{spoken}" data-label="{pages}"></span>'
    )


def test_the_reader_marks_where_the_page_changes(client, paged: Paged):
    html = get_page(client, "/documents/paged-report/")
    # The first passage says its page; the next on the same page does not; the first on
    # page 2 does, and so does one that runs over onto page 3.
    assert f'<div class="passage-heading">{mark("p. 1", "page 1")}<h2 id="findings"' in html
    assert '<p id="findings-p1" class="passage passage-paragraph">The first' in html
    assert (
        f'<p id="findings-p2" class="passage passage-paragraph">{mark("p. 2", "page 2")}'
        "The two institutions"
    ) in html
    assert (
        f'<p id="findings-p3" class="passage passage-paragraph">{mark("pp. 2–3", "pages 2 to 3")}'
        "This paragraph"
    ) in html
    assert html.count('class="source-page"') == 3


def test_the_marks_add_nothing_to_the_reading_text(client, paged: Paged):
    html = get_page(client, "/documents/paged-report/")
    start = html.index('<section class="text"')
    section = html[start : html.index("</section>", start)]
    text = text_content(section[section.index(">") + 1 :]).strip()
    shown = Passage.objects.for_reader(paged.document).values_list("shown", flat=True)
    assert text == "\n".join(shown)


def test_a_document_without_pages_has_no_marks(client):
    html = get_page(client, BRIEF)
    assert "source-page" not in html


def test_the_cell_page_names_the_page_of_its_citation(client, paged: Paged):
    html = get_page(client, paged.cell.get_absolute_url())
    assert '<code>#findings-p2</code>\n    · <span class="source-pages">p. 2</span>' in html
    html = get_page(client, paged.over.get_absolute_url())
    assert '· <span class="source-pages">pp. 2–3</span>' in html
    html = get_page(
        client, "/frameworks/eu-ai-office-uk-aisi/cells/incident-reporting/coordination/"
    )
    assert "source-pages" not in html


def test_the_cited_by_page_names_the_page_of_its_passage(client, paged: Paged):
    html = get_page(client, "/documents/paged-report/passages/findings-p3/cited-by/")
    assert "<p>A Paged Report, Findings, pp. 2–3. <a href=" in html


def test_pages_cost_no_query(client, paged: Paged, django_assert_max_num_queries):
    citation = paged.citation(paged.cell)
    # As tests/pages/test_documents.py counts the reader's: fifteen at most.
    with django_assert_max_num_queries(15):
        get_page(client, f"/documents/paged-report/?cite={citation.pk}")
    # As tests/pages/test_cell.py counts the cell page's.
    with django_assert_max_num_queries(5):
        get_page(client, paged.cell.get_absolute_url())


def test_an_institution_names_the_page_of_its_source(client, paged: Paged):
    institution = InstitutionFactory(slug="paged-institute")
    passage = paged.document.passages.get(anchor="findings-p3")
    CitationFactory(claim=institution, passage=passage)
    html = get_page(client, "/institutions/paged-institute/")
    assert ">A Paged Report, Findings, pp. 2–3</a>" in html
