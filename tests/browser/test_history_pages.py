"""The pages of the knowledge base over time in a browser: axe-core finds no WCAG 2.2 A/AA
violation on the changes, the releases, their comparison, or a page shown at a release."""

from __future__ import annotations

import pytest
from django.db import transaction

from atlas.releases import release_create
from engagement.models import Cell
from tests.browser.conftest import axe_violations

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
    release_create(tag="v1.0", title="The brief")
    with transaction.atomic():
        cell = Cell.objects.get(
            framework__slug="eu-ai-office-uk-aisi",
            activity__slug="standards",
            level__slug="separation",
        )
        cell.kind, cell.text = "analyst", "Explanatory guidance re. shared AI safety standards"
        cell.save()
        # Rewritten almost whole: before and after in full.
        rewritten = Cell.objects.get(
            framework__slug="eu-ai-office-uk-aisi",
            activity__slug="standards",
            level__slug="collaboration",
        )
        rewritten.kind, rewritten.text = "analyst", "Nothing of the sort is planned by either side"
        rewritten.save()
    failures = [line for url in PAGES for line in axe_violations(page, axe_source, url)]
    assert not failures, "\n".join(failures)
    # The change is on the page, struck and added words marked.
    page.goto("/changes/")
    changes = page.locator("li.change")
    assert changes.locator("del").first.inner_text().endswith("respective")
    assert page.locator(".diff-after").first.inner_text() == (
        "After: Nothing of the sort is planned by either side"
    )
