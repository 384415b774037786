"""core.metadata: a page's canonical address, its citation tags and its JSON-LD block."""

from __future__ import annotations

import json
from datetime import date

from django.test import RequestFactory, override_settings

from core.metadata import CitedPage, Work, WorkType, canonical_url, json_ld

REPORT = WorkType("report", "Report", report=True)


def test_the_canonical_address_keeps_what_the_page_shows_and_drops_how_it_looks():
    request = RequestFactory().get(
        "/frameworks/x/?view=levels&q=&level=coordination,collaboration&cite=4&page=1"
        "&utm_source=feed&activity=b&activity=a"
    )
    assert canonical_url(request) == (
        "http://testserver/frameworks/x/?activity=b&activity=a&level=coordination,collaboration"
    )
    assert canonical_url(RequestFactory().get("/x/?page=2")) == "http://testserver/x/?page=2"


@override_settings(ATLAS_SITE_URL="https://atlas.example.org/")
def test_the_canonical_address_is_under_the_public_address_when_one_is_set():
    request = RequestFactory().get("/levels/collaboration/", HTTP_HOST="10.0.0.5:8000")
    assert canonical_url(request) == "https://atlas.example.org/levels/collaboration/"


def test_json_ld_cannot_close_its_block_and_reads_back_as_given():
    hostile = {"name": "</script><script>alert(1)</script> & <!--"}
    block = json_ld(hostile)
    inner = block.removeprefix('<script type="application/ld+json">').removesuffix("</script>")
    assert "<" not in inner and ">" not in inner and "&" not in inner
    assert json.loads(inner) == hostile


def test_a_persons_work_and_an_institutions_work():
    work = Work(
        title="A Brief",
        work_type=REPORT,
        authors=("Ada Lovelace", "Alan Turing"),
        publisher="An Institute",
        published=date(2025, 3, 1),
        precision="month",
        language="en",
    )
    tags = CitedPage(work=work, url="https://x.test/c/", page_title="A cell").tags()
    names = [name for _, name, _ in tags]
    assert [c for _, n, c in tags if n == "citation_author"] == ["Ada Lovelace", "Alan Turing"]
    assert ("name", "citation_publication_date", "2025/03") in tags
    assert ("name", "DC.date", "2025-03") in tags
    assert ("name", "citation_technical_report_institution", "An Institute") in tags
    assert ("name", "citation_public_url", "https://x.test/c/") in tags
    assert ("property", "og:title", "A cell") in tags
    assert "og:type" not in names  # Zotero would take "website" for a web page
    institutional = Work(title="A Statement", work_type=REPORT, publisher="The Commission")
    tags = CitedPage(work=institutional, url="https://x.test/", page_title="").tags()
    assert [c for _, n, c in tags if n == "citation_author"] == ["The Commission"]
    assert "citation_publication_date" not in [n for _, n, _ in tags]
    assert "og:title" not in [n for _, n, _ in tags]  # nothing empty is written
