"""Uploading in a browser: axe-core finds no WCAG 2.2 A/AA violation on the upload form
(empty and refused), the preview of a new document and of a new version (with a citation
it would orphan), and the job page of a background upload."""

from __future__ import annotations

import pytest
from django.test import Client

from engagement.models import Cell
from sources.models import Document
from sources.services import citation_attach
from tests.browser.conftest import axe_violations
from tests.editorial.test_ingest import MARKDOWN

pytestmark = pytest.mark.browser


def markdown_file(content: str, name: str = "plan.md") -> dict:
    return {"name": name, "mimeType": "text/markdown", "buffer": content.encode()}


def audit(page, axe_source) -> list[str]:
    """axe on the page as it is now (after a form's answer), reloaded only for a GET."""
    page.evaluate(axe_source)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    )
    assert result["passes"], f"axe ran no check on {page.url}"
    return [
        f"{page.url}: {v['id']} ({v['help']}) at {[', '.join(n['target']) for n in v['nodes'][:3]]}"
        for v in result["violations"]
    ]


def test_axe_finds_no_violation_on_the_upload_and_preview_pages(
    page, axe_source, seeded, django_user_model, settings
):
    editor = django_user_model.objects.create_superuser("ada", password="a-long-passphrase")
    client = Client()
    client.force_login(editor)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": seeded.url}]
    )
    failures = axe_violations(page, axe_source, "/documents/new/")

    # Refused: the error beside its field.
    page.fill("#f-slug", "joint-testing-plan")
    page.set_input_files("#f-file", markdown_file(""))
    page.click("form.upload-form button")
    assert page.locator("#error-file").inner_text().endswith("the file is empty")
    failures += audit(page, axe_source)

    # The preview of a new document, then the write.
    page.fill("#f-title", "Joint Testing Plan")
    page.select_option("#f-kind", "statement")
    page.set_input_files("#f-file", markdown_file(MARKDOWN))
    page.click("form.upload-form button")
    assert page.locator("table.preview-table").count() == 1
    failures += audit(page, axe_source)
    page.click("form.upload-confirm button")
    page.wait_for_url("**/documents/joint-testing-plan/")

    # The preview of a new version that would orphan a citation.
    document = Document.objects.get(slug="joint-testing-plan")
    citation_attach(
        claim=Cell.objects.exclude(kind="empty").first(),
        passage=document.passages.get(anchor="joint-testing-plan-p2"),
        exact="share results",
    )
    page.goto("/documents/joint-testing-plan/versions/new/")
    failures += audit(page, axe_source)
    page.set_input_files(
        "#f-file", markdown_file(MARKDOWN.replace("share results", "publish results"))
    )
    page.click("form.upload-form button")
    assert page.locator("table.orphaned-citations tbody tr").count() == 1
    failures += audit(page, axe_source)

    # A large upload: the job page.
    settings.ATLAS_UPLOAD_INLINE_BYTES = 10
    page.goto("/documents/new/")
    page.fill("#f-slug", "another-plan")
    page.fill("#f-title", "Another Plan")
    page.select_option("#f-kind", "report")
    page.set_input_files("#f-file", markdown_file(MARKDOWN))
    page.click("form.upload-form button")
    page.click("form.upload-confirm button")
    assert page.locator(".job-state").inner_text() == "queued"
    failures += audit(page, axe_source)
    assert not failures, "\n".join(failures)
