"""Uploading documents from the browser and the API: `ingest`'s refusals with the field
named and nothing written, a preview that writes nothing, a confirmed write in one
transaction, and large uploads written by a background task."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils.timezone import now
from rest_framework.test import APIClient

from engagement.models import Cell
from sources.models import Document, Upload, UploadStatus
from sources.services import citation_attach
from tests.editorial.pdf import build_pdf, build_pdf_pages
from tests.editorial.test_ingest import BRIEF, MARKDOWN, snapshot

PASSWORD = "a-long-editor-passphrase"
NEW = {"slug": "joint-testing-plan", "title": "Joint Testing Plan", "kind": "statement"}

REFUSALS = [
    # (file name, content, fields, the field named, words of the message)
    ("empty.md", b"", {}, "file", "the file is empty"),
    ("blank.txt", b"  \n\n \n", {}, "file", "the file holds no text"),
    ("binary.txt", b"abc\x00\x01\x02def", {}, "file", "binary content (NUL bytes)"),
    ("latin1.txt", "Café policy\n".encode("latin-1"), {}, "file", "not valid UTF-8"),
    ("fake.pdf", b"# not a pdf\n", {}, "file", "not a PDF file"),
    ("broken.pdf", b"%PDF-1.4\nthis is not a PDF body", {}, "file", "not a readable PDF"),
    ("locked.pdf", build_pdf(["Secret"], encrypt=True), {}, "file", "the PDF is encrypted"),
    ("plan.docx", b"PK\x03\x04", {}, "file", "unsupported file type '.docx'"),
    ("big.md", b"# Plan\n" + b"x" * 2048, {}, "file", "is over the limit of 1024 bytes"),
    ("plan.md", b"# Plan\n", {"kind": "blog"}, "kind", "'blog' is not one of"),
    ("plan.md", b"# Plan\n", {"published": "2025-02-30"}, "published", "'2025-02-30' is not"),
    ("plan.md", b"# Plan\n", {"published": "March 2025"}, "published", "is not a date"),
    ("plan.md", b"# Plan\n", {"url": "not a url"}, "url", "Enter a valid URL."),
    ("plan.md", b"# Plan\n", {"slug": BRIEF}, "slug", "already names the document"),
    ("plan.md", b"# Plan\n", {"title": ""}, "title", "title is required"),
]


@pytest.fixture
def editor(kb, monkeypatch):
    from django.contrib.auth.models import User

    monkeypatch.setenv("ATLAS_EDITOR_PASSWORD", PASSWORD)
    call_command("create_editor", "ada", email="ada@example.org", stdout=io.StringIO())
    return User.objects.get(username="ada")


@pytest.fixture
def api(editor) -> APIClient:
    client = APIClient()
    client.force_authenticate(editor)
    return client


@pytest.fixture
def small_limit(settings):
    settings.ATLAS_UPLOAD_MAX_BYTES = 1024


def upload_file(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def api_create(api: APIClient, name: str, content: bytes, **fields):
    data = {**NEW, **fields, "file": upload_file(name, content)}
    return api.post("/api/v1/documents/", data, format="multipart")


@pytest.mark.parametrize(("name", "content", "fields", "field", "message"), REFUSALS)
def test_the_api_refuses_what_ingest_refuses_naming_the_field(
    api, small_limit, name, content, fields, field, message
):
    before = snapshot()
    response = api_create(api, name, content, **fields)
    assert response.status_code == 400, response.content
    assert message in " ".join(response.json()["errors"][field]), response.json()
    assert snapshot() == before
    assert not Upload.objects.exists()


@pytest.mark.parametrize(("name", "content", "fields", "field", "message"), REFUSALS)
def test_the_page_refuses_what_ingest_refuses_naming_the_field(
    client, editor, small_limit, name, content, fields, field, message
):
    client.force_login(editor)
    before = snapshot()
    data = {**NEW, **fields, "file": upload_file(name, content)}
    response = client.post(reverse("sources:document-upload"), data)
    assert response.status_code == 400
    html = response.content.decode()
    # The error is tied to its field: inside the field's block, named by aria-describedby.
    assert f'id="error-{field}"' in html
    assert f'aria-invalid="true" aria-describedby="error-{field}' in html
    error = html.split(f'id="error-{field}"', 1)[1].split("</", 1)[0]
    assert message.replace("'", "&#x27;") in error
    assert snapshot() == before
    assert not Upload.objects.exists()


def test_api_preview_answers_the_plan_and_writes_nothing(api):
    before = snapshot()
    response = api_create(api, "plan.md", MARKDOWN.encode(), preview="true")
    assert response.status_code == 200, response.content
    plan = response.json()
    assert plan["created"] is True
    assert [h["anchor"] for h in plan["outline"]] == ["joint-testing-plan", "commitments"]
    anchors = [p["anchor"] for p in plan["passages"]]
    assert anchors[:2] == ["joint-testing-plan", "joint-testing-plan-p1"]
    assert plan["passages_added"] == anchors
    assert snapshot() == before


TWO_PAGES = [
    [("Joint Testing Plan", 16), "", "The two institutes will test frontier models", "together"],
    ["before deployment.", "", ("Scope", 13), "", "Frontier models only."],
]


def test_a_pdf_preview_gives_each_passage_its_pages_and_the_write_stores_them(api, client):
    """A paragraph that had not ended at the foot of page 1 goes on at the head of page 2:
    one passage, on pages 1 to 2; the write stores what the preview showed."""
    before = snapshot()
    data = build_pdf_pages(TWO_PAGES)
    response = api_create(api, "plan.pdf", data, preview="true")
    assert response.status_code == 200, response.content
    plan = response.json()
    assert (plan["file_kind"], plan["format"], plan["pages"]) == ("pdf", "markdown", 2)
    assert [(p["anchor"], p["source_page"], p["source_page_end"]) for p in plan["passages"]] == [
        ("joint-testing-plan", 1, 1),
        ("joint-testing-plan-p1", 1, 2),
        ("scope", 2, 2),
        ("scope-p1", 2, 2),
    ]
    assert snapshot() == before
    assert api_create(api, "plan.pdf", data).status_code == 201
    document = Document.objects.get(slug="joint-testing-plan")
    paragraph = document.passages.get(anchor="joint-testing-plan-p1")
    assert (
        paragraph.shown
        == "The two institutes will test frontier models together before deployment."
    )
    assert (paragraph.source_page, paragraph.source_page_end) == (1, 2)
    assert document.page_starts == [0, document.text.index("before deployment.")]


def test_api_create_writes_at_once_with_201_location_and_etag(api):
    response = api_create(api, "plan.md", MARKDOWN.encode())
    assert response.status_code == 201, response.content
    assert response["Location"] == "http://testserver/api/v1/documents/joint-testing-plan/"
    assert response["ETag"]
    assert response.json()["slug"] == "joint-testing-plan"
    document = Document.objects.get(slug="joint-testing-plan")
    assert document.passages.count() == len(
        api.get("/api/v1/passages/", {"document": "joint-testing-plan"}).json()["results"]
    )


def test_reading_is_open_but_uploading_needs_an_editor(kb):
    response = APIClient().post(
        "/api/v1/documents/", {**NEW, "file": upload_file("plan.md", MARKDOWN.encode())}
    )
    assert response.status_code in (401, 403)
    assert not Document.objects.filter(slug="joint-testing-plan").exists()


@pytest.fixture
def cited(api):
    api_create(api, "plan.md", MARKDOWN.encode())
    document = Document.objects.get(slug="joint-testing-plan")
    by_anchor = {p.anchor: p for p in document.passages.all()}
    claim = Cell.objects.exclude(kind="empty").first()
    edited, _ = citation_attach(
        claim=claim, passage=by_anchor["joint-testing-plan-p2"], exact="share results"
    )
    kept, _ = citation_attach(
        claim=claim, passage=by_anchor["joint-testing-plan-p1"], exact="test frontier models"
    )
    return document, claim, edited, kept


EDITED = MARKDOWN.replace(
    "They share results within a week of each test.",
    "They will now share their results within a month of each test.",
).replace("- Exchange staff twice a year.\n", "")


def version(api, content: bytes, **fields):
    return api.post(
        "/api/v1/documents/joint-testing-plan/versions/",
        {"file": upload_file("plan.md", content), **fields},
        format="multipart",
    )


def test_version_preview_lists_changes_and_orphaned_citations_with_claims(api, cited):
    _, claim, edited, kept = cited
    before = snapshot()
    response = version(api, EDITED.encode(), preview="true")
    assert response.status_code == 200, response.content
    plan = response.json()
    # Item 2 gone, the line after it continues item 1 (as `ingest` parses it).
    assert plan["passages_changed"] == ["joint-testing-plan-p2", "commitments-item-1"]
    assert plan["passages_removed"] == ["commitments-item-2"]
    assert plan["passages_added"] == []
    assert plan["citations_orphaned"] == [
        {
            "id": edited.pk,
            "anchor": "joint-testing-plan-p2",
            "quote": "share results",
            "claim": str(claim),
            "claim_type": "cell",
        }
    ]
    assert snapshot() == before

    # The write does what the preview said.
    response = version(api, EDITED.encode())
    assert response.status_code == 201, response.content
    edited.refresh_from_db()
    kept.refresh_from_db()
    assert edited.orphaned and not kept.orphaned


def test_a_version_of_no_document_is_a_404(api):
    response = api.post(
        "/api/v1/documents/no-such-document/versions/",
        {"file": upload_file("plan.md", b"# Plan\n")},
        format="multipart",
    )
    assert response.status_code == 404


@pytest.fixture
def background(settings):
    settings.ATLAS_UPLOAD_INLINE_BYTES = 10


def run_worker() -> None:
    """The production worker, in this process, until the queue is empty. Its check for
    stale connections between tasks is left out: inside the test's transaction it would
    close the connection (tests/production/test_upload_worker.py runs the whole worker)."""
    with mock.patch(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    ):
        call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())


def test_a_large_upload_is_a_job_that_a_worker_writes(api, background):
    response = api_create(api, "plan.md", MARKDOWN.encode())
    assert response.status_code == 202, response.content
    job_url = response["Location"]
    assert job_url.startswith("/api/v1/jobs/")
    assert response.json()["status"] == "queued"
    assert not Document.objects.filter(slug="joint-testing-plan").exists()

    run_worker()

    job = api.get(job_url).json()
    assert job["status"] == "succeeded"
    assert job["progress"] == 100
    assert job["result"]["api_url"] == "/api/v1/documents/joint-testing-plan/"
    assert Document.objects.get(slug="joint-testing-plan").passages.exists()
    # Nobody else's to see.
    assert APIClient().get(job_url).status_code in (401, 403)


def test_a_background_upload_that_fails_midway_writes_nothing(api, background, monkeypatch):
    response = api_create(api, "plan.md", MARKDOWN.encode())
    before = snapshot()

    def disk_full(*args, **kwargs):
        raise RuntimeError("disk full")

    # Midway: the document row is written, then its passages fail.
    monkeypatch.setattr("sources.services._passages_sync", disk_full)
    run_worker()

    job = api.get(response["Location"]).json()
    assert job["status"] == "failed"
    assert job["error"]["field"] == "file"
    assert "could not be written (RuntimeError)" in job["error"]["message"]
    assert snapshot() == before


def test_a_bad_pdf_found_by_the_worker_fails_the_job_naming_the_file(api, background, editor):
    # A file checked at upload and broken by the time the worker reads it (the check is run
    # again): the job fails naming the file.
    upload = Upload.objects.create(
        owner=editor,
        filename="broken.pdf",
        data=b"%PDF-1.4\nthis is not a PDF body",
        slug="broken",
        metadata={"title": "Broken", "kind": "report"},
    )
    from sources.uploads import upload_start

    before = snapshot()
    upload_start(upload)
    run_worker()
    job = api.get(f"/api/v1/jobs/{upload.pk}/").json()
    assert job["status"] == "failed"
    assert job["error"] == {"field": "file", "message": job["error"]["message"]}
    assert "broken.pdf: not a readable PDF" in job["error"]["message"]
    assert snapshot() == before
    assert bytes(Upload.objects.get(pk=upload.pk).data) == b""  # the file is not kept


def test_a_job_whose_worker_was_killed_is_shown_failed(api, editor, settings):
    # A worker killed mid-task (SIGKILL) leaves its job `running` and, the write being one
    # transaction, nothing written; with no progress for ATLAS_UPLOAD_STALE_SECONDS the job
    # is shown failed.
    upload = Upload.objects.create(
        owner=editor, filename="plan.md", data=b"# Plan\n", slug="plan", status="running"
    )
    assert api.get(f"/api/v1/jobs/{upload.pk}/").json()["status"] == "running"
    Upload.objects.filter(pk=upload.pk).update(updated_at=now() - timedelta(seconds=601))
    job = api.get(f"/api/v1/jobs/{upload.pk}/").json()
    assert job["status"] == UploadStatus.FAILED
    assert "worker stopped" in job["error"]["message"]


# --- The pages ---------------------------------------------------------------------------


def page_upload(client, content: bytes = MARKDOWN.encode(), **fields):
    data = {**NEW, **fields, "file": upload_file("plan.md", content)}
    return client.post(reverse("sources:document-upload"), data)


def test_the_upload_pages_are_for_editors_only(client, kb, django_user_model):
    url = reverse("sources:document-upload")
    signed_out = client.get(url)
    assert signed_out.status_code == 302
    # To the site's sign-in page, which answers, and back here once signed in.
    assert signed_out["Location"] == f"/sign-in/?next={url}"
    assert client.get(signed_out["Location"]).status_code == 200
    reader = django_user_model.objects.create_user("reader", password=PASSWORD)
    client.force_login(reader)
    assert client.get(url).status_code == 403
    assert page_upload(client).status_code == 403
    assert not Upload.objects.exists()


def test_the_index_links_the_upload_page_for_editors(client, editor):
    assert "Upload a document" not in client.get(reverse("sources:document-index")).text
    client.force_login(editor)
    assert "Upload a document" in client.get(reverse("sources:document-index")).text


def test_page_preview_writes_nothing_then_confirm_writes_the_document(client, editor):
    client.force_login(editor)
    before = snapshot()
    response = page_upload(client, MARKDOWN.replace("They share", "They\x0c share").encode())
    assert response.status_code == 303
    preview = client.get(response["Location"])
    assert preview.status_code == 200
    html = preview.text
    assert "<code>#joint-testing-plan-p1</code>" in html
    assert '<ol class="outline">' in html
    # Tables as tables: the rows' cells in a <table>.
    assert '<table class="preview-table">' in html
    assert '<th scope="row">Testing</th>' in html
    assert "1 × U+000C (form feed) → blank line" in html
    # Only the upload itself is kept; no document, passage or citation.
    assert snapshot() == before
    assert Upload.objects.get().status == UploadStatus.PENDING

    confirmed = client.post(response["Location"])
    assert confirmed.status_code == 303
    assert confirmed["Location"] == "/documents/joint-testing-plan/"
    document = Document.objects.get(slug="joint-testing-plan")
    assert document.title == "Joint Testing Plan"
    assert document.passages.filter(anchor="joint-testing-plan-p1").exists()
    upload = Upload.objects.get()
    assert upload.status == UploadStatus.SUCCEEDED and upload.document == document
    # Confirming twice writes nothing more.
    assert client.post(response["Location"]).status_code == 303


def test_a_long_preview_lists_its_passages_a_page_at_a_time(client, editor, monkeypatch):
    monkeypatch.setattr("sources.upload_views.PREVIEW_PASSAGES", 3)
    client.force_login(editor)
    response = page_upload(client)
    url = response["Location"]
    first = client.get(url).text
    # Every passage counted, the outline whole; three passages a page, with the page links.
    assert "<dt>Passages</dt><dd>10</dd>" in first
    assert "Passages 1 to 3 of 10, 3 a page." in first
    assert "<code>#joint-testing-plan-p1</code>" in first
    assert "<code>#commitments</code> <span" not in first
    assert '<li class="outline-level-2">Commitments <code>#commitments</code></li>' in first
    assert f'<a href="{url}?page=2" rel="next">' in first
    last = client.get(f"{url}?page=4").text
    assert "Passages 10 to 10 of 10, 3 a page." in last
    # A page past the last, or not a number: 400 naming `page`, nothing written.
    refused = client.get(f"{url}?page=5")
    assert refused.status_code == 400
    assert "There is no page 5: there are 4 pages." in refused.text
    for page in ("x", "%00", "9" * 40):
        assert client.get(f"{url}?page={page}").status_code == 400
    assert Upload.objects.get().status == UploadStatus.PENDING
    # Confirming from a later page writes the whole document.
    assert client.post(f"{url}?page=2").status_code == 303
    assert Document.objects.get(slug="joint-testing-plan").passages.count() == 10


def test_a_pdfs_page_preview_shows_its_pages_and_each_passages(client, editor):
    client.force_login(editor)
    data = {**NEW, "file": upload_file("plan.pdf", build_pdf_pages(TWO_PAGES))}
    response = client.post(reverse("sources:document-upload"), data)
    assert response.status_code == 303
    html = client.get(response["Location"]).text
    assert "<dt>Pages</dt><dd>2</dd>" in html
    assert (
        '<code>#joint-testing-plan-p1</code> <span class="kind">paragraph</span> '
        '<span class="source-page">p. 1–2</span>'
    ) in html
    assert (
        '<code>#scope</code> <span class="kind">heading</span> <span class="source-page">p. 2</span>'
        in html
    )


def test_confirm_writes_in_one_transaction(client, editor, monkeypatch):
    client.force_login(editor)
    response = page_upload(client)
    before = snapshot()

    def disk_full(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("sources.services._passages_sync", disk_full)
    with pytest.raises(RuntimeError, match="disk full"):
        client.post(response["Location"])
    assert snapshot() == before


def test_an_upload_is_its_owners_only(client, editor, django_user_model):
    client.force_login(editor)
    response = page_upload(client)
    other = django_user_model.objects.create_user("bob", password=PASSWORD, is_superuser=True)
    client.force_login(other)
    assert client.get(response["Location"]).status_code == 404
    assert client.post(response["Location"]).status_code == 404
    assert not Document.objects.filter(slug="joint-testing-plan").exists()


def test_a_slug_taken_between_preview_and_confirm_is_refused(client, editor, api):
    client.force_login(editor)
    response = page_upload(client)
    api_create(api, "plan.md", MARKDOWN.encode())
    before = snapshot()
    confirmed = client.post(response["Location"])
    assert confirmed.status_code == 400
    assert "already names" in confirmed.text
    assert snapshot() == before


def test_page_version_preview_lists_changes_and_orphaned_citations(client, editor, cited):
    _, claim, edited, _ = cited
    client.force_login(editor)
    url = reverse("sources:document-version-upload", kwargs={"slug": "joint-testing-plan"})
    assert client.get(url).status_code == 200
    before = snapshot()
    response = client.post(url, {"file": upload_file("plan.md", EDITED.encode())})
    assert response.status_code == 303
    html = client.get(response["Location"]).text
    changes = html.split('id="preview-changes"', 1)[1].split("</section>", 1)[0]
    assert "Passages changed (2)" in changes
    assert "<code>commitments-item-2</code>" in changes
    assert f"<td>{edited.pk}</td>" in changes
    assert "<q>share results</q>" in changes
    assert str(claim) in changes
    assert snapshot() == before
    assert client.post(response["Location"]).status_code == 303
    edited.refresh_from_db()
    assert edited.orphaned


def test_a_large_upload_from_the_page_is_a_job_with_its_progress(client, editor, background):
    client.force_login(editor)
    response = page_upload(client)
    job_page = client.post(response["Location"])
    assert job_page.status_code == 303 and job_page["Location"] == response["Location"]
    html = client.get(response["Location"]).text
    assert 'Status: <strong class="job-state">queued</strong>' in html
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in html
    run_worker()
    html = client.get(response["Location"]).text
    assert "succeeded" in html and 'href="/documents/joint-testing-plan/"' in html
    assert "http-equiv" not in html


def test_the_schema_says_which_writes_answer_201_and_which_202(client, kb):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path in ("/api/v1/documents/", "/api/v1/documents/{slug}/versions/"):
        operation = schema["paths"][path]["post"]
        assert {"200", "201", "202", "400"} <= set(operation["responses"]), path
        assert "background task" in operation["responses"]["202"]["description"]
        assert "multipart/form-data" in operation["requestBody"]["content"]
    job = schema["paths"]["/api/v1/jobs/{id}/"]["get"]
    assert "#/components/schemas/Job" in json.dumps(job["responses"]["200"])
    assert {"status", "progress", "result", "error"} <= set(
        schema["components"]["schemas"]["Job"]["properties"]
    )
