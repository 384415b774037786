"""The PDF reader against PDFs printed by Chromium: a document ingested from Markdown and
from its own PDF gives the same passages, word for word and kind for kind; so does the
seeded brief, whose citations all still find their quotes; ligatures become letters and
running headers and footers are left out.

Each PDF is printed once per module (Playwright driving Debian's Chromium, never a
downloaded browser) from HTML built from the ingested passages.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pdfplumber
import pytest
from django.conf import settings
from django.core.management import call_command

from atlas.seeding import knowledge_base_seed
from sources.models import Citation, Document, Passage
from sources.quotes import anchor_quote
from sources.services import citation_attach
from sources.uploads import document_plan
from tests.seedtext import BRIEF

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
LONG_SENTENCE = (
    "The institutes agree, "
    + ", ".join(
        f"in clause {n} of the plan, to share the results of test {n} with each other"
        for n in range(1, 75)
    )
    + ", and to publish them together."
)
MARKDOWN = f"""# Joint Testing Plan

The two institutes will test frontier models together[^1] before deployment, under *one* protocol.

## Commitments

### Testing together

Some incomprehensibilities are extraordinarily post-deployment reviews.

{LONG_SENTENCE}

1. Publish a common evaluation protocol.
2. Exchange staff twice a year.

| Area | EU AI Office | UK AISI |
| --- | --- | --- |
| Testing |  | Yes |
| Standards | Yes | No |

[^1]: Agreed at the first technical dialogue.
"""
LIGATURES = """# Office hours

