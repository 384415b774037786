"""Relevance: phrases an analyst remembers from the sources find the right thing, in the top three.

Every query is written from the source texts (`fixtures/documents/`), and each expected result
is named by its page. The same table runs on SQLite (FTS5, bm25) and on PostgreSQL (tsvector,
ts_rank): `make test` and `DATABASE_URL=postgres://... make test`. No row needs to be left out
on SQLite; the one difference of the fallback (a quoted phrase containing stop words must
appear word for word) does not change any of these results.
"""

from __future__ import annotations

import pytest

from tests.seedtext import ARTICLE, BRIEF, source_text

pytestmark = pytest.mark.usefixtures("kb")

UK = "/frameworks/eu-ai-office-uk-aisi/cells"
US = "/frameworks/eu-ai-office-us-aisi/cells"
BRIEF_URL = f"/documents/{BRIEF}/"
ARTICLE_URL = f"/documents/{ARTICLE}/"
ARTICLE_P1 = (
    f"{ARTICLE_URL}#eu-and-us-deepen-ai-collaboration-after-trade-and-technology-council-meeting-p1"
)
ARTICLE_SEMICONDUCTORS = (
    f"{ARTICLE_URL}#ais-potential-in-addressing-global-challenges-and-semiconductor-innovations-p1"
)

# (query, the words of the source it comes from, expected result's URL)
RELEVANCE = [
    (
        "incident registry",
        "Develop common AI incident reporting registry",
        f"{UK}/incident-reporting/collaboration/",
    ),
    ("Leuven", "Trade and Technology Council (TTC) meeting in Leuven, Belgium", ARTICLE_P1),
    (
        "CBRN",
        "Chemical-Bio-Radiological-Nuclear (CBRN) evaluations",
        f"{BRIEF_URL}#2-coordination-p5",
    ),
    (
        "Chemical-Bio-Radiological-Nuclear",
        "Chemical-Bio-Radiological-Nuclear (CBRN)",
        f"{BRIEF_URL}#2-coordination-p5",
    ),
    ("crosswalk", 'write a " Crosswalk "', f"{UK}/affirmative-assurance-approaches/collaboration/"),
    (
        "accredit evaluation developers",
        "Develop consistent ways to accredit evaluation developers",
        f"{UK}/develop-evaluations/coordination/",
    ),
    (
        '"Harmonization of AI safety standards"',
        "Harmonization of AI safety standards",
        f"{UK}/standards/collaboration/",
    ),
    (
        "talent exchanges",
        "Jointly fund talent development or facilitate talent exchanges",
        f"{UK}/building-research-talent-pool/collaboration/",
    ),
    (
        "cybersecurity incidents",
        "cybersecurity incidents at AI companies",
        f"{UK}/incident-reporting/separation/",
    ),
    (
        "AIO A2 Unit",
        "Joint risk monitoring (UK central-risk function and AIO A2 Unit)",
        f"{UK}/risk-monitoring/collaboration/",
    ),
    (
        "Singapore M.o.U",
        "M.o.U of UK AISI with US AISI and Singapore AISI",
        f"{UK}/international-engagement/separation/",
    ),
    (
        "safety cases",
        "Share best practices on safety cases (UK)",
        f"{UK}/affirmative-assurance-approaches/communication/",
    ),
    (
        "proprietary data",
        "Sensitive risk estimates (or reasoning) involving proprietary data.",
        f"{UK}/ai-risk-estimates/separation/",
    ),
    (
        "privacy-preserving audits",
        "Jointly develop privacy-preserving methods, e.g for audits",
        f"{UK}/research-on-privacy-preserving-methods/collaboration/",
    ),
    (
        "benchmarks methodologies -UK",
        "includes the establishment of benchmarks, methodologies",
        f"{US}/develop-evaluations/collaboration/",
    ),
    (
        "CEN-CENELEC",
        "standards bodies like CEN-CENELEC JTC 21",
        "/institutions/cen-cenelec-jtc-21/",
    ),
    (
        "European Artificial Intelligence Office",
        "establishing the European Artificial Intelligence Office",
        "/institutions/eu-ai-office/",
    ),
    ("US AI Safety Institute", "the US AI Safety Institute", "/institutions/us-aisi/"),
    ("Japan", "joint pre-deployment evaluations with Japan", "/institutions/japan-aisi/"),
    (
        "Trade and Technology Council",
        "EU and US Deepen AI Collaboration After Trade and Technology Council Meeting",
        ARTICLE_URL,
    ),
    ("Vestager", "Executive Vice-Presidents Margrethe Vestager", ARTICLE_P1),
    ("PFAS forever chemicals", "(PFAS), also known as forever chemicals", ARTICLE_SEMICONDUCTORS),
    ("6G networks", "security for 6G networks", ARTICLE_SEMICONDUCTORS),
    (
        "Lead Scientific Advisor",
        "filling the role as [Lead Scientific Advisor](#)",
        f"{BRIEF_URL}#1-introduction-p5",
    ),
    (
        "attack surface confidentiality",
        "increase its attack surface and thus threaten its confidentiality",
        f"{BRIEF_URL}#4-separation-p2",
    ),
    (
        "Hiroshima code of conduct",
        "G7 Hiroshima International Code of Conduct",
        f"{BRIEF_URL}#1-collaboration-p3",
    ),
    (
        "registry or crosswalk",
        "Develop common AI incident reporting registry",
        f"{UK}/incident-reporting/collaboration/",
    ),
]


@pytest.mark.parametrize(
    ("query", "words", "expected"), RELEVANCE, ids=[row[0] for row in RELEVANCE]
)
def test_expected_result_is_in_the_top_three(client, query, words, expected):
    assert words in source_text(BRIEF) + source_text(ARTICLE), "the query must come from a source"
    response = client.get("/api/v1/search/", {"q": query})
    assert response.status_code == 200
    top = [result["url"] for result in response.json()["results"][:3]]
    assert expected in top, top


def test_an_excluded_word_removes_results(client):
    with_uk = client.get("/api/v1/search/", {"q": "benchmarks methodologies"}).json()
    without_uk = client.get("/api/v1/search/", {"q": "benchmarks methodologies -UK"}).json()
    assert without_uk["count"] < with_uk["count"]
    assert all("UK" not in result["title"] for result in without_uk["results"])


def test_a_phrase_needs_its_words_in_order(client):
    in_order = client.get("/api/v1/search/", {"q": '"reporting registry"'}).json()
    reversed_ = client.get("/api/v1/search/", {"q": '"registry reporting"'}).json()
    words = client.get("/api/v1/search/", {"q": "registry reporting"}).json()
    assert reversed_["count"] == 0
    assert in_order["count"] >= 1
    assert words["count"] >= in_order["count"]


def test_or_gives_alternatives(client):
    either = client.get("/api/v1/search/", {"q": "registry or crosswalk"}).json()
    registry = client.get("/api/v1/search/", {"q": "registry"}).json()
    crosswalk = client.get("/api/v1/search/", {"q": "crosswalk"}).json()
    urls = {result["url"] for result in either["results"]}
    assert urls == {r["url"] for r in registry["results"]} | {
        r["url"] for r in crosswalk["results"]
    }


def test_snippets_mark_the_matched_words(client):
    result = client.get("/api/v1/search/", {"q": "incident registry"}).json()["results"][0]
    assert result["type"] == "cell"
    assert result["title"] == "Incident Reporting — Collaboration"
    assert "<mark>registry</mark>" in result["snippet"]
    assert (
        "Develop common AI <mark>incident</mark> reporting <mark>registry</mark>"
        in result["snippet"]
    )
