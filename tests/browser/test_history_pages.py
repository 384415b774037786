"""The pages of the knowledge base over time in a browser: axe-core finds no WCAG 2.2 A/AA
violation on the changes, the releases, their comparison, or a page shown at a release."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations
from tests.helpers import release_then_edit

pytestmark = [pytest.mark.browser, pytest.mark.server]

PAGES = [
    "/changes/",
    "/changes/?type=nothing",
    "/releases/",
    "/releases/v1.0/",
    "/releases/compare/?a=v1.0&b=current",
    "/frameworks/eu-ai-office-uk-aisi/cells/standards/separation/?release=v1.0",
]


def test_axe_finds_no_wcag_violation_on_the_pages_over_time(page, axe_source):
    # One cell edited, another rewritten almost whole (before and after shown in full).
    release_then_edit(("collaboration", "Nothing of the sort is planned by either side"))
    failures = [line for url in PAGES for line in axe_violations(page, axe_source, url)]
    assert not failures, "\n".join(failures)
    # The change is on the page, struck and added words marked.
    page.goto("/changes/")
    changes = page.locator("li.change")
    assert changes.locator("del").first.inner_text().endswith("respective")
    assert page.locator(".diff-after").first.inner_text() == (
        "After: Nothing of the sort is planned by either side"
    )
