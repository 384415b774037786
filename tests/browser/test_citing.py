"""Citing from the reader in Chromium: an editor selects words and cites them.

- With JavaScript: the editor selects words of a paragraph and of a cell of Table 1 on the
  reader page, follows the "Cite" link the selection shows, picks a cell through the claim
  search (filled as one types) and saves; the cell's page marks each quote, and
  dom-anchor-text-quote anchors each new citation's selector on the reader page on exactly
  the words selected, inside its passage.
- Without JavaScript: the same through a passage's "cite words" link, the "Find" button
  and a typed quote.
- axe-core finds no WCAG 2.2 A/AA violation on the cite form.
"""

from __future__ import annotations

import pytest

from atlas.editors import editors_group_sync
from engagement.models import Cell
from sources.models import Citation, Passage, page_url
from tests.browser.conftest import axe_violations
from tests.seedtext import BRIEF

pytestmark = [pytest.mark.browser, pytest.mark.server]

PASSWORD = "correct horse battery staple"

# Select `words` inside the element `id` (the first text node holding them, or the cell
# `cell` of a table row), as a reader's mouse would, and let go of the button there.
SELECT = r"""
([id, cell, words]) => {
  const passage = document.getElementById(id);
  const root = cell === null ? passage : passage.cells[cell];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode()) && !node.data.includes(words)) {}
  if (!node) return null;
  const range = document.createRange();
  const at = node.data.indexOf(words);
  range.setStart(node, at);
  range.setEnd(node, at + words.length);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  node.parentElement.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
  return selection.toString();
}
"""

# Anchor a citation's selectors on the reader page as annotation tools do.
ANCHOR = r"""
(c) => {
  const {TextQuote, TextPosition} = window.AtlasAnchoring;
  const passage = document.getElementById(c.anchor);
  const quote = TextQuote.toRange(document.body, {exact: c.exact, prefix: c.prefix, suffix: c.suffix});
  const position = TextPosition.toRange(passage, {start: c.start, end: c.end});
  return {
    quote: quote && quote.toString(),
    inside: !!quote && passage.contains(quote.commonAncestorContainer),
    position: position && position.toString(),
  };
}
"""

# The quotes a cell page marks, one string per citation.
MARKED = """() => [...document.querySelectorAll("figure.citation")].map(
  (f) => [...f.querySelectorAll("mark.quote")].map((m) => m.textContent).join(""))"""


@pytest.fixture
def editor(seeded, django_user_model):
    user = django_user_model.objects.create_user("browser-editor", password=PASSWORD, is_staff=True)
    user.groups.add(editors_group_sync())
    return user


def signed_in(browser, live_server, user, *, javascript: bool = True):
    # bypass_csp: the anchoring libraries and axe are injected into the page by the test.
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1366, "height": 900},
        java_script_enabled=javascript,
        bypass_csp=True,
    )
    page = context.new_page()
    page.goto("/admin/login/?next=/documents/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/documents/")
    return context, page


def cell(activity: str, level: str) -> Cell:
    return Cell.objects.select_related("framework", "activity", "level").get(
        framework__slug="eu-ai-office-uk-aisi", activity__slug=activity, level__slug=level
    )


def reader_page(anchor: str) -> str:
    return page_url(BRIEF, Passage.objects.get(document__slug=BRIEF, anchor=anchor).page)


def anchor_on_page(page, citation: Citation) -> dict:
    """The citation's selectors anchored by the annotation libraries on the open page."""
    selectors = {name: getattr(citation, name) for name in ("exact", "prefix", "suffix")}
    position = {"start": citation.start, "end": citation.end}
    return page.evaluate(ANCHOR, {"anchor": citation.passage.anchor, **selectors, **position})


def anchored(browser, live_server, anchoring_source, citation: Citation) -> dict:
    """The citation anchored on the reader page a visitor (not signed in) is shown."""
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    page = context.new_page()
    passage = citation.passage
    page.goto(page_url(passage.document.slug, passage.page), wait_until="domcontentloaded")
    page.add_script_tag(content=anchoring_source)
    found = anchor_on_page(page, citation)
    context.close()
    return found


def pick_claim(page, words: str, target: Cell) -> None:
    page.fill("#cite-q", words)
    option = page.locator(f'#cite-claim option[value="cell:{target.pk}"]')
    option.wait_for(state="attached")
    page.select_option("#cite-claim", f"cell:{target.pk}")


