"""The pages that show a table link its exports, with the page's filter."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.usefixtures("kb")


def test_the_matrix_links_its_exports_with_its_filter(client):
    html = client.get("/frameworks/eu-ai-office-uk-aisi/?level=collaboration").content.decode()
    for fmt in ("csv", "xlsx", "json", "md"):
        assert f'href="/frameworks/eu-ai-office-uk-aisi/export.{fmt}?level=collaboration"' in html
    assert (
        'href="/frameworks/eu-ai-office-uk-aisi/export.csv?level=collaboration&amp;excel=1"' in html
    )
    assert 'href="/export/datapackage.zip"' in html
    # Every link the page offers works.
    assert (
        client.get("/frameworks/eu-ai-office-uk-aisi/export.md?level=collaboration").status_code
        == 200
    )


def test_the_reader_offers_the_document_citation(client):
    html = client.get("/documents/synergies-eu-ai-office-uk-aisi-2025/").content.decode()
    for fmt in ("bib", "json", "txt"):
        assert f'href="/documents/synergies-eu-ai-office-uk-aisi-2025/cite.{fmt}"' in html
