"""Drafting a framework from a table in Chromium: an editor follows the reader's link beside
Table 1 of the brief, keeps the levels the page proposes and drafts (a plain form, no
script of its own); axe-core finds no WCAG 2.2 A/AA violation on the form (axe runs as a
script, so JavaScript is on), and dom-anchor-text-quote anchors every drafted citation on
the reader page on exactly its cell's words, inside its row."""

from __future__ import annotations

import pytest

from atlas.editors import editors_group_sync
from engagement.models import Framework
from sources.models import Citation, Passage, page_url
from tests.browser.conftest import axe_violations
from tests.browser.test_citing import PASSWORD, anchor_on_page, signed_in
from tests.drafting import TABLE_1
from tests.seedtext import BRIEF

pytestmark = [pytest.mark.browser, pytest.mark.server]

SLUG = "table-1-in-chromium"


@pytest.fixture
def editor(seeded, django_user_model):
    user = django_user_model.objects.create_user("draft-editor", password=PASSWORD, is_staff=True)
    user.groups.add(editors_group_sync())
    return user


def draft_from_the_reader(page, axe_source: str) -> list[str]:
    """Follow the reader's link beside Table 1, check the form, draft; axe's violations."""
    passage = Passage.objects.get(document__slug=BRIEF, anchor=TABLE_1)
    page.goto(page_url(BRIEF, passage.page))
    page.locator('a.table-action[aria-label="Draft a framework from this table"]').first.click()
    page.wait_for_url("**/editors/frameworks/draft/**")
    form = page.url
    assert page.locator("#f-level-4").input_value() == "separation"
    violations = axe_violations(page, axe_source, form)
    page.fill("#f-institutions", "eu-ai-office, uk-aisi")
    page.fill("#f-slug", SLUG)
    page.click("form.draft-form button[type=submit]")
    page.wait_for_url(f"**/frameworks/{SLUG}/")
    return violations


def unanchored(browser, live_server, anchoring_source, citations: list[Citation]) -> list[str]:
    """The citations dom-anchor-text-quote does not anchor on exactly their words inside
    their passage, on the reader page a visitor is shown (one load per page)."""
    problems = []
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    page = context.new_page()
    for reader in sorted({page_url(BRIEF, c.passage.page) for c in citations}):
        page.goto(reader, wait_until="domcontentloaded")
        page.add_script_tag(content=anchoring_source)
        for citation in citations:
            if page_url(BRIEF, citation.passage.page) != reader:
                continue
            found = anchor_on_page(page, citation)
            expected = {"quote": citation.exact, "inside": True, "position": citation.exact}
            if found != expected:
                problems.append(f"{citation.passage.anchor} {citation.exact!r}: {found}")
    context.close()
    return problems


def test_a_draft_of_table_1_anchors_every_citation_in_chromium(
    browser, live_server, editor, anchoring_source, axe_source
):
    context, page = signed_in(browser, live_server, editor)
    violations = draft_from_the_reader(page, axe_source)
    context.close()
    assert not violations, "\n".join(violations)
    draft = Framework.objects.get(slug=SLUG)
    assert draft.status == "draft"
    citations = list(Citation.objects.filter(cell__framework=draft).with_passage())
    assert len(citations) == 58
    assert not unanchored(browser, live_server, anchoring_source, citations)
