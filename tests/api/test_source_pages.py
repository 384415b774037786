"""Pages of a source (a PDF) in the API: each passage and each citation says the page it
starts on (`source_page`) and ends on (`source_page_end`); null for a document without pages."""

from __future__ import annotations

import pytest

from tests.conftest import Paged
from tests.helpers import body
from tests.seedtext import BRIEF

pytestmark = pytest.mark.usefixtures("kb")

API = "/api/v1"


def pages(item: dict) -> tuple[int | None, int | None]:
    return item["source_page"], item["source_page_end"]


def test_each_passage_says_the_pages_it_is_on(client_anon, paged: Paged):
    passages = client_anon.get(f"{API}/passages/", {"document": "paged-report"}).json()["results"]
    assert {p["anchor"]: pages(p) for p in passages} == {
        "findings": (1, 1),
        "findings-p1": (1, 1),
        "findings-p2": (2, 2),
        "findings-p3": (2, 3),
    }
    passage = passages[2]
    assert pages(client_anon.get(f"{API}/passages/{passage['id']}/").json()) == (2, 2)


def test_a_passage_of_a_document_without_pages_has_null_pages(client_anon):
    passages = client_anon.get(f"{API}/passages/", {"document": BRIEF}).json()["results"]
    assert passages and all(pages(p) == (None, None) for p in passages)
    assert all("source_page" in p and "source_page_end" in p for p in passages)


def test_a_citation_says_the_page_of_its_passage_everywhere_it_is_shown(client_anon, paged: Paged):
    cell = client_anon.get(f"{API}/cells/{paged.cell.pk}/").json()
    assert [(c["passage"], *pages(c)) for c in cell["citations"]] == [("findings-p2", 2, 2)]
    # The list reads values, not models: the same pages.
    listed = client_anon.get(f"{API}/cells/", {"framework": "paged-framework"}).json()["results"]
    assert {c["id"]: [pages(x) for x in c["citations"]] for c in listed} == {
        paged.cell.pk: [(2, 2)],
        paged.over.pk: [(2, 3)],
    }
    citation = paged.citation(paged.over)
    assert pages(client_anon.get(f"{API}/citations/{citation.pk}/").json()) == (2, 3)
    csv = body(client_anon.get(f"{API}/cells/", {"framework": "paged-framework", "format": "csv"}))
    assert "paged-report#findings-p3 (pp. 2–3): “This paragraph" in csv.decode()
    assert "paged-report#findings-p2 (p. 2): “The two institutions" in csv.decode()


def test_a_citation_into_a_document_without_pages_has_null_pages(client_anon):
    cells = client_anon.get(f"{API}/cells/", {"framework": "eu-ai-office-uk-aisi"}).json()
    citations = [c for cell in cells["results"] for c in cell["citations"]]
    assert citations and all(pages(c) == (None, None) for c in citations)
    citations = client_anon.get(f"{API}/citations/").json()["results"]
    assert citations and all(pages(c) == (None, None) for c in citations)
    csv = body(client_anon.get(f"{API}/cells/", {"format": "csv", "page_size": 500})).decode()
    assert "#table-1-incident-reporting: “" in csv and "(p. " not in csv


def test_pages_cost_no_query(client_anon, paged: Paged, django_assert_max_num_queries):
    # 1 dataset version, 1 page of cells' values with their number, 1 citations (passage
    # and document joined).
    with django_assert_max_num_queries(3):
        client_anon.get(f"{API}/cells/", {"page_size": 500})
    # 1 dataset version, 1 count, 1 passages with document, 1 to resolve the document.
    with django_assert_max_num_queries(4):
        client_anon.get(f"{API}/passages/", {"document": "paged-report"})
    # 1 dataset version, 1 count, 1 citations with passage, document and content type.
    with django_assert_max_num_queries(3):
        client_anon.get(f"{API}/citations/")


def test_the_schema_types_the_pages_as_nullable_integers(client_anon):
    schemas = client_anon.get(f"{API}/schema/", {"format": "json"}).json()["components"]["schemas"]
    for name in ("Passage", "Citation", "CitationResource"):
        for field in ("source_page", "source_page_end"):
            prop = schemas[name]["properties"][field]
            assert (prop["type"], prop.get("nullable"), prop.get("readOnly")) == (
                "integer",
                True,
                True,
            ), (name, field)
