"""What reference managers and search engines read in a page's `<head>`: Highwire Press
`citation_*` tags and Dublin Core as Zotero's "Embedded Metadata" translator reads them
(`<meta>` elements of the head only; a `DC.type` naming a Zotero item type decides the
item's type; `citation_public_url` is the item's URL), schema.org JSON-LD, the canonical
link and the description."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date

import lxml.html
import pytest

from atlas.releases import release_create
from bench.largedoc import large_document
from sources.models import Document
from sources.services import document_upsert
from tests.helpers import brief_cell
from tests.seedtext import BRIEF

pytestmark = pytest.mark.usefixtures("kb")

NEWS = "eu-us-ttc-ai-collaboration-2024"
SITE = "http://testserver"
CELL = "/frameworks/eu-ai-office-uk-aisi/cells/develop-evaluations/collaboration/"
# Google Scholar: a full date as 2010/05/12, or the year alone; the month alone is what
# Zotero and Scholar both read as that month.
HIGHWIRE_DATE = re.compile(r"^\d{4}(/\d{2}(/\d{2})?)?$")


@dataclass
class Head:
    """A page's head as the readers of its metadata see it."""

    meta: dict[str, list[str]]
    links: dict[str, list[str]]
    json_ld: list[dict]
    title: str

    def one(self, name: str) -> str:
        values = self.meta.get(name, [])
        assert len(values) == 1, f"{name}: {values}"
        return values[0]


def read_head(html: str) -> Head:
    """The `<meta>`, `<link>` and JSON-LD of the page's `<head>` (Zotero reads
    `/html/head/meta` only), as an HTML parser builds the tree."""
    tree = lxml.html.document_fromstring(html)
    head = tree.find("head")
    meta: dict[str, list[str]] = {}
    for element in head.iter("meta"):
        name = element.get("name") or element.get("property")
        if name and element.get("content") is not None:
            meta.setdefault(name, []).append(element.get("content"))
    links: dict[str, list[str]] = {}
    for element in head.iter("link"):
        links.setdefault(element.get("rel"), []).append(element.get("href"))
    blocks = [
        json.loads(script.text)
        for script in head.iter("script")
        if script.get("type") == "application/ld+json"
    ]
    assert not [s for s in tree.find("body").iter("script") if s.get("type", "").endswith("json")]
    return Head(meta, links, blocks, head.findtext("title"))


def head_of(client, url: str) -> Head:
    response = client.get(url, follow=True)
    assert response.status_code == 200, response.content[:500]
    return read_head(response.content.decode())


def zotero_item_type(head: Head) -> str:
    """The item type Zotero gives the page: a `DC.type` naming one of its types wins over
    the Highwire guesses (`citation_technical_report_institution` makes a report, any
    other `citation_title` a journal article); with nothing, a web page."""
    dc_type = head.meta.get("DC.type", [None])[0]
    if dc_type in {"report", "newspaperArticle", "document", "statute", "journalArticle"}:
        return dc_type
    if "citation_technical_report_institution" in head.meta:
        return "report"
    return "journalArticle" if "citation_title" in head.meta else "webpage"


def assert_cites(head: Head, document: Document, *, url: str) -> None:
    """The page's item is `document`, found at `url`, by Zotero's and Scholar's rules."""
    assert head.one("citation_title") == document.title
    assert head.one("DC.title") == document.title
    authors = document.authors or [document.publisher]
    assert head.meta["citation_author"] == authors
    assert head.meta["DC.creator"] == authors
    date = head.one("citation_publication_date")
    assert HIGHWIRE_DATE.match(date), date
    assert date.replace("/", "-") == head.one("DC.date")
    assert head.one("citation_public_url") == url
    assert head.one("DC.identifier") == url
    assert head.one("DC.language") == document.language
    assert head.links["schema.DC"] == ["http://purl.org/dc/elements/1.1/"]


def test_the_brief_is_a_report_by_its_authors_dated_to_the_month(client):
    document = Document.objects.get(slug=BRIEF)
    head = head_of(client, f"/documents/{BRIEF}/")
    url = f"{SITE}/documents/{BRIEF}/"
    assert_cites(head, document, url=url)
    assert len(head.meta["citation_author"]) == 8
    assert head.one("citation_publication_date") == "2025/03"  # the brief gives the month
    assert zotero_item_type(head) == "report"
    assert head.links["canonical"] == [url]
    (report,) = head.json_ld
    assert report["@context"] == "https://schema.org"
    assert report["@type"] == "Report"
    assert report["name"] == document.title
    assert [a["name"] for a in report["author"]] == document.authors
    assert report["datePublished"] == "2025-03"
    assert report["url"] == url


