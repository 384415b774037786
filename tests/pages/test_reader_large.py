"""The reader at real size: a generated act of over 2,000 passages, read a section at a time.

Every page stays under 400 KB, every passage is reached from its permalink, its API
`html_url`, a citation's URL and a search result; old-form citation links still land on the
quote; "cited by" is bounded and paginated; the number of queries a page makes does not
depend on the document's size.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.db.models import Count, F
from django.test.utils import CaptureQueriesContext

from bench.largedoc import large_document, large_document_ingest
from sources.models import Citation, Document, Passage, page_url
from tests.helpers import get_page, refused_page, text_content

LARGE = "synthetic-act"
SMALL = "synthetic-act-small"
PAGE_LIMIT = 400_000


@pytest.fixture(scope="module")
def large(django_db_setup, django_db_blocker):
    """A large and a small generated act, each with citations, for this module's tests."""
    with django_db_blocker.unblock():
        documents = {
            LARGE: large_document_ingest(slug=LARGE),
            SMALL: large_document_ingest(
                slug=SMALL, text=large_document(chapters=2, articles=6, long_article=150)
            ),
        }
    yield documents
    with django_db_blocker.unblock():
        Citation.objects.filter(passage__document__slug__in=[LARGE, SMALL]).delete()
        Passage.objects.filter(document__slug__in=[LARGE, SMALL]).update(table_header=None)
        Passage.objects.filter(document__slug__in=[LARGE, SMALL]).delete()
        Document.objects.filter(slug__in=[LARGE, SMALL]).delete()


# A generated act of thousands of passages, ingested once for the module: `make test` only.
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("kb")]


def _pages(slug: str) -> list[str]:
    anchors = Passage.objects.filter(document__slug=slug, retired=False).values_list(
        "page", flat=True
    )
    return list(dict.fromkeys(anchors.order_by("ordinal")))


def _ids(html: str) -> set[str]:
    return set(re.findall(r' id="([^"]+)"', html))


def test_the_generated_act_is_large(large):
    document = large[LARGE]
    assert len(document.text.encode()) > 1_000_000
    passages = Passage.objects.filter(document=document)
    assert passages.count() >= 2000
    assert passages.filter(kind="table_row", table_header__isnull=True).count() >= 5  # tables
    assert passages.filter(kind="footnote").count() >= 20
    pages = _pages(LARGE)
    assert len(pages) > 20
    # One article is longer than any page: it is read in parts.
    assert any("-item-" in page or re.search(r"-p\d+$", page) for page in pages)


def test_every_reader_page_is_under_400_kb_and_holds_its_passages(client, large):
    for slug in (LARGE, SMALL):
        pages = _pages(slug)
        expected = {
            page: set(
                Passage.objects.filter(document__slug=slug, page=page, retired=False).values_list(
                    "anchor", flat=True
                )
            )
            for page in pages
        }
        for page in pages:
            response = client.get(page_url(slug, page))
            assert response.status_code == 200, page
            assert len(response.content) < PAGE_LIMIT, (page, len(response.content))
            assert expected[page] <= _ids(response.content.decode()), page


def test_previous_and_next_walk_every_page_in_order(client, large):
    pages = _pages(LARGE)
    url, seen = page_url(LARGE, ""), []
    while url:
        html = get_page(client, url)
        seen.append(urlsplit(url).path)
        found = re.search(r'<link rel="next" href="([^"]+)">', html)
        url = found.group(1) if found else None
    assert seen == [page_url(LARGE, page) for page in pages]
    html = get_page(client, page_url(LARGE, pages[5]))
    assert f'<link rel="prev" href="{page_url(LARGE, pages[4])}">' in html


def test_every_passage_is_reached_from_its_permalink(client, large):
    holding: dict[str, set[str]] = {}
    for anchor, page in Passage.objects.filter(document__slug=LARGE).values_list("anchor", "page"):
        response = client.get(f"/documents/{LARGE}/passages/{anchor}/")
        assert response.status_code == 302
        assert response["Location"] == f"{page_url(LARGE, page)}#{anchor}"
        if page not in holding:
            holding[page] = _ids(get_page(client, page_url(LARGE, page)))
        assert anchor in holding[page]


def test_every_api_html_url_lands_on_the_page_holding_the_passage(client, large):
    holding: dict[str, set[str]] = {}
    url = f"/api/v1/passages/?document={LARGE}&page_size=500"
    count = 0
    while url:
        data = client.get(url).json()
        for passage in data["results"]:
            parts = urlsplit(passage["html_url"])
            assert parts.fragment == passage["anchor"]
            if parts.path not in holding:
                holding[parts.path] = _ids(get_page(client, parts.path))
            assert passage["anchor"] in holding[parts.path]
            count += 1
        url = data["next"]
    assert count == Passage.objects.filter(document__slug=LARGE).count()


def test_every_citation_url_lands_on_its_quote(client, large):
    citations = Citation.objects.filter(passage__document__slug=LARGE).select_related("passage")
    one_per_passage = {citation.passage_id: citation for citation in citations}
    for citation in one_per_passage.values():
        data = client.get(f"/api/v1/citations/{citation.pk}/").json()
        parts = urlsplit(data["url"])
        assert parts.fragment == citation.passage.anchor
        html = get_page(client, f"{parts.path}?{parts.query}")
        marked = re.findall(r'<mark class="quote">(.*?)</mark>', html, re.S)
        assert text_content("".join(marked)) == citation.exact.replace("\t", "")
        assert f'id="{citation.passage.anchor}"' in html