def test_an_editor_cites_selected_words_of_a_paragraph_and_a_table_cell(
    browser, live_server, editor, anchoring_source
):
    context, page = signed_in(browser, live_server, editor)
    cases = [
        # (passage, table cell or None, the words selected, the cell cited, its search)
        (
            "executive-summary-p1",
            None,
            "overlapping mandates",
            cell("incident-reporting", "coordination"),
            "incident reporting coordination",
        ),
        (
            "table-1-incident-reporting",
            2,
            None,
            cell("develop-evaluations", "collaboration"),
            "develop evaluations collaboration",
        ),
    ]
    problems = []
    for anchor, table_cell, words, target, search in cases:
        page.goto(reader_page(anchor))
        if words is None:  # a few words from the middle of the table cell
            text = page.evaluate(
                "([id, i]) => document.getElementById(id).cells[i].textContent",
                [anchor, table_cell],
            )
            words = " ".join(text.split()[1:4])
        selected = page.evaluate(SELECT, [anchor, table_cell, words])
        assert selected == words
        page.locator("a.cite-selection").click()
        page.wait_for_url("**/cite/?start=*")
        assert page.input_value("#cite-exact") == words
        pick_claim(page, search, target)
        page.get_by_role("button", name="Cite", exact=True).click()
        page.wait_for_url(f"**{target.get_absolute_url()}")
        if words not in page.evaluate(MARKED):
            problems.append(f"{anchor}: the cell page does not mark {words!r}")
        citation = Citation.objects.select_related("passage").latest("pk")
        assert (citation.passage.anchor, citation.exact, citation.object_id) == (
            anchor,
            words,
            target.pk,
        )
        found = anchored(browser, live_server, anchoring_source, citation)
        if found != {"quote": words, "inside": True, "position": words}:
            problems.append(f"{anchor}: {found}")
    context.close()
    assert not problems, "\n".join(problems)


def test_an_editor_cites_typed_words_without_javascript(
    browser, live_server, editor, anchoring_source
):
    context, page = signed_in(browser, live_server, editor, javascript=False)
    target = cell("ai-risk-estimates", "communication")
    anchor = "executive-summary-p1"
    words = "primary bodies covering security and safety"
    page.goto(reader_page(anchor))
    assert page.locator("a.cite-selection").count() == 0
    page.get_by_role("link", name=f"Cite words from passage {anchor}", exact=True).click()
    page.wait_for_url(f"**/passages/{anchor}/cite/")
    page.fill("#cite-q", "risk estimates communication")
    page.get_by_role("button", name="Find").click()
    page.select_option("#cite-claim", f"cell:{target.pk}")
    page.fill("#cite-exact", words)
    page.get_by_role("button", name="Cite", exact=True).click()
    page.wait_for_url(f"**{target.get_absolute_url()}")
    assert words in page.evaluate(MARKED)
    citation = Citation.objects.select_related("passage").latest("pk")
    assert (citation.passage.anchor, citation.exact) == (anchor, words)
    context.close()
    found = anchored(browser, live_server, anchoring_source, citation)
    assert found == {"quote": words, "inside": True, "position": words}


def test_a_quote_not_in_the_passage_is_refused_without_javascript(browser, live_server, editor):
    context, page = signed_in(browser, live_server, editor, javascript=False)
    before = Citation.objects.count()
    page.goto(f"/documents/{BRIEF}/passages/executive-summary-p1/cite/")
    page.fill("#cite-q", "incident reporting coordination")
    page.get_by_role("button", name="Find").click()
    page.select_option("#cite-claim", index=1)
    page.fill("#cite-exact", "words the brief never wrote")
    page.get_by_role("button", name="Cite", exact=True).click()
    alert = page.get_by_role("alert")
    assert "Quote" in alert.inner_text() and "is not found" in alert.inner_text()
    assert page.get_attribute("#cite-exact", "aria-invalid") == "true"
    assert Citation.objects.count() == before
    context.close()


def test_axe_finds_no_wcag_violation_on_the_cite_form(browser, live_server, editor, axe_source):
    context, page = signed_in(browser, live_server, editor)
    passage = Passage.objects.get(document__slug=BRIEF, anchor="table-1-incident-reporting")
    form = f"/documents/{BRIEF}/passages/{passage.anchor}/cite/"
    failures = axe_violations(page, axe_source, f"{form}?start=0&end=8&q=incident")
    failures += axe_violations(page, axe_source, form)
    # With the form's errors shown.
    page.get_by_role("button", name="Cite", exact=True).click()
    page.wait_for_selector("#cite-errors")
    page.evaluate(axe_source)
    result = page.evaluate("() => axe.run(document)")
    failures += [v["id"] for v in result["violations"]]
    # The editor's reader page, cite links and the selection's link included.
    page.goto(reader_page(passage.anchor))
    page.evaluate(SELECT, ["executive-summary-p1", None, "overlapping mandates"])
    page.locator("a.cite-selection").wait_for()
    page.evaluate(axe_source)
    result = page.evaluate("() => axe.run(document)")
    failures += [f"reader: {v['id']} {v['nodes'][0]['target']}" for v in result["violations"]]
    context.close()
    assert not failures, "\n".join(map(str, failures))
