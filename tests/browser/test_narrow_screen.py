"""The pages on a phone (360 px wide): no page wider than the screen, and the matrix read
one activity at a time, its levels stacked, each cell naming its level."""

from __future__ import annotations

from itertools import pairwise

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.server]

PHONE = {"width": 360, "height": 740}
BRIEF = "/documents/synergies-eu-ai-office-uk-aisi-2025/"
CELL = "/frameworks/eu-ai-office-uk-aisi/cells/develop-evaluations/collaboration/"
PAGES = [
    "/",
    "/frameworks/eu-ai-office-uk-aisi/",
    "/frameworks/eu-ai-office-uk-aisi/?view=levels",
    "/frameworks/eu-ai-office-us-aisi/",
    "/frameworks/",
    "/institutions/compare/?a=eu-ai-office&b=uk-aisi",
    "/frameworks/compare/?a=eu-ai-office-uk-aisi&b=eu-ai-office-us-aisi",
    CELL,
    BRIEF,
    "/documents/",
    "/activities/",
    "/activities/develop-evaluations/",
    "/levels/",
    "/levels/collaboration/",
    "/institutions/",
    "/institutions/eu-ai-office/",
    "/search/?q=evaluation",
    "/changes/",
]

# How far the page reaches past the left and right of the screen, and what sticks out.
OVERFLOW = """() => {
  const root = document.documentElement;
  const wide = [...document.body.querySelectorAll('*')]
    .filter(e => e.getBoundingClientRect().right > root.clientWidth + 1
                 && !e.closest('.visually-hidden'))
    .slice(0, 5)
    .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right));
  return {scroll: root.scrollWidth, client: root.clientWidth, wide};
}"""


@pytest.fixture
def phone(browser, seeded):
    context = browser.new_context(base_url=seeded.url, viewport=PHONE)
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.parametrize("url", PAGES)
def test_no_page_is_wider_than_a_phone(phone, url):
    response = phone.goto(url)
    assert response is not None and response.status == 200
    overflow = phone.evaluate(OVERFLOW)
    assert overflow["scroll"] <= overflow["client"], overflow


def test_the_matrix_reads_one_activity_at_a_time_with_its_levels_stacked(phone):
    phone.goto("/")
    row = phone.locator("table.matrix tbody tr").first
    heading = row.locator("th").bounding_box()
    boxes = [cell.bounding_box() for cell in row.locator("td").all()]
    assert len(boxes) == 4
    # The activity above its cells, and each cell under the one before, as wide as the row.
    assert heading["y"] + heading["height"] <= boxes[0]["y"] + 1
    for above, below in pairwise(boxes):
        assert below["y"] >= above["y"] + above["height"] - 1
        assert abs(below["x"] - above["x"]) < 2
    assert all(box["width"] > PHONE["width"] * 0.6 for box in boxes)
    # Each cell names its level, for the eye (with no text for the ear, which hears the
    # column's header, kept in the table).
    labels = row.locator("td").evaluate_all(
        "cells => cells.map(c => getComputedStyle(c, '::before').content)"
    )
    assert labels == [
        f'"{level}" / ""'
        for level in ("Collaboration", "Coordination", "Communication", "Separation")
    ]
    assert phone.get_by_role("columnheader", name="Coordination").count() == 1
    assert phone.get_by_role("rowheader").first.is_visible()


def test_on_a_wide_screen_the_matrix_stays_a_grid(page):
    page.goto("/")
    row = page.locator("table.matrix tbody tr").first
    boxes = [cell.bounding_box() for cell in row.locator("td").all()]
    assert len({round(box["y"]) for box in boxes}) == 1
