"""The document index and the reader: anchors, outline, metadata, cited-by, marked quotes."""

from __future__ import annotations

import pytest

from sources.models import Citation, Document, Passage
from tests.helpers import brief_cell, get_page, refused_page, text_content
from tests.seedtext import BRIEF as BRIEF_SLUG
from tests.seedtext import functions_rows

pytestmark = pytest.mark.usefixtures("kb")

BRIEF = "/documents/synergies-eu-ai-office-uk-aisi-2025/"


def test_document_index(client, django_assert_max_num_queries):
    # count of documents; the page of them; their passages counted.
    with django_assert_max_num_queries(3):
        html = get_page(client, "/documents/")
    assert (
        'href="/documents/synergies-eu-ai-office-uk-aisi-2025/">Looking Ahead: Synergies Between the EU AI Office and UK AISI</a>'
        in html
    )
    assert "EU and US Deepen AI Collaboration After Trade and Technology Council Meeting" in html
    assert "Lara Thurnherr, Risto Uuk, Tekla Emborg" in html
    assert '<link rel="alternate" type="application/json" href="/api/v1/documents/">' in html


def test_reader_front_page_metadata_outline_and_cited_by(client):
    html = get_page(client, BRIEF)
    document = Document.objects.get(slug=BRIEF_SLUG)
    assert 'id="table-1-incident-reporting"' in html
    assert 'id="footnote-2"' in html
    assert (
        "Lara Thurnherr, Risto Uuk, Tekla Emborg, Marta Ziosi, Isabella Wilkinson, Morgan Simpson, Renan Araujo, Charles Martinet"
        in html
    )
    assert "March 2025" in html
    # The canonical text to download, and its hash.
    assert f'<a href="{BRIEF}source.txt" download>{BRIEF_SLUG}.txt</a>' in html
    assert f'<code class="hash">{document.sha256}</code>' in html
    # The outline: every heading, linked, with the passages and citations under it.
    introduction = Passage.objects.get(document=document, anchor="1-introduction")
    collaboration = Passage.objects.get(document=document, anchor="1-collaboration")
    cited = Citation.objects.filter(
        passage__document=document,
        passage__ordinal__gte=introduction.ordinal,
        passage__ordinal__lt=collaboration.ordinal,
    ).count()
    assert (
        f'<a href="{BRIEF}#1-introduction">1. Introduction</a> <span class="counts">'
        f"{collaboration.ordinal - introduction.ordinal} passages, {cited} citations</span>"
    ) in html
    assert (
        html.count('class="outline-level-')
        == Passage.objects.filter(document=document, kind="heading").count()
    )
    # What cites a passage: its first claims, and a link to all of them.
    row = Passage.objects.get(document=document, anchor="table-1-incident-reporting")
    count = row.citations.count()
    assert count > 3
    assert (
        f'<a href="#table-1-incident-reporting">Passage table-1-incident-reporting</a>, cited by {count}'
        in html
    )
    assert (
        'href="/frameworks/eu-ai-office-uk-aisi/cells/incident-reporting/collaboration/">Cell Incident Reporting / Collaboration (EU AI Office and UK AISI (policy brief, March 2025))</a>'
        in html
    )
    assert (
        f'<a href="{BRIEF}passages/table-1-incident-reporting/cited-by/">All {count} claims citing this passage</a>'
        in html
    )
    assert "<mark" not in html
    assert (
        '<link rel="alternate" type="application/json" href="/api/v1/documents/synergies-eu-ai-office-uk-aisi-2025/">'
        in html
    )