def test_the_news_article_has_its_institution_as_author_and_publisher(client):
    document = Document.objects.get(slug=NEWS)
    head = head_of(client, f"/documents/{NEWS}/")
    url = f"{SITE}/documents/{NEWS}/"
    assert_cites(head, document, url=url)
    assert head.meta["citation_author"] == ["European Commission"]
    assert head.one("citation_publisher") == "European Commission"
    assert head.one("DC.publisher") == "European Commission"
    assert head.one("citation_publication_date") == "2024/04/08"
    assert zotero_item_type(head) == "newspaperArticle"
    (article,) = head.json_ld
    assert article["@type"] == "NewsArticle"
    assert article["author"] == {"@type": "Organization", "name": "European Commission"}
    assert article["publisher"]["name"] == "European Commission"
    assert article["datePublished"] == "2024-04-08"


def test_a_section_page_cites_its_document_at_the_sections_address(client):
    """A long text is read a section at a time; each section page cites the whole act (a
    statute, by the year alone: all its publisher gives) at the section's own address."""
    document, _ = document_upsert(
        slug="act-in-sections",
        title="The Act in Sections",
        kind="legal_text",
        text=large_document(chapters=2, articles=6, long_article=150),
        format="markdown",
        publisher="The Legislature",
        published=date(2024, 7, 12),
        published_precision="year",
    )
    (section,) = head_of(client, "/documents/act-in-sections/").links["next"]
    assert "/sections/" in section
    url = f"{SITE}{section}"
    head = head_of(client, url.removeprefix(SITE))
    assert_cites(head, document, url=url)
    assert head.links["canonical"] == [url]
    # The page's own title, for what shows a link to it.
    assert head.one("og:title") != document.title
    assert head.one("og:title") in head.title
    assert head.one("og:url") == url
    assert head.one("citation_publication_date") == "2024"
    assert head.one("DC.type") == "statute"
    assert head.json_ld[0]["@type"] == "Legislation"


def test_a_passage_permalink_lands_on_a_page_citing_its_document_without_the_quote_mark(client):
    document = Document.objects.get(slug=BRIEF)
    passage = document.passages.get(anchor="table-1-develop-evaluations")
    cite = passage.citations.first()
    response = client.get(
        f"/documents/{BRIEF}/passages/{passage.anchor}/?cite={cite.pk}", follow=True
    )
    assert response.status_code == 200
    head = read_head(response.content.decode())
    page = response.request["PATH_INFO"]
    assert head.one("citation_title") == document.title
    assert head.one("citation_public_url") == f"{SITE}{page}"
    assert head.links["canonical"] == [f"{SITE}{page}"]


def test_saving_a_cell_gives_the_brief_at_the_cells_address(client):
    """Zotero's item from a cell's page: the brief (its title, authors, date, type), with
    the cell's permalink as its URL; the cell's own title for link previews."""
    document = Document.objects.get(slug=BRIEF)
    head = head_of(client, CELL)
    url = f"{SITE}{CELL}"
    assert_cites(head, document, url=url)
    assert zotero_item_type(head) == "report"
    assert head.links["canonical"] == [url]
    assert head.one("og:title").startswith("Develop Evaluations / Collaboration")
    assert head.one("og:url") == url
    cell = brief_cell("develop-evaluations", "collaboration")
    assert cell.text[:40] in head.one("description")


