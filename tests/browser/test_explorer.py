"""What only a browser shows: the matrix renders, filters work, citation links land on the
highlighted quote, and axe-core finds no WCAG 2.2 A/AA violation on any page type."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.server]

PAGE_TYPES = [
    "/",
    "/frameworks/",
    "/frameworks/eu-ai-office-uk-aisi/?level=coordination&q=evaluation",
    "/frameworks/eu-ai-office-uk-aisi/?view=levels",
    "/frameworks/eu-ai-office-uk-aisi/?level=bogus",
    # A keyword with nothing to search for: said so, the other filters kept.
    "/frameworks/eu-ai-office-uk-aisi/?level=coordination&q=the",
    "/frameworks/eu-ai-office-us-aisi/",
    "/frameworks/eu-ai-office-uk-aisi/cells/incident-reporting/communication/",
    "/frameworks/eu-ai-office-uk-aisi/cells/institutional-development/collaboration/",
    "/frameworks/compare/?a=eu-ai-office-uk-aisi&b=eu-ai-office-us-aisi",
    "/activities/",
    "/activities/incident-reporting/",
    "/levels/",
    "/levels/separation/",
    "/institutions/",
    "/institutions/uk-aisi/",
    "/institutions/compare/?a=uk-aisi&b=eu-ai-office",
    # A picker value several names match: the choices to pick from.
    "/institutions/compare/?a=AI&b=eu-ai-office",
    "/documents/",
    "/documents/synergies-eu-ai-office-uk-aisi-2025/",
    "/documents/eu-us-ttc-ai-collaboration-2024/",
]


def level_headers(page) -> list[str]:
    return page.locator("table.matrix thead th").all_inner_texts()


def test_matrix_renders_and_filtering_by_a_level_leaves_only_that_column(page):
    page.goto("/")
    assert page.title().startswith("Matrix: EU AI Office and UK AISI")
    assert level_headers(page) == [
        "Common activity",
        "Collaboration",
        "Coordination",
        "Communication",
        "Separation",
    ]
    assert page.get_by_role(
        "link", name="Develop common AI incident reporting registry"
    ).is_visible()
    assert page.locator("tbody td.cell").count() == 60

    page.get_by_label("Coordination", exact=True).check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/?level=coordination*")
    assert level_headers(page) == ["Common activity", "Coordination"]
    assert page.locator("tbody td.cell").count() == 15
    assert page.get_by_role("status").inner_text().startswith("15 matching cells")
    assert page.get_by_text("Develop common AI incident reporting registry").count() == 0
    # The URL holds the whole state: reloading it gives the same view.
    page.reload()
    assert level_headers(page) == ["Common activity", "Coordination"]


def test_a_cell_then_its_citation_lands_on_the_highlighted_quote(page):
    page.goto("/")
    page.get_by_role(
        "link", name="Align “incident” definitions” and create interoperable reporting standards"
    ).click()
    page.wait_for_url("**/cells/incident-reporting/coordination/")
    assert "Incident Reporting" in page.locator("h1").inner_text()
    page.get_by_role("link", name="Read this passage in the document").first.click()
    page.wait_for_url(
        "**/documents/synergies-eu-ai-office-uk-aisi-2025/?cite=*#table-1-incident-reporting"
    )
    mark = page.locator("#table-1-incident-reporting mark")
    assert mark.count() == 1
    assert (
        mark.inner_text()
        == "Align “incident” definitions” and create interoperable reporting standards"
    )
    assert mark.is_visible()
    # The fragment scrolled the passage into view.
    box = mark.bounding_box()
    assert box is not None and 0 <= box["y"] < page.viewport_size["height"]


def test_pages_work_without_javascript(browser, seeded):
    context = browser.new_context(base_url=seeded.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/frameworks/eu-ai-office-uk-aisi/")
    page.get_by_label("Separation", exact=True).check()
    page.get_by_label("Keyword (cell text and cited quotes)").fill("incident")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**level=separation*")
    assert (
        page.locator("tbody td.cell")
        .all_inner_texts()[0]
        .startswith("Separately monitor highly sensitive incidents")
    )
    context.close()


def test_axe_finds_no_wcag_violation_on_any_page_type(page, axe_source):
    failures = [line for url in PAGE_TYPES for line in axe_violations(page, axe_source, url)]
    assert not failures, "\n".join(failures)