def test_tables_render_as_tables_with_the_sources_headers(client):
    html = get_page(client, BRIEF)
    # Table 1: the header row as column headers, each row a row, its label a row header.
    assert (
        '<table class="passages" aria-labelledby="table-1"><thead><tr id="table-1-header" '
        'class="passage passage-table_row table-header"><th scope="col">Common activities'
    ) in html
    assert (
        '\t<th scope="col">Collaboration</th>\t<th scope="col">Coordination</th>\t'
        '<th scope="col">Communication</th>\t<th scope="col">Separation</th>\n</tr></thead>'
    ) in html
    assert (
        '<tr id="table-1-incident-reporting" class="passage passage-table_row">'
        '<th scope="row">Incident Reporting<span class="passage-tools">'
    ) in html
    assert "\t<td>Develop common AI incident reporting registry</td>\t" in html
    # The header repeated where the source's table runs over a page break stays a header.
    assert '<tr id="table-1-header-2" class="passage passage-table_row table-header">' in html
    # A row short of a cell (the source leaves Separation blank) gets an empty one.
    assert "high-level strategies</td><td></td>\n</tr>" in html
    # The functions table: the header leaves the row labels' column without a heading.
    assert (
        '<tr id="table-1-comparisons-of-functions-header" class="passage passage-table_row '
        'table-header"><td></td><th scope="col">UK AISI'
    ) in html
    for row in functions_rows():
        label, uk, eu = row
        assert f'<th scope="row">{label}<span' in html
        assert f"</th>\t<td>{uk}</td>\t<td>{eu}</td>\n</tr>" in html


def test_footnote_references_and_footnotes_link_each_other(client):
    html = get_page(client, BRIEF)
    assert (
        'separation<a class="footnote-ref" id="footnote-ref-2" href="#footnote-2" '
        'aria-label="Footnote 2">²</a>'
    ) in html
    assert (
        '<p id="footnote-2" class="passage passage-footnote"><a class="footnote-back" '
        'href="#footnote-ref-2" aria-label="Footnote 2, back to its reference">²</a> Collaboration'
    ) in html
    assert 'Ziosi*<a class="footnote-ref" id="footnote-ref-1" href="#footnote-1"' in html


def test_nothing_but_a_newline_stands_between_two_passages(client):
    """The page's text is the document's reading text: passages' shown texts one after the
    other, a newline between two (what citations' prefixes and suffixes are taken from)."""
    html = get_page(client, BRIEF)
    start = html.index('<section class="text"')
    section = html[start : html.index("</section>", start)]
    text = text_content(section[section.index(">") + 1 :]).strip()
    shown = Passage.objects.for_reader(Document.objects.get(slug=BRIEF_SLUG))
    assert text == "\n".join(shown.values_list("shown", flat=True))


def test_a_citation_link_marks_its_quote_server_side(client):
    cell = brief_cell("incident-reporting", "collaboration")
    citation = cell.citations.get(role="source")
    html = get_page(client, citation.get_absolute_url().split("#")[0])
    assert (
        '<td><mark class="quote">Develop common AI incident reporting registry</mark></td>' in html
    )
    assert html.count("<mark") == 1
    assert 'class="passage passage-table_row passage-cited"' in html
    assert "Cited passage" in html


def test_a_quote_over_hidden_markup_is_marked_on_the_words_shown(client):
    citation = Citation.objects.get(
        exact="Communication is well-suited to areas like risk monitoring and incident reporting",
        role="emphasis",
        object_id=brief_cell("incident-reporting", "communication").pk,
    )
    html = get_page(client, f"{BRIEF}?cite={citation.pk}")
    assert (
        '<strong><mark class="quote">Communication</mark></strong><mark class="quote"> is '
        "well-suited to areas like risk monitoring and incident reporting</mark>"
    ) in html


@pytest.mark.parametrize("value", ["abc", "99999999", "", "-1", "1e3", "１２", "9" * 40, "%00"])
def test_a_bad_cite_is_400_naming_it(client, value):
    refused_page(client, f"{BRIEF}?cite={value}", "cite")


def test_a_citation_of_another_document_is_400(client):
    other = Citation.objects.filter(
        passage__document__slug="eu-us-ttc-ai-collaboration-2024"
    ).first()
    html = get_page(client, f"{BRIEF}?cite={other.pk}", status=400)
    assert f"No citation {other.pk} in this document." in html


def test_reader_query_count(client, django_assert_max_num_queries):
    citation = Citation.objects.filter(passage__document__slug=BRIEF_SLUG).first()
    # document (its outline and pages laid out with its text); the cited citation with its
    # passage and content type, and its claim; the page's passages (header rows joined);
    # citations per cited passage (the outline's counts); citations per passage of the
    # page; the first of them (content types joined); one query per claim type they cite
    # (cells, levels, activities, institutions, aliases, functions, mandates,
    # relationships, documents): fifteen at most, however many passages or claims.
    with django_assert_max_num_queries(15):
        get_page(client, f"{BRIEF}?cite={citation.pk}")