def test_the_matrix_is_a_dataset_with_its_exports(client):
    head = head_of(client, "/frameworks/eu-ai-office-uk-aisi/?level=collaboration&view=levels")
    canonical = f"{SITE}/frameworks/eu-ai-office-uk-aisi/?level=collaboration"
    # The layout is not part of the address; the filter is.
    assert head.links["canonical"] == [canonical]
    (data,) = head.json_ld
    assert data["@type"] == "Dataset"
    assert data["name"].startswith("EU AI Office and UK AISI")
    assert len(data["description"]) >= 50
    assert data["url"] == canonical
    downloads = {d["encodingFormat"]: d["contentUrl"] for d in data["distribution"]}
    assert downloads["text/csv"] == (
        f"{SITE}/frameworks/eu-ai-office-uk-aisi/export.csv?level=collaboration"
    )
    assert set(downloads) >= {
        "text/csv",
        "application/json",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    for download in downloads.values():
        assert client.get(download.removeprefix(SITE)).status_code == 200
    assert data["isBasedOn"]["url"] == f"{SITE}/documents/{BRIEF}/"
    # A dataset is not a work a reference manager saves as a document.
    assert "citation_title" not in head.meta


def test_the_home_page_is_the_default_matrix_at_its_own_address(client):
    head = head_of(client, "/")
    assert head.links["canonical"] == [f"{SITE}/"]
    assert head.json_ld[0]["@type"] == "Dataset"


def test_a_release_is_a_dataset_of_its_data_package(client):
    release = release_create(tag="v9.1", title="Spring")
    head = head_of(client, "/releases/v9.1/")
    (data,) = head.json_ld
    assert data["@type"] == "Dataset"
    assert data["version"] == "v9.1"
    assert "Spring" in data["name"]
    (download,) = data["distribution"]
    assert download["encodingFormat"] == "application/zip"
    assert download["contentUrl"] == f"{SITE}/releases/v9.1/datapackage.zip"
    assert client.get("/releases/v9.1/datapackage.zip").status_code == 200
    assert data["datePublished"].startswith(release.created_at.date().isoformat())


MAIN_PAGES = [
    "/",
    "/frameworks/",
    "/frameworks/eu-ai-office-uk-aisi/",
    CELL,
    f"/documents/{BRIEF}/",
    "/documents/",
    "/search/?q=evaluations",
    "/institutions/",
    "/institutions/eu-ai-office/",
    "/institutions/compare/?a=eu-ai-office&b=uk-aisi",
    "/frameworks/compare/?a=eu-ai-office-uk-aisi&b=eu-ai-office-us-aisi",
    "/activities/",
    "/activities/develop-evaluations/",
    "/levels/",
    "/levels/collaboration/",
    "/changes/",
    "/releases/",
]


@pytest.mark.parametrize("url", MAIN_PAGES)
def test_every_main_page_has_a_description_and_its_canonical_address(client, url):
    head = head_of(client, url)
    (description,) = head.meta["description"]
    assert len(description.strip()) >= 50, description
    assert "{" not in description and "<" not in description
    (canonical,) = head.links["canonical"]
    assert canonical.startswith(f"{SITE}/")
    assert canonical.split("?")[0] == f"{SITE}{url.split('?')[0]}"
    for block in head.json_ld:
        assert block["@context"] == "https://schema.org"


def test_stored_text_cannot_leave_the_json_ld_block(client):
    document = Document.objects.get(slug=NEWS)
    hostile = 'Title </script><script>alert(1)</script> & <!-- "'
    Document.objects.filter(pk=document.pk).update(title=hostile)
    html = client.get(f"/documents/{NEWS}/").content.decode()
    head = read_head(html)
    assert head.json_ld[0]["name"] == hostile
    assert "<script>alert(1)" not in html
    assert head.one("citation_title") == hostile


def test_at_a_release_the_address_keeps_the_release(client):
    release_create(tag="v9.2")
    document = Document.objects.get(slug=BRIEF)
    head = head_of(client, f"{CELL}?release=v9.2")
    url = f"{SITE}{CELL}?release=v9.2"
    assert_cites(head, document, url=url)
    assert head.links["canonical"] == [url]
    (data,) = head_of(client, "/?release=v9.2").json_ld
    assert data["url"] == f"{SITE}/?release=v9.2"
    downloads = {d["encodingFormat"]: d["contentUrl"] for d in data["distribution"]}
    assert downloads["text/csv"] == (
        f"{SITE}/frameworks/eu-ai-office-uk-aisi/export.csv?release=v9.2"
    )
    assert client.get(downloads["text/csv"].removeprefix(SITE)).status_code == 200
    html = client.get("/?release=v9.2").content.decode()
    assert 'Source<span class="visually-hidden"> of this cell</span>: Table 1, row Develop' in html


def test_a_missing_page_names_no_canonical_address(client):
    response = client.get("/frameworks/no-such-framework/")
    assert response.status_code == 404
    assert "canonical" not in read_head(response.content.decode()).links
