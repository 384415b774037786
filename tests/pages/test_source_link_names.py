"""A matrix cell's source link is named by where the passage is in its document (the
table and its row, or the section), not by the passage's anchor; and by the document
too where it is not the framework's own source."""

from __future__ import annotations

import re

import pytest

from sources.models import Passage
from tests.factories import CitationFactory
from tests.helpers import brief_cell, text_content

pytestmark = pytest.mark.usefixtures("kb")

BRIEF_TITLE = "Looking Ahead: Synergies Between the EU AI Office and UK AISI"
NEWS = "eu-us-ttc-ai-collaboration-2024"


def source_links(html: str, anchor: str) -> list[str]:
    """The text of each link to the passage `anchor` marked `cite`."""
    return [
        " ".join(text_content(found).split())
        for found in re.findall(rf'<a class="cite" href="[^"]*#{anchor}">(.*?)</a>', html)
    ]


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/frameworks/eu-ai-office-uk-aisi/?view=levels",
        "/activities/develop-evaluations/",
        "/frameworks/eu-ai-office-uk-aisi/?level=collaboration",
    ],
)
def test_a_source_link_names_the_table_and_row_not_the_anchor(client, url):
    html = client.get(url).content.decode()
    names = source_links(html, "table-1-develop-evaluations")
    assert names
    for name in names:
        # What the eye reads, then what a screen reader hears besides.
        assert name == (
            "Source of this cell: Table 1, row Develop Evaluations, in " + BRIEF_TITLE
        ), name
    assert '>Source<span class="visually-hidden"> of this cell</span>: Table 1, row Develop' in html
    assert not re.search(r'class="cite"[^>]*>[^<]*table-1-develop-evaluations', html)


def test_a_source_in_another_document_names_that_document(client):
    cell = brief_cell("incident-reporting", "communication")
    passage = Passage.objects.filter(document__slug=NEWS, kind="paragraph").first()
    CitationFactory(claim=cell, passage=passage)
    html = client.get("/").content.decode()
    (name,) = source_links(html, passage.anchor)
    assert name.startswith(f"Source of this cell: {passage.document.title}, ")
    assert passage.anchor not in name
