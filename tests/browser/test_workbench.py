"""The editors' workbench end to end in Chromium, never a shell: an editor uploads a
Markdown document (previewed, then written), cites words of a paragraph and of a table
cell for cells of the seeded framework, uploads a new version that rewords one cited
sentence (the preview names the citation it would orphan) and repairs that citation by
accepting the suggestion the orphaned citations' page offers; the API then shows it valid,
and the changes name the editor."""

from __future__ import annotations

import pytest

from atlas.editors import editors_group_sync
from sources.models import Citation, Passage, page_url
from tests.browser.test_citing import MARKED, SELECT, anchored, cell, pick_claim

pytestmark = [pytest.mark.browser, pytest.mark.server]

PASSWORD = "a workbench passphrase"
SLUG = "joint-evaluation-note"
CITED = "They publish a summary of results within a month of each test."
REWORDED = CITED.replace("publish", "share")
PARAGRAPH_WORDS = "publish a summary of results"

MARKDOWN = f"""# Joint Evaluation Note

The two institutes evaluate frontier models together before deployment.

{CITED}

| Area | EU AI Office | UK AISI |
| --- | --- | --- |
| Testing | Shared protocols for red-teaming | Yes |
| Standards | Yes | No |
"""


def markdown_file(content: str) -> dict:
    return {"name": "note.md", "mimeType": "text/markdown", "buffer": content.encode()}


@pytest.fixture
def editor(seeded, django_user_model):
    user = django_user_model.objects.create_user(
        "workbench-editor",
        password=PASSWORD,
        is_staff=True,
        first_name="Wendy",
        last_name="Workbench",
    )
    user.groups.add(editors_group_sync())
    return user


def sign_in(page, editor) -> None:
    page.goto("/admin/login/?next=/documents/new/")
    page.fill("#id_username", editor.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/documents/new/")


def upload_and_confirm(page) -> None:
    """The upload, its preview (outline, anchors, the table as a table), the write."""
    page.fill("#f-slug", SLUG)
    page.fill("#f-title", "Joint Evaluation Note")
    page.select_option("#f-kind", "statement")
    page.set_input_files("#f-file", markdown_file(MARKDOWN))
    page.click("form.upload-form button")
    page.wait_for_url("**/documents/uploads/*/")
    assert "Joint Evaluation Note" in page.locator("ol.outline").inner_text()
    assert page.locator(".preview-passage .anchor code").first.inner_text().startswith("#")
    passages_text = page.locator(".preview-passages").inner_text()
    assert f"#{SLUG}-p2" in passages_text, passages_text
    table = page.locator("table.preview-table")
    assert table.count() == 1
    assert table.locator("th").all_inner_texts()[:3] == ["Area", "EU AI Office", "UK AISI"]
    page.click("form.upload-confirm button")
    page.wait_for_url(f"**/documents/{SLUG}/")


def cite_selections(page, browser, live_server, anchoring_source) -> list[Citation]:
    """Words of a paragraph and of a table cell, selected and cited for cells of the
    framework: each marked on its cell's page and anchored on exactly those words."""
    paragraph = Passage.objects.get(document__slug=SLUG, text__contains=CITED)
    row = Passage.objects.get(document__slug=SLUG, text__contains="Shared protocols")
    cases = [
        (paragraph, None, PARAGRAPH_WORDS, cell("incident-reporting", "coordination"),
         "incident reporting coordination"),
        (row, 1, "protocols for red-teaming", cell("develop-evaluations", "collaboration"),
         "develop evaluations collaboration"),
    ]  # fmt: skip
    cited: list[Citation] = []
    problems = []
    for passage, table_cell, words, target, search in cases:
        page.goto(page_url(SLUG, passage.page))
        assert page.evaluate(SELECT, [passage.anchor, table_cell, words]) == words
        page.locator("a.cite-selection").click()
        page.wait_for_url("**/cite/?start=*")
        assert page.input_value("#cite-exact") == words
        pick_claim(page, search, target)
        page.get_by_role("button", name="Cite", exact=True).click()
        page.wait_for_url(f"**{target.get_absolute_url()}")
        if words not in page.evaluate(MARKED):
            problems.append(f"{passage.anchor}: the cell page does not mark {words!r}")
        citation = Citation.objects.select_related("passage").latest("pk")
        assert (citation.passage_id, citation.exact, citation.object_id) == (
            passage.pk,
            words,
            target.pk,
        )
        cited.append(citation)
        found = anchored(browser, live_server, anchoring_source, citation)
        if found != {"quote": words, "inside": True, "position": words}:
            problems.append(f"{passage.anchor}: {found}")
    assert not problems, "\n".join(problems)
    return cited


def reword_in_a_new_version(page, cited: list[Citation]) -> Citation:
    """A new version rewords the first cited sentence: the preview names that citation,
    which the write then orphans; the other stands."""
    orphan = cited[0]
    page.goto(f"/documents/{SLUG}/versions/new/")
    page.set_input_files("#f-file", markdown_file(MARKDOWN.replace(CITED, REWORDED)))
    page.click("form.upload-form button")
    page.wait_for_url("**/documents/uploads/*/")
    rows = page.locator("table.orphaned-citations tbody tr")
    assert rows.count() == 1
    assert rows.first.locator("td").first.inner_text() == str(orphan.pk)
    assert PARAGRAPH_WORDS in rows.first.inner_text()
    page.click("form.upload-confirm button")
    page.wait_for_url(f"**/documents/{SLUG}/")
    orphan.refresh_from_db()
    assert orphan.orphaned and not orphan.valid
    cited[1].refresh_from_db()
    assert cited[1].valid
    return orphan


def accept_the_repair(page, orphan: Citation) -> None:
    """The suggestion points at the reworded sentence; accepted, the citation is valid and
    its change names the editor."""
    page.goto("/editors/citations/orphaned/")
    card = page.locator("li.card").filter(has=page.locator(f"#citation-{orphan.pk}"))
    suggestion = card.locator("ol.suggestions li").first.inner_text()
    assert "share a summary of results" in suggestion, suggestion
    card.get_by_role("button", name="Accept suggestion 1").click()
    page.wait_for_load_state()
    assert f"Citation {orphan.pk} now quotes" in page.locator(".messages").inner_text()
    body = page.request.get(f"/api/v1/citations/{orphan.pk}/").json()
    assert body["valid"] and not body["orphaned"], body
    assert body["exact"] in REWORDED, body
    changes = page.request.get(
        "/api/v1/changes/", params={"type": "citation", "document": SLUG}
    ).json()["results"]
    mine = [c for c in changes if c["key"] == orphan.pk and c["action"] == "changed"]
    assert mine and mine[0]["editor"] == "Wendy Workbench", changes


def test_an_editor_uploads_cites_and_repairs_in_the_browser(
    browser, live_server, editor, anchoring_source
):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1366, "height": 900}, bypass_csp=True
    )
    page = context.new_page()
    sign_in(page, editor)
    upload_and_confirm(page)
    cited = cite_selections(page, browser, live_server, anchoring_source)
    orphan = reword_in_a_new_version(page, cited)
    accept_the_repair(page, orphan)
    context.close()
