"""The home page shows the default framework's matrix."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.usefixtures("kb")


def test_home_shows_the_seeded_matrix(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "EU AI Office and UK AISI (policy brief, March 2025)" in html
    assert "Develop common AI incident reporting registry" in html
    assert "Align “incident” definitions” and create interoperable reporting standards" in html
    assert html.count('<span class="kind kind-empty">None stated in the source</span>') == 2
    # Source links are citation links: the reader opens on the passage, the quote marked.
    assert re.search(
        r'href="/documents/synergies-eu-ai-office-uk-aisi-2025/\?cite=\d+#table-1-incident-reporting"',
        html,
    )


def test_home_makes_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    # framework + its institutions, levels, activities, cells, the citations' content type
    # (cached after the first request), their citations (with passage and document
    # joined): seven at most, however many cells there are.
    with django_assert_max_num_queries(7):
        assert client.get("/").status_code == 200


def test_the_reader_has_an_anchor_per_passage(client):
    response = client.get("/documents/synergies-eu-ai-office-uk-aisi-2025/")
    assert response.status_code == 200
    assert 'id="table-1-incident-reporting"' in response.content.decode()
    assert 'id="footnote-2"' in response.content.decode()