The Oﬀice staff ﬁnd oﬃcial figures ﬂawless.
"""
STYLE = """
body { font-family: "DejaVu Serif", serif; font-size: 12pt; }
p.narrow { width: 11em; }
a.footnote-ref { vertical-align: super; font-size: 70%; }
p.footnote { font-size: 9pt; }
table { border-collapse: collapse; }
th, td { border: 1px solid #000; padding: 2px 4px; vertical-align: top; }
tr { break-inside: avoid; }
.ligatures { font-variant-ligatures: common-ligatures; }
"""
HEADER = '<div style="font-size:8px;width:100%;text-align:center">Joint plan draft</div>'
FOOTER = (
    '<div style="font-size:8px;width:100%;text-align:center">Page <span class="pageNumber">'
    '</span> of <span class="totalPages"></span></div>'
)


def ingest(path: Path, slug: str) -> str:
    out = io.StringIO()
    call_command("ingest", str(path), f"--slug={slug}", "--title=T", "--kind=other", stdout=out)
    return out.getvalue()


def planned(name: str, text: str) -> list:
    """The passages a Markdown file would become (the upload's plan: nothing written)."""
    plan = document_plan(
        filename=f"{name}.md",
        data=text.encode(),
        slug=f"{name}-md",
        update=False,
        metadata={"title": "T", "kind": "other"},
    )
    return plan.passages


def passages_html(passages, *, small_footnotes: bool, narrow=frozenset(), css="") -> str:
    """A document as HTML from its passages: headings by level, paragraphs, a numbered
    list, tables of their rows, footnotes (in small type when `small_footnotes`); the
    anchors in `narrow` set in a narrow column so that their words break at line ends."""
    body, table, items = [], [], []

    def flush() -> None:
        if table:
            # A row with fewer cells than the table's widest: a header row's missing cell is
            # its first (a row-label column), another row's its last, as the reader lays out.
            width = max(row.count("<t") for row in table)
            rows = [
                "<td></td>" * (width - row.count("<t")) + row
                if "<th" in row and 'scope="row"' not in row
                else row + "<td></td>" * (width - row.count("<t"))
                for row in table
            ]
            body.append("<table>" + "".join(f"<tr>{row}</tr>" for row in rows) + "</table>")
            table.clear()
        if items:
            body.append("<ol>" + "".join(f"<li>{item}</li>" for item in items) + "</ol>")
            items.clear()

    for passage in passages:
        if (passage.kind != "table_row" and table) or (passage.kind != "list_item" and items):
            flush()
        html = passage.html
        if passage.kind == "heading":
            level = min(passage.level, 3)
            body.append(f"<h{level}>{html}</h{level}>")
        elif passage.kind == "table_row":
            table.append(html)
        elif passage.kind == "list_item":
            items.append(html)
        elif passage.kind == "footnote" and small_footnotes:
            body.append(f'<p class="footnote">{html}</p>')
        else:
            narrowed = ' class="narrow"' if passage.anchor in narrow else ""
            body.append(f"<p{narrowed}>{html}</p>")
    flush()
    text = "\n".join(body).replace("incomprehensibilities", "incompre&shy;hensibilities")
    return f'<html lang="en"><head><style>{STYLE}</style></head><body class="{css}">{text}</body></html>'


@pytest.fixture(scope="module")
def printed(django_db_setup, django_db_blocker, tmp_path_factory):
    """The PDFs, printed once: the Markdown plan (with a running header and footer), the
    ligatures, and the seeded brief."""
    from playwright.sync_api import sync_playwright

    directory = tmp_path_factory.mktemp("pdfs")
    with django_db_blocker.unblock():
        if not Document.objects.filter(slug=BRIEF).exists():
            knowledge_base_seed(directory=settings.ATLAS_FIXTURES_DIR)
        brief = list(Passage.objects.for_reader(Document.objects.get(slug=BRIEF)))
        pages = {
            "plan": passages_html(
                planned("plan", MARKDOWN), small_footnotes=True, narrow={"testing-together-p1"}
            ),
            "ligatures": passages_html(
                planned("ligatures", LIGATURES), small_footnotes=True, css="ligatures"
            ),
            "brief": passages_html(brief, small_footnotes=False),
        }
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"], headless=True
        )
        for name, html in pages.items():
            page = browser.new_page()
            page.set_content(html)
            running = {"display_header_footer": True, "header_template": HEADER}
            page.pdf(
                path=str(directory / f"{name}.pdf"),
                format="A4",
                margin={"top": "2cm", "bottom": "2cm", "left": "2cm", "right": "2cm"},
                **({**running, "footer_template": FOOTER} if name == "plan" else {}),
            )
            page.close()
        browser.close()
    for name, text in (("plan", MARKDOWN), ("ligatures", LIGATURES)):
        (directory / f"{name}.md").write_text(text, encoding="utf-8")
    return directory


def cells(shown: str) -> list[str]:
    """A table row's cells as shown; empty cells at its ends (which the source may leave
    out where the printed table draws them) dropped, empty cells inside kept."""
    found = shown.split("\t")
    while found and not found[-1]:
        found.pop()
    while found and not found[0]:
        found.pop(0)
    return found


def shown(slug: str, *, tabs: bool = False) -> list[tuple[str, str, str]]:
    """Each passage's anchor, kind and shown text with its white space made single (a
    table row's cells kept apart by tabs when `tabs`)."""

    def text(passage: Passage) -> str:
        if tabs and passage.kind == "table_row":
            return "\t".join(" ".join(cell.split()) for cell in cells(passage.shown))
        return " ".join(passage.shown.split())

    document = Document.objects.get(slug=slug)
    return [(p.anchor, p.kind, text(p)) for p in Passage.objects.for_reader(document)]


def test_a_markdown_document_and_its_pdf_give_the_same_passages(db, printed):
    ingest(printed / "plan.md", "plan-md")
    output = ingest(printed / "plan.pdf", "plan-pdf")
    assert "Added plan-pdf (pdf, 2 pages" in output
    # The PDF holds what the test says it does: a hyphen the layout inserted (U+2010, a soft
    # hyphen's) and a compound's own at line ends, and a paragraph across the page break.
    with pdfplumber.open(printed / "plan.pdf") as pdf:
        first = pdf.pages[0].extract_text()
    assert "incompre ‐\nhensibilities" in first
    assert "post-\ndeployment" in first
    expected, got = shown("plan-md"), shown("plan-pdf")
    assert got == expected
    assert [kind for _, kind, _ in got] == [
        "heading", "paragraph", "heading", "heading", "paragraph", "paragraph",
        "list_item", "list_item", "table_row", "table_row", "table_row", "footnote",
    ]  # fmt: skip
    rows = [text for _, kind, text in got if kind == "table_row"]
    document = Document.objects.get(slug="plan-pdf")
    cells = [p.shown.split("\t") for p in document.passages.filter(kind="table_row")]
    assert cells == [
        ["Area", "EU AI Office", "UK AISI"],
        ["Testing", "", "Yes"],
        ["Standards", "Yes", "No"],
    ]
    assert len(rows) == 3
    levels = [p.level for p in document.passages.filter(kind="heading").order_by("ordinal")]
    assert levels == [1, 2, 3]
    # Its pages: the long paragraph starts on page 1 and ends on page 2, and later
    # passages are on page 2.
    pages = {p.anchor: (p.source_page, p.source_page_end) for p in document.passages.all()}
    assert pages["joint-testing-plan"] == (1, 1)
    assert pages["testing-together-p2"] == (1, 2)
    assert pages["footnote-1"] == (2, 2)
    assert document.page_starts[0] == 0 and len(document.page_starts) == 2


def test_running_headers_footers_and_page_numbers_are_left_out(db, printed):
    with pdfplumber.open(printed / "plan.pdf") as pdf:
        printed_text = [page.extract_text() for page in pdf.pages]
    assert all("Joint plan draft" in text for text in printed_text)
    assert "Page 2 of 2" in printed_text[1]
    ingest(printed / "plan.pdf", "plan-pdf")
    text = Document.objects.get(slug="plan-pdf").text
    assert "Joint plan draft" not in text
    assert "Page " not in text and "of 2" not in text


def test_ligatures_become_letters_found_by_search_and_quotes(kb, client, printed):
    output = ingest(printed / "ligatures.pdf", "ligatures-pdf")
    document = Document.objects.get(slug="ligatures-pdf")
    assert not any("\ufb00" <= char <= "\ufb06" for char in document.text)
    paragraph = document.passages.get(kind="paragraph")
    assert paragraph.shown == "The Office staff find official figures flawless."
    results = client.get("/api/v1/search/", {"q": "office staff"}).json()["results"]
    assert any("ligatures-pdf" in result["url"] for result in results), output
    # A quote typed with plain letters anchors in the passage, and a citation holds.
    assert anchor_quote(paragraph.shown, "official figures").exact == "official figures"
    claim = Citation.objects.select_related("content_type").first().claim
    citation, written = citation_attach(claim=claim, passage=paragraph, exact="staff find official")
    assert written and citation.valid
    # The Markdown file holds the ligatures themselves: normalised, and the command says so.
    output = ingest(printed / "ligatures.md", "ligatures-md")
    assert "1 × U+FB00 (latin small ligature ff) → ff" in output
    assert "1 × U+FB03 (latin small ligature ffi) → ffi" in output
    assert Document.objects.get(slug="ligatures-md").passages.get(kind="paragraph").shown == (
        paragraph.shown
    )


def test_the_seeded_brief_printed_to_pdf_gives_its_passages_and_citations(kb, printed):
    """Done when: the brief, printed to PDF and ingested, has the same passages (its tables
    cell for cell), every seeded citation's quote in the same passage, and page numbers."""
    ingest(printed / "brief.pdf", "brief-pdf")
    expected, got = shown(BRIEF, tabs=True), shown("brief-pdf", tabs=True)
    # The brief's text has "privacy- preserving" (a space after the hyphen, copied from its
    # own PDF); printed, the line breaks after the hyphen, where no reader can see a space.
    typo = "table-1-research-on-verification-methods"
    expected = [
        (a, k, t.replace("privacy- preserving", "privacy-preserving") if a == typo else t)
        for a, k, t in expected
    ]
    assert [have for want, have in zip(expected, got, strict=True) if have != want] == []
    assert len(got) == len(expected)
    document = Document.objects.get(slug="brief-pdf")
    rows = {p.anchor: cells(p.shown) for p in document.passages.filter(kind="table_row")}
    original = {anchor: cells(text) for anchor, kind, text in expected if kind == "table_row"}
    table_1 = [a for a in rows if a.startswith("table-1-") and "comparisons" not in a]
    assert len(table_1) == 17  # two header rows and 15 rows
    assert sum(1 for a in table_1 if "header" not in a) == 15
    comparisons = [a for a in rows if a.startswith("table-1-comparisons-of-functions")]
    assert len(comparisons) == 7
    assert rows == original, [
        (a, rows[a], original.get(a)) for a in rows if rows[a] != original.get(a)
    ]
    passages = {p.anchor: p for p in document.passages.all()}
    citations = Citation.objects.filter(passage__document__slug=BRIEF).select_related("passage")
    assert citations.count() > 50
    for citation in citations:
        exact = citation.exact
        if citation.passage.anchor == typo:  # the one quote of the typo: closed up, as printed
            exact = exact.replace("privacy- preserving", "privacy-preserving")
        assert exact in passages[citation.passage.anchor].shown, exact
    pages = [p.source_page for p in Passage.objects.for_reader(document)]
    assert None not in pages and pages[0] == 1 and pages[-1] > 1
    assert pages == sorted(pages)
