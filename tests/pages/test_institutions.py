"""Institution pages: index, detail with names, functions and ties, and the comparison."""

from __future__ import annotations

import re
from html import unescape

import pytest

from tests.helpers import get_page, refused_page

pytestmark = pytest.mark.usefixtures("kb")


def test_institution_index(client, django_assert_max_num_queries):
    # the jurisdictions the filter offers; count of institutions; the page of them (parent
    # joined); their aliases; the comparison picker's suggestions.
    with django_assert_max_num_queries(5):
        html = get_page(client, "/institutions/")
    assert 'href="/institutions/uk-aisi/">UK AI Security Institute</a>' in html
    assert 'AI Safety Institute <span class="meta">(former)</span>' in html
    assert 'href="/institutions/cen-cenelec-jtc-21/">CEN-CENELEC JTC 21</a>' in html
    assert '<link rel="alternate" type="application/json" href="/api/v1/institutions/">' in html


def test_institution_detail(client, django_assert_max_num_queries):
    # institution (parent joined, frameworks and units counted); aliases, their citations'
    # content type, their citations; mandates (function joined), their citations' content
    # type, their citations; the institution's citations' content type, its citations;
    # count of relationships; the page of them (both parties joined), their citations'
    # content type, their citations; its first frameworks; its first units.
    with django_assert_max_num_queries(15):
        html = get_page(client, "/institutions/uk-aisi/")
    assert "<title>Institution: UK AI Security Institute · Engagement Atlas</title>" in html
    assert '<th scope="row">AI Safety Institute</th>' in html
    assert "Former name" in html
    assert "Yes (demonstrated)" in html
    assert "Focus on most advanced current capabilities" in html
    assert (
        'href="/frameworks/eu-ai-office-uk-aisi/">EU AI Office and UK AISI (policy brief, March 2025)</a>'
        in html
    )
    assert 'href="/institutions/us-aisi/">US AI Safety Institute</a>' in html
    assert re.search(
        r'href="/documents/synergies-eu-ai-office-uk-aisi-2025/\?cite=\d+#table-1-comparisons-of-functions-',
        html,
    )
    assert (
        '<link rel="alternate" type="application/json" href="/api/v1/institutions/uk-aisi/">'
        in html
    )


def test_institution_detail_404(client):
    get_page(client, "/institutions/nobody/", status=404)


def test_institution_comparison(client, django_assert_max_num_queries):
    # both institutions by slug; their mandates (function, institution joined), their
    # citations (passage, document joined); functions; the picker's suggestions.
    with django_assert_max_num_queries(5):
        html = get_page(client, "/institutions/compare/?a=uk-aisi&b=eu-ai-office")
    assert "2 of 6 functions differ in status." in html
    assert "Focus on general-purpose AI and general-purpose AI with systemic risks" in html
    assert "Yes (demonstrated)" in html and "Yes (expected)" in html
    assert html.count('<strong class="differs-badge">Differs</strong>') == 2
    assert html.count('<tr class="differs">') == 2
    # Each status cited.
    assert len(re.findall(r"\?cite=\d+#table-1-comparisons-of-functions-", html)) == 12
    assert (
        '<link rel="alternate" type="application/json" href="/api/v1/mandates/?institution=uk-aisi,eu-ai-office">'
        in html
    )


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("", "a"),
        ("a=uk-aisi", "b"),
        ("a=nope&b=uk-aisi", "a"),
        ("a=uk-aisi&b=", "b"),
        ("a=uk-aisi&b=nope", "b"),
    ],
)
def test_institution_comparison_bad_parameter_is_400(client, query, parameter):
    refused_page(client, f"/institutions/compare/?{query}", parameter)


def test_an_institution_names_its_sources_by_document_and_section(client):
    """Not passage anchors ("1-introduction-p1", twice): the document and its section, each
    once, with a link to every quote in it."""
    brief = "Looking Ahead: Synergies Between the EU AI Office and UK AISI"
    html = get_page(client, "/institutions/eu-ai-office/")
    sources = re.search(r"<dt>Sources</dt><dd>(.*?)</dd>", html).group(1)
    text = unescape(re.sub(r"<[^>]+>", "", sources))
    assert text == (
        f"{brief}, 1. Introduction: quote 1, quote 2; "
        f"{brief}, 1. Introduction > Table 1: Comparisons of Functions"
    ), text
    assert "-p1" not in text
    assert (
        len(re.findall(r'href="/documents/synergies-eu-ai-office-uk-aisi-2025/\?cite=', sources))
        == 3
    )
    single = re.search(
        r"<dt>Sources</dt><dd>(.*?)</dd>", get_page(client, "/institutions/us-aisi/")
    )
    assert re.fullmatch(
        r'<a href="/documents/eu-us-ttc-ai-collaboration-2024/\?cite=\d+#[^"]+">[^<>]+</a>',
        single.group(1),
    )
    assert "-p1</a>" not in single.group(1)
