"""The document index and the reader: anchors, outline, metadata, cited-by, marked quotes."""

from __future__ import annotations

import pytest

from engagement.models import Cell
from sources.models import Citation
from tests.helpers import get_page

pytestmark = pytest.mark.usefixtures("kb")

BRIEF = "/documents/synergies-eu-ai-office-uk-aisi-2025/"


def test_document_index(client, django_assert_max_num_queries):
    # documents with their passage count.
    with django_assert_max_num_queries(1):
        html = get_page(client, "/documents/")
    assert (
        'href="/documents/synergies-eu-ai-office-uk-aisi-2025/">Looking Ahead: Synergies Between the EU AI Office and UK AISI</a>'
        in html
    )
    assert "EU and US Deepen AI Collaboration After Trade and Technology Council Meeting" in html
    assert "Lara Thurnherr, Risto Uuk, Tekla Emborg" in html
    assert '<link rel="alternate" type="application/json" href="/api/v1/documents/">' in html


def test_reader_passages_outline_metadata_and_cited_by(client):
    html = get_page(client, BRIEF)
    assert 'id="table-1-incident-reporting"' in html
    assert 'id="footnote-2"' in html
    assert '<a href="#executive-summary">' in html  # the outline
    assert (
        "Lara Thurnherr, Risto Uuk, Tekla Emborg, Marta Ziosi, Isabella Wilkinson, Morgan Simpson, Renan Araujo, Charles Martinet"
        in html
    )
    assert "March 2025" in html
    # Each passage lists the cells and facts that cite it.
    assert (
        'href="/frameworks/eu-ai-office-uk-aisi/cells/incident-reporting/collaboration/">Cell Incident Reporting / Collaboration (EU AI Office and UK AISI (policy brief, March 2025))</a>'
        in html
    )
    assert 'href="/levels/collaboration/">Collaboration</a>' in html
    assert "<mark" not in html
    assert (
        '<link rel="alternate" type="application/json" href="/api/v1/documents/synergies-eu-ai-office-uk-aisi-2025/">'
        in html
    )


def test_a_citation_link_marks_its_quote_server_side(client):
    cell = Cell.objects.get(
        framework__slug="eu-ai-office-uk-aisi",
        activity__slug="incident-reporting",
        level__slug="collaboration",
    )
    citation = cell.citations.get(role="source")
    html = get_page(client, citation.get_absolute_url().split("#")[0])
    assert '<mark class="quote">Develop common AI incident reporting registry</mark>' in html
    assert html.count("<mark") == 1
    assert 'class="passage passage-table_row passage-cited"' in html
    assert "Cited passage" in html


def test_a_quote_over_cleaned_markup_is_still_marked(client):
    citation = Citation.objects.filter(
        exact="**Communication** is well-suited to areas like risk monitoring and incident reporting"
    ).first()
    html = get_page(client, f"{BRIEF}?cite={citation.pk}")
    assert (
        '<mark class="quote">Communication is well-suited to areas like risk monitoring and incident reporting</mark>'
        in html
    )


@pytest.mark.parametrize("value", ["abc", "99999999", ""])
def test_a_bad_cite_is_400_naming_it(client, value):
    html = get_page(client, f"{BRIEF}?cite={value}", status=400)
    assert "Parameter <code>cite</code>" in html


def test_a_citation_of_another_document_is_400(client):
    other = Citation.objects.filter(
        passage__document__slug="eu-us-ttc-ai-collaboration-2024"
    ).first()
    html = get_page(client, f"{BRIEF}?cite={other.pk}", status=400)
    assert f"No citation {other.pk} in this document." in html


def test_reader_query_count(client, django_assert_max_num_queries):
    # document; passages; citations (content type joined); one query per claim type cited
    # in the document (cells, levels, activities, institutions, aliases, functions,
    # mandates, relationships, documents): twelve at most, however many passages or claims.
    with django_assert_max_num_queries(12):
        get_page(client, BRIEF)