def test_old_form_citation_links_redirect_to_the_quote(client, large):
    """Links published as `/documents/<slug>/?cite=<id>#<anchor>` land on the quote."""
    citation = (
        Citation.objects.filter(passage__document__slug=LARGE)
        .exclude(passage__page="")
        .select_related("passage")
        .last()
    )
    response = client.get(f"/documents/{LARGE}/?cite={citation.pk}")
    assert response.status_code == 302
    assert response["Location"] == (
        f"{page_url(LARGE, citation.passage.page)}?cite={citation.pk}#{citation.passage.anchor}"
    )
    html = get_page(client, response["Location"].split("#")[0])
    assert f'<mark class="quote">{citation.exact}</mark>' in html
    # A section page given another page's citation sends it on as well.
    first = _pages(LARGE)[1]
    response = client.get(f"{page_url(LARGE, first)}?cite={citation.pk}")
    assert response["Location"].startswith(page_url(LARGE, citation.passage.page))


def test_section_and_permalink_errors(client, large):
    inner = (
        Passage.objects.filter(document__slug=LARGE).exclude(page="").exclude(anchor=F("page"))
    ).first()
    # An anchor inside a page is sent to that page, at the passage.
    response = client.get(f"/documents/{LARGE}/sections/{inner.anchor}/")
    assert response.status_code == 302
    assert response["Location"] == f"{page_url(LARGE, inner.page)}#{inner.anchor}"
    assert client.get(f"/documents/{LARGE}/sections/no-such-section/").status_code == 404
    assert client.get(f"/documents/{LARGE}/passages/no-such-passage/").status_code == 404
    assert client.get(f"/documents/no-such-document/passages/{inner.anchor}/").status_code == 404
    html = refused_page(client, f"/documents/{LARGE}/passages/{inner.anchor}/?cite=x", "cite")
    page = _pages(LARGE)[3]
    html = get_page(client, f"{page_url(LARGE, page)}?cite=999999999", status=400)
    assert "No citation 999999999 in this document." in html


def test_cited_by_is_bounded_and_paginated(client, large, django_assert_max_num_queries):
    passage = (
        Passage.objects.filter(document__slug=LARGE, citations__isnull=False)
        .annotate(n=Count("citations"))
        .order_by("-n")
        .first()
    )
    count = passage.citations.count()
    assert count > 25
    html = get_page(client, page_url(LARGE, passage.page))
    start = html.index(f'<div id="cited-{passage.anchor}">')
    note = html[start : html.index("</div>", start)]
    assert note.count("<li>") == 3
    cited_by = f"/documents/{LARGE}/passages/{passage.anchor}/cited-by/"
    assert f'<a href="{cited_by}">All {count} claims citing this passage</a>' in note
    # passage with document; count; the page's citations (content types joined); one query
    # per claim type on the page (cells, activities): five, however many claims cite it.
    with django_assert_max_num_queries(5):
        first = get_page(client, cited_by)
    assert _listed(first) == 25
    assert '<link rel="next" href="?page=2">' in first
    pages = -(-count // 25)
    last = get_page(client, f"{cited_by}?page={pages}")
    assert _listed(last) == count - 25 * (pages - 1)
    assert f'<link rel="prev" href="?page={pages - 1}">' in last
    assert 'rel="next"' not in last
    for bad in (str(pages + 1), "0", "abc", "-1", "9" * 30, "1.5", "%00"):
        html = refused_page(client, f"{cited_by}?page={bad}", "page")


def _listed(html: str) -> int:
    start = html.index('<ol class="cited-by-list"')
    return html[start : html.index("</ol>", start)].count("<li>")


def _queries(client, url: str, status: int = 200) -> int:
    get_page(client, url, status)  # once first: process-wide caches (content types) are warm
    with CaptureQueriesContext(connection) as captured:
        get_page(client, url, status)
    return len(captured)


def test_query_counts_do_not_depend_on_the_documents_size(client, large):
    """The front page, a section page and a cited quote's page of the small and the large
    act (whose pages cite the same kinds of claims) make the same number of queries."""
    for page in ("front", "section", "cited"):
        counts = []
        for slug in (SMALL, LARGE):
            crowded = (
                Passage.objects.filter(document__slug=slug)
                .annotate(n=Count("citations"))
                .order_by("-n")
                .first()
            )
            if page == "front":
                url = page_url(slug, "")
            elif page == "section":
                url = page_url(slug, crowded.page)
            else:
                url = crowded.citations.first().get_absolute_url().split("#")[0]
            counts.append(_queries(client, url))
        assert counts[0] == counts[1], (page, counts)
    # document; passage with its page (permalink): one query whatever the size.
    anchor = Passage.objects.filter(document__slug=LARGE).last().anchor
    assert _queries(client, f"/documents/{LARGE}/passages/{anchor}/", 302) == 1


def test_search_results_link_to_the_page_holding_the_passage(client, large):
    passage = Passage.objects.filter(document__slug=LARGE, kind="paragraph").exclude(page="")[300]
    words = " ".join(passage.shown.split()[:6]).strip(".*")
    data = client.get(
        "/api/v1/search/", {"q": f'"{words}"', "type": "passage", "document": LARGE}
    ).json()
    urls = {urlsplit(r["url"]).path + "#" + urlsplit(r["url"]).fragment for r in data["results"]}
    assert f"{page_url(LARGE, passage.page)}#{passage.anchor}" in urls
    for result in data["results"]:
        parts = urlsplit(result["url"])
        assert parts.fragment in _ids(get_page(client, parts.path))


def test_source_txt_is_the_stored_text_byte_for_byte(client, large):
    document = large[LARGE]
    response = client.get(f"/documents/{LARGE}/source.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content == document.text.encode("utf-8")
    assert response["X-Content-SHA256"] == document.sha256
    html = get_page(client, page_url(LARGE, ""))
    assert f'<code class="hash">{document.sha256}</code>' in html
    assert client.get("/documents/no-such-document/source.txt").status_code == 404
