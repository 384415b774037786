"""Every read endpoint against the seeded knowledge base: content, filters, query counts."""

from __future__ import annotations

import pytest
from django.utils.text import slugify

from tests.seedtext import (
    ARTICLE,
    BRIEF,
    LEVELS,
    footnote_2,
    functions_rows,
    table_1,
    table_1_rows,
)

pytestmark = pytest.mark.usefixtures("kb")

API = "/api/v1"


def results(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


# --- cells ---------------------------------------------------------------------------------


def test_cells_of_the_brief_are_table_1_verbatim_with_their_citations(client_anon):
    cells = results(client_anon, f"{API}/cells/", framework="eu-ai-office-uk-aisi", page_size=100)
    assert len(cells) == 60
    expected = table_1(activity=slugify)
    for cell in cells:
        assert cell["text"] == expected[(cell["activity"], cell["level"])]
        if cell["kind"] == "empty":
            assert cell["text"] == ""
            continue
        source = [c for c in cell["citations"] if c["role"] == "source"]
        assert source and all(c["valid"] for c in cell["citations"])
        assert source[0]["document"] == BRIEF
        assert source[0]["exact"] == cell["text"]
        assert source[0]["url"].endswith(f"#{source[0]['passage']}")


def test_a_cell_carries_its_citation_selectors_and_links(client_anon):
    (cell,) = results(
        client_anon, f"{API}/cells/", level="separation", activity="incident-reporting"
    )
    assert cell["text"] == (
        "Separately monitor highly sensitive incidents, e.g. cybersecurity incidents at AI companies."
    )
    (citation,) = cell["citations"]
    assert citation["passage"] == "table-1-incident-reporting"
    assert citation["exact"] == cell["text"]
    assert citation["end"] - citation["start"] == len(cell["text"])
    # The quote ends its row: the suffix reaches into the next row of the table, as the
    # reader shows it (its passages one after the other, a newline between two).
    assert citation["prefix"] == "orted to domestic incident reporting\t"[-32:]
    assert citation["suffix"] == "\nRisk Thresholds\tJointly researc"
    assert citation["valid"] is True
    assert citation["url"] == (
        f"http://testserver/documents/{BRIEF}/?cite={citation['id']}#table-1-incident-reporting"
    )
    assert cell["html_url"] == (
        "http://testserver/frameworks/eu-ai-office-uk-aisi/cells/incident-reporting/separation/"
    )
    assert cell["api_url"] == f"http://testserver{API}/cells/{cell['id']}/"
    assert cell["level_api_url"] == f"http://testserver{API}/levels/separation/"
    assert cell["level_html_url"] == "http://testserver/levels/separation/"
    assert cell["activity_html_url"] == "http://testserver/activities/incident-reporting/"
    assert cell["framework_api_url"] == f"http://testserver{API}/frameworks/eu-ai-office-uk-aisi/"
    detail = client_anon.get(cell["api_url"]).json()
    assert detail == cell


def test_the_cells_list_shows_each_cell_as_its_serializer_does(client_anon):
    """The list reads values, not models (`CellViewSet.list_rows`); the serializer remains
    the definition of a cell, orphaned citations and every ordering included."""
    from rest_framework.test import APIRequestFactory

    from engagement.models import Cell
    from engagement.serializers import CellSerializer
    from sources.models import Citation

    Citation.objects.filter(cell__activity__slug="standards").update(orphaned=True)
    request = APIRequestFactory().get("/")
    expected = CellSerializer(Cell.objects.for_list(), many=True, context={"request": request}).data
    listed = results(client_anon, f"{API}/cells/", page_size=500)
    assert listed == [dict(cell) for cell in expected]
    assert any(not c["valid"] for cell in listed for c in cell["citations"])
    newest_first = results(client_anon, f"{API}/cells/", page_size=500, ordering="-updated_at,id")
    assert sorted(newest_first, key=lambda cell: cell["id"]) == sorted(
        listed, key=lambda cell: cell["id"]
    )


def test_cell_filters_alone_and_combined(client_anon):
    url = f"{API}/cells/"
    both = results(client_anon, url, level="collaboration,separation", page_size=500)
    assert {c["level"] for c in both} == {"collaboration", "separation"}
    assert len(both) == 15 * 2 + 4  # the brief's two columns, and the article's four cells
    repeated = results(client_anon, f"{url}?level=collaboration&level=separation&page_size=500")
    assert repeated == both

    empty = results(client_anon, url, kind="empty")
    assert sorted((c["activity"], c["level"]) for c in empty) == [
        ("institutional-development", "collaboration"),
        ("institutional-development", "separation"),
    ]
    us = results(client_anon, url, institution="us-aisi")
    assert {c["framework"] for c in us} == {"eu-ai-office-us-aisi"}
    assert len(us) == 4
    emphasised = results(
        client_anon, url, emphasised="true", framework="eu-ai-office-uk-aisi", level="coordination"
    )
    assert sorted(c["activity"] for c in emphasised) == [
        "conduct-evaluations",
        "develop-evaluations",
        "interpret-evaluations",
    ]
    keyword = results(client_anon, url, q="cybersecurity", framework="eu-ai-office-uk-aisi")
    assert ("incident-reporting", "separation") in {(c["activity"], c["level"]) for c in keyword}
    assert 0 < len(keyword) < 60


def test_cell_ordering(client_anon):
    cells = results(
        client_anon,
        f"{API}/cells/",
        framework="eu-ai-office-uk-aisi",
        activity="standards",
        ordering="-level__ordinal",
    )
    assert [c["level"] for c in cells] == list(reversed(LEVELS))


def test_ordering_by_several_fields_repeated_or_comma_separated(client_anon):
    url = f"{API}/cells/"
    params = {"activity": "standards", "page_size": 100}
    repeated = client_anon.get(url, {**params, "ordering": ["-level__ordinal", "-id"]})
    commas = client_anon.get(url, {**params, "ordering": "-level__ordinal,-id"})
    cells = repeated.json()["results"]
    assert cells == commas.json()["results"]
    keys = [(c["level"], c["id"]) for c in cells]
    order = {level: index for index, level in enumerate(reversed(LEVELS))}
    assert keys == sorted(keys, key=lambda key: (order[key[0]], -key[1]))
    assert len({c["framework"] for c in cells}) == 2  # both frameworks: ties broken by id


def test_cells_list_queries_do_not_grow_with_the_data(client_anon, django_assert_max_num_queries):
    # 1 dataset version, 1 page of cells' values with framework/activity/level joined and
    # their number, 1 citations with passage and document joined.
    with django_assert_max_num_queries(3):
        response = client_anon.get(f"{API}/cells/", {"page_size": 500})
    assert len(response.json()["results"]) == 64
    # The same with filters: + 1 query per slug filter to resolve its values.
    with django_assert_max_num_queries(6):
        response = client_anon.get(
            f"{API}/cells/",
            {"level": "separation", "activity": "standards", "framework": "eu-ai-office-uk-aisi"},
        )
    assert len(response.json()["results"]) == 1


def test_the_cells_list_counts_its_rows_in_the_query_of_its_page(
    client_anon, django_assert_num_queries
):
    # 1 dataset version, 1 page of cells with their number (a window count), 1 citations.
    with django_assert_num_queries(3):
        body = client_anon.get(f"{API}/cells/", {"page_size": 10, "page": 7}).json()
    assert (body["count"], len(body["results"]), body["next"]) == (64, 4, None)
    assert "page=6" in body["previous"]
    # Past the last page: no row carries the count, which is then read apart.
    with django_assert_num_queries(3):
        response = client_anon.get(f"{API}/cells/", {"page_size": 10, "page": 8})
    assert response.status_code == 400  # past the last page, as every list answers
    # Filtered, distinct (by institution): counted the usual way, the same numbers.
    body = client_anon.get(f"{API}/cells/", {"institution": "us-aisi", "page_size": 3}).json()
    assert (body["count"], len(body["results"])) == (4, 3)
    body = client_anon.get(f"{API}/cells/", {"level": "separation", "page_size": 3}).json()
    assert body["count"] == 15 and len(body["results"]) == 3


def test_pagination_is_capped(client_anon):
    body = client_anon.get(f"{API}/passages/", {"page_size": 100000}).json()
    assert len(body["results"]) == min(body["count"], 500)
    body = client_anon.get(f"{API}/cells/", {"page_size": 10, "page": 2}).json()
    assert body["count"] == 64 and len(body["results"]) == 10
    assert "page=3" in body["next"] and "page_size=10" in body["next"]


# --- levels, activities, frameworks ----------------------------------------------------------


def test_levels_with_definition_and_conditions_citations(
    client_anon, django_assert_max_num_queries
):
    # 1 dataset version, 1 count, 1 levels, 1 citations (passage and document joined).
    with django_assert_max_num_queries(4):
        levels = results(client_anon, f"{API}/levels/")
    assert [level["slug"] for level in levels] == LEVELS
    for level in levels:
        assert level["definition"] in footnote_2()
        (definition,) = level["definition_citations"]
        assert definition["passage"] == "footnote-2" and definition["exact"] == level["definition"]
        assert level["conditions_citations"]
        assert level["conditions"].startswith(level["conditions_citations"][0]["exact"][:40])
        assert level["html_url"] == f"http://testserver/levels/{level['slug']}/"
    detail = client_anon.get(f"{API}/levels/coordination/").json()
    assert "national security risks are low" in detail["conditions"]
    assert len(detail["conditions_citations"]) == 2


def test_activities_in_the_briefs_order(client_anon, django_assert_max_num_queries):
    # 1 dataset version, 1 count, 1 activities, 1 citations.
    with django_assert_max_num_queries(4):
        activities = results(client_anon, f"{API}/activities/")
    assert [a["name"] for a in activities] == [row[0] for row in table_1_rows()]
    standards = client_anon.get(f"{API}/activities/standards/").json()
    assert standards["cells_api_url"] == f"http://testserver{API}/cells/?activity=standards"
    assert [a["slug"] for a in results(client_anon, f"{API}/activities/", q="evaluations")] == [
        "develop-evaluations",
        "conduct-evaluations",
        "interpret-evaluations",
    ]


def test_frameworks(client_anon, django_assert_max_num_queries):
    # 1 dataset version, 1 count, 1 frameworks with document, 1 institutions.
    with django_assert_max_num_queries(4):
        frameworks = results(client_anon, f"{API}/frameworks/")
    assert [f["slug"] for f in frameworks] == ["eu-ai-office-uk-aisi", "eu-ai-office-us-aisi"]
    brief = frameworks[0]
    assert brief["document"] == BRIEF
    assert sorted(brief["institutions"]) == ["eu-ai-office", "uk-aisi"]
    assert brief["html_url"] == "http://testserver/frameworks/eu-ai-office-uk-aisi/"
    assert [
        f["slug"] for f in results(client_anon, f"{API}/frameworks/", institution="us-aisi")
    ] == ["eu-ai-office-us-aisi"]
    assert [f["slug"] for f in results(client_anon, f"{API}/frameworks/", document=ARTICLE)] == [
        "eu-ai-office-us-aisi"
    ]


# --- institutions, functions, mandates, relationships --------------------------------------


def test_institutions_with_aliases_mandates_citations(client_anon, django_assert_max_num_queries):
    # 1 dataset version, 1 the jurisdictions the filter accepts, 1 count, 1 institutions
    # with parent, 1 aliases, 1 alias citations, 1 mandates with function, 1 mandate
    # citations, 1 institution citations.
    with django_assert_max_num_queries(9):
        institutions = results(client_anon, f"{API}/institutions/")
    assert len(institutions) == 13
    uk = client_anon.get(f"{API}/institutions/uk-aisi/").json()
    assert uk["name"] == "UK AI Security Institute"
    (former,) = uk["aliases"]
    assert former["name"] == "AI Safety Institute" and former["is_former"] is True
    assert (
        # As the reader shows it: the source's `[re-naming](#)` is a link whose target was lost.
        former["citations"][0]["exact"] == "as demonstrated by the recent re-naming of the AISI"
    )
    assert uk["html_url"] == "http://testserver/institutions/uk-aisi/"
    assert (
        uk["relationships_api_url"] == f"http://testserver{API}/relationships/?institution=uk-aisi"
    )
    eu = client_anon.get(f"{API}/institutions/eu-ai-office/").json()
    assert eu["parent"] == "european-commission"
    assert eu["parent_api_url"] == f"http://testserver{API}/institutions/european-commission/"
    assert {m["function"] for m in eu["mandates"]} == {
        "implementation-of-rules",
        "evaluation-tools",
        "evaluating-capabilities",
        "monitoring-emerging-risks",
        "investigating-infringements",
        "aisi-network-engagement",
    }
    kinds = results(
        client_anon, f"{API}/institutions/", kind="safety_institute", jurisdiction="UK,US"
    )
    assert sorted(i["slug"] for i in kinds) == ["uk-aisi", "us-aisi"]
    assert [i["slug"] for i in results(client_anon, f"{API}/institutions/", q="Security")] == [
        "uk-aisi"
    ]


def test_functions_and_mandates_are_the_comparison_table(
    client_anon, django_assert_max_num_queries
):
    rows = functions_rows()
    # 1 dataset version, 1 count, 1 functions, 1 mandates with institution, 1 mandate
    # citations, 1 function citations.
    with django_assert_max_num_queries(6):
        functions = results(client_anon, f"{API}/functions/")
    assert [f["name"] for f in functions] == [row[0] for row in rows]
    for function, (_, uk_words, eu_words) in zip(functions, rows, strict=True):
        words = {m["institution"]: m["statement"] for m in function["mandates"]}
        assert uk_words.startswith(words["uk-aisi"]) or words["uk-aisi"] in uk_words
        assert words["eu-ai-office"] in eu_words
    # 1 dataset version, 1 count, 1 mandates with function and institution, 1 citations,
    # 1 + 1 to resolve the institution and status filters.
    with django_assert_max_num_queries(6):
        mandates = results(client_anon, f"{API}/mandates/", institution="uk-aisi", status="yes")
    assert mandates and all(
        m["institution"] == "uk-aisi" and m["status"] == "yes" for m in mandates
    )
    for mandate in mandates:
        assert mandate["citations"] and all(c["valid"] for c in mandate["citations"])
    by_function = results(client_anon, f"{API}/mandates/", function="evaluating-capabilities")
    assert sorted(m["institution"] for m in by_function) == ["eu-ai-office", "uk-aisi"]


def test_relationships(client_anon, django_assert_max_num_queries):
    # 1 dataset version, 1 count, 1 relationships with both parties, 1 citations,
    # 1 to resolve the institution filter.
    with django_assert_max_num_queries(5):
        ties = results(client_anon, f"{API}/relationships/", institution="us-aisi")
    assert {t["slug"] for t in ties} == {
        "eu-ai-office-us-aisi-ttc-evaluation-tools",
        "eu-ai-office-us-aisi-technical-dialogues",
        "uk-aisi-us-aisi-bilateral-collaboration",
        "uk-aisi-us-aisi-joint-pre-deployment-evaluation",
        "uk-aisi-us-aisi-mou",
        "us-aisi-aisi-network-membership",
    }
    mous = results(client_anon, f"{API}/relationships/", institution="uk-aisi", kind="mou")
    assert sorted(t["object"] for t in mous) == ["singapore-aisi", "us-aisi"]
    ttc = client_anon.get(f"{API}/relationships/eu-ai-office-us-aisi-ttc-evaluation-tools/").json()
    assert ttc["subject"] == "eu-ai-office" and ttc["object"] == "us-aisi"
    assert ttc["citations"][0]["document"] == ARTICLE and ttc["citations"][0]["valid"]


# --- documents, passages, citations ----------------------------------------------------------


def test_documents_and_passages(client_anon, django_assert_max_num_queries):
    # 1 dataset version, 1 count, 1 documents with their passage count (text deferred).
    with django_assert_max_num_queries(3):
        documents = results(client_anon, f"{API}/documents/")
    assert {d["slug"] for d in documents} == {BRIEF, ARTICLE}
    assert all("text" not in d for d in documents)
    brief = client_anon.get(f"{API}/documents/{BRIEF}/").json()
    assert brief["title"] == "Looking Ahead: Synergies Between the EU AI Office and UK AISI"
    assert brief["published_display"] == "March 2025"
    assert "Comparisons of Functions" in brief["text"]
    # 1 dataset version, 1 count, 1 passages with document, 1 to resolve the document.
    with django_assert_max_num_queries(4):
        footnotes = results(client_anon, f"{API}/passages/", document=BRIEF, kind="footnote")
    footnote = next(p for p in footnotes if p["anchor"] == "footnote-2")
    assert footnote["text"] == footnote_2()
    assert footnote["html_url"] == f"http://testserver/documents/{BRIEF}/#footnote-2"
    assert brief["text"][footnote["start"] : footnote["end"]] == footnote["text"]


def test_citations_resource(client_anon, django_assert_max_num_queries):
    # 1 dataset version, 1 count, 1 citations with passage, document and content type.
    with django_assert_max_num_queries(3):
        citations = results(client_anon, f"{API}/citations/", claim_type="level", role="definition")
    assert len(citations) == 4
    assert {c["passage"] for c in citations} == {"footnote-2"}
    assert all(c["claim_type"] == "level" and c["valid"] for c in citations)
