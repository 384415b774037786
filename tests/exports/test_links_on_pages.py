"""The pages offer the exports and citations of what they show."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.usefixtures("kb")


def test_the_cell_page_offers_its_citation_files(client):
    html = client.get(
        "/frameworks/eu-ai-office-uk-aisi/cells/incident-reporting/collaboration/"
    ).content.decode()
    stem = "/frameworks/eu-ai-office-uk-aisi/cells/incident-reporting/collaboration/cite"
    for extension in ("bib", "json", "txt"):
        assert f'href="{stem}.{extension}"' in html


def test_the_comparison_page_offers_its_table_with_the_same_query(client):
    html = client.get("/institutions/compare/?a=uk-aisi&b=eu-ai-office").content.decode()
    assert 'href="/institutions/compare/export.csv?a=uk-aisi&amp;b=eu-ai-office"' in html
    assert 'href="/institutions/compare/export.xlsx?a=uk-aisi&amp;b=eu-ai-office"' in html


def test_the_matrix_offers_its_filtered_exports(client):
    html = client.get("/frameworks/eu-ai-office-uk-aisi/?level=coordination").content.decode()
    assert 'href="/frameworks/eu-ai-office-uk-aisi/export.csv?level=coordination"' in html
    assert 'href="/export/datapackage.zip"' in html
