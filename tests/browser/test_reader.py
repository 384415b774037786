"""The reader in Chromium, checked with the annotation libraries analysts' tools use.

- dom-anchor-text-quote anchors every seeded citation's selector (`exact`, `prefix`,
  `suffix`) with the whole page as root on exactly the words the page marks, inside the
  citation's passage; dom-anchor-text-position anchors its offsets in the passage itself.
- Every text-fragment link the exports write matches once, inside its passage (the
  specification's algorithm, as Chrome's polyfill implements it).
- Each of the 58 filled cells of Table 1 lands in its own `<td>`, under its level's header.
- axe-core finds no WCAG 2.2 A/AA violation on the front page, a section page and a cell
  page citing a table row.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from urllib.parse import urlsplit

import pytest

from bench.largedoc import large_document
from engagement.models import Cell, CellKind
from sources.models import Citation, Passage, page_url
from sources.services import document_upsert
from tests.browser.conftest import axe_violations
from tests.helpers import body
from tests.seedtext import BRIEF

pytestmark = [pytest.mark.browser, pytest.mark.server]

# For each citation on the page: anchor its selectors, and say where the page marks it.
ANCHOR_CITATIONS = r"""
(citations) => {
  const {TextQuote, TextPosition} = window.AtlasAnchoring;
  const body = document.body;
  const where = (range) => TextPosition.fromRange(body, range);
  return citations.map((c) => {
    const passage = document.getElementById(c.anchor);
    const out = {id: c.id, problems: []};
    if (!passage) { out.problems.push("no passage element"); return out; }
    const quote = TextQuote.toRange(body, {exact: c.exact, prefix: c.prefix, suffix: c.suffix});
    if (!quote) { out.problems.push("the text quote selector does not anchor"); return out; }
    if (quote.toString() !== c.exact) out.problems.push(`quote anchors on ${JSON.stringify(quote.toString())}`);
    if (!passage.contains(quote.commonAncestorContainer) && passage !== quote.commonAncestorContainer)
      out.problems.push("quote anchors outside its passage");
    if (c.marked) {
      const marks = [...passage.querySelectorAll("mark.quote")];
      if (!marks.length) { out.problems.push("nothing marked"); }
      else {
        const marked = document.createRange();
        marked.setStartBefore(marks[0]);
        marked.setEndAfter(marks[marks.length - 1]);
        if (marked.toString() !== c.exact) out.problems.push(`marked ${JSON.stringify(marked.toString())}`);
        const a = where(quote), b = where(marked);
        if (a.start !== b.start || a.end !== b.end) out.problems.push("quote and mark differ");
        if (document.querySelectorAll("mark.quote").length !== marks.length)
          out.problems.push("marks outside the passage");
      }
    }
    // The passage's element holds its shown text and the newline that ends it, nothing else.
    if (passage.textContent !== c.shown + "\n") out.problems.push("passage text is not its shown text");
    const position = TextPosition.toRange(passage, {start: c.start, end: c.end});
    if (!position || position.toString() !== c.exact)
      out.problems.push(`position selector gives ${position && JSON.stringify(position.toString())}`);
    return out;
  });
}
"""


def _citation(citation: Citation, *, marked: bool) -> dict:
    return {
        "id": citation.pk,
        "anchor": citation.passage.anchor,
        "exact": citation.exact,
        "prefix": citation.prefix,
        "suffix": citation.suffix,
        "start": citation.start,
        "end": citation.end,
        "shown": citation.passage.shown,
        "marked": marked,
    }


def _load(page, url: str, anchoring_source: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    page.add_script_tag(content=anchoring_source)


def test_every_seeded_citation_anchors_on_the_words_its_page_marks(page, anchoring_source):
    citations = list(Citation.objects.with_passage().order_by("pk"))
    assert len(citations) == 164
    problems = []
    for citation in citations:
        _load(page, citation.get_absolute_url(), anchoring_source)
        (result,) = page.evaluate(ANCHOR_CITATIONS, [_citation(citation, marked=True)])
        problems += [
            f"citation {citation.pk} ({citation.passage.anchor}): {p}" for p in result["problems"]
        ]
    assert not problems, "\n".join(problems)


def test_each_filled_cell_of_table_1_lands_in_its_own_td(page, anchoring_source):
    cells = list(
        Cell.objects.filter(framework__slug="eu-ai-office-uk-aisi", kind=CellKind.VERBATIM)
        .select_related("activity", "level")
        .prefetch_related("citations__passage__document")
    )
    assert len(cells) == 58
    problems = []
    for cell in cells:
        (citation,) = [c for c in cell.citations.all() if c.role == "source"]
        _load(page, citation.get_absolute_url(), anchoring_source)
        found = page.evaluate(
            """(anchor) => {
              const marks = [...document.querySelectorAll("mark.quote")];
              const td = marks.length === 1 ? marks[0].closest("td") : null;
              if (!td) return null;
              const row = td.closest("tr");
              const table = row.closest("table");
              const header = [...table.querySelectorAll("tr.table-header")]
                .filter((h) => h.compareDocumentPosition(row) & Node.DOCUMENT_POSITION_FOLLOWING)
                .pop();
              return {
                row: row.id,
                column: header.cells[td.cellIndex].textContent,
                text: td.textContent,
                marked: marks[0].textContent,
                visible: marks[0].getBoundingClientRect().height > 0,
              };
            }""",
            citation.passage.anchor,
        )
        expected = {
            "row": f"table-1-{cell.activity.slug}",
            "column": cell.level.name,
            "text": cell.text,
            "marked": cell.text,
            "visible": True,
        }
        if found != expected:
            problems.append(f"{cell.activity.slug}/{cell.level.slug}: {found}")
    assert not problems, "\n".join(problems)


def _export_links(client) -> list[str]:
    """Every text-fragment link the exports write for the seeded knowledge base."""
    links = []
    for framework in ("eu-ai-office-uk-aisi", "eu-ai-office-us-aisi"):
        rows = csv.DictReader(
            io.StringIO(body(client.get(f"/frameworks/{framework}/export.csv")).decode())
        )
        links += [url for row in rows for url in row["source_url"].split("\n") if url]
        for cell in Cell.objects.filter(framework__slug=framework).exclude(kind="empty"):
            item = json.loads(client.get(f"{cell.get_absolute_url()}cite.json").content)[0]
            links.append(item["URL"])
    comparison = client.get("/institutions/compare/export.csv?a=uk-aisi&b=eu-ai-office")
    for row in csv.reader(io.StringIO(body(comparison).decode())):
        links += [v for value in row for v in value.split("\n") if ":~:text=" in v]
    return [link for link in links if ":~:text=" in link]


def test_every_text_fragment_link_of_the_exports_matches_only_its_passage(
    page, anchoring_source, client
):
    links = _export_links(client)
    assert len(links) > 150
    by_page = defaultdict(set)
    for link in links:
        parts = urlsplit(link)
        by_page[parts.path].add(parts.fragment)
    problems = []
    for path, fragments in by_page.items():
        _load(page, path, anchoring_source)
        for fragment in sorted(fragments):
            anchor = fragment.split(":~:")[0]
            found = page.evaluate(
                """([hash, anchor]) => window.AtlasAnchoring.textFragmentRanges(hash).map(
                  (ranges) => ranges.map((r) => {
                    const passage = document.getElementById(anchor);
                    return {
                      text: r.toString(),
                      inside: !!passage && passage.contains(r.commonAncestorContainer),
                    };
                  }))""",
                ["#" + fragment, anchor],
            )
            (ranges,) = found
            if len(ranges) != 1 or not ranges[0]["inside"]:
                problems.append(f"{path}#{fragment}: {ranges}")
    assert not problems, "\n".join(problems)


@pytest.fixture
def sectioned(seeded):
    """A generated act long enough to be read a section at a time, committed for the live
    server (emptied with the rest of the database when the test ends)."""
    document, _ = document_upsert(
        slug="synthetic-act",
        title="The Synthetic Act",
        kind="legal_text",
        text=large_document(chapters=3, articles=6, long_article=150),
        format="markdown",
    )
    return document


def test_axe_finds_no_wcag_violation_in_the_reader(page, axe_source, sectioned):
    table_cell = "/frameworks/eu-ai-office-uk-aisi/cells/incident-reporting/coordination/"
    pages = Passage.objects.filter(document=sectioned).values_list("page", flat=True)
    deep = list(dict.fromkeys(pages.order_by("ordinal")))[-2]
    failures = [
        failure
        for url in (
            f"/documents/{BRIEF}/",
            page_url(sectioned.slug, ""),
            page_url(sectioned.slug, deep),
            table_cell,
            f"/documents/{BRIEF}/passages/table-1-incident-reporting/cited-by/",
        )
        for failure in axe_violations(page, axe_source, url)
    ]
    assert not failures, "\n".join(failures)


def test_the_reader_works_without_javascript(browser, seeded, sectioned):
    """Outline, sections, permalinks and quotes without a script: links and redirects only."""
    context = browser.new_context(base_url=seeded.url, java_script_enabled=False)
    page = context.new_page()
    page.goto(page_url(sectioned.slug, ""))
    outline = page.locator(".outline a")
    deep = outline.nth(outline.count() * 2 // 3)
    anchor = urlsplit(deep.get_attribute("href")).fragment
    deep.click()
    page.wait_for_url(f"**#{anchor}")
    assert page.locator(f"#{anchor}").is_visible()
    page.get_by_role("link", name="Next:").first.click()
    page.goto(f"/documents/{sectioned.slug}/passages/{anchor}/")
    assert urlsplit(page.url).fragment == anchor
    assert page.locator(f"#{anchor}").is_visible()
    context.close()
