"""The editors' page of orphaned citations in a browser: axe-core finds no WCAG 2.2 A/AA
violation, and accepting a suggestion works without JavaScript's help."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from atlas.editors import editors_group_sync
from sources.models import Citation
from tests.browser.conftest import axe_violations
from tests.editorial.test_repairs import REWORDED, new_version, reworded_text
from tests.seedtext import BRIEF

pytestmark = [pytest.mark.browser, pytest.mark.server]

URL = "/editors/citations/orphaned/"


def test_the_repair_page_is_accessible_and_accepts_a_suggestion(page, axe_source, seeded):
    new_version(reworded_text())
    editor = get_user_model().objects.create_user("browser-editor", password="x-y-z-w-v")
    editor.groups.add(editors_group_sync())
    client = Client()
    client.force_login(editor)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": seeded.url}]
    )
    failures = axe_violations(page, axe_source, URL)
    assert not failures, "\n".join(failures)

    old, new = next(iter(REWORDED.items()))
    citation = Citation.objects.filter(passage__document__slug=BRIEF, exact=old).order_by("pk")[0]
    card = page.locator("li.card").filter(has=page.locator(f"#citation-{citation.pk}"))
    assert new in card.locator("ol.suggestions li").first.inner_text()
    card.get_by_role("button", name="Accept suggestion 1").click()
    page.wait_for_load_state()
    assert f"Citation {citation.pk} now quotes" in page.locator(".messages").inner_text()
    citation.refresh_from_db()
    assert citation.valid and citation.exact == new
    # The page with its message is accessible too.
    page.evaluate(axe_source)
    result = page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"
    )
    assert not result["violations"], result["violations"]
