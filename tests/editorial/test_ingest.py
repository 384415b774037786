"""`manage.py ingest`: Markdown, text and PDF files become passages with stable anchors;
re-ingestion keeps anchors and orphans exactly the citations whose quote changed."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from core.dataset import dataset_version
from engagement.models import Cell
from sources.ingest import INGEST_MAX_BYTES
from sources.models import Citation, Document, Passage
from sources.services import citation_attach
from tests.editorial.pdf import build_pdf, build_pdf_pages

MARKDOWN = """# Joint Testing Plan

The two institutes will test frontier models together before deployment.

They share results within a week of each test.

## Commitments

- Publish a common evaluation protocol.
- Exchange staff twice a year.
1. not a list item: this line continues the list block above

| Area | EU AI Office | UK AISI |
| --- | --- | --- |
| Testing | Yes | Yes |
| Standards | Yes | No |

[^1]: Agreed at the first technical dialogue.
"""

TEXT = """Joint Testing Plan

The two institutes will test frontier models together before deployment.

Table 2: Shared tasks

Task\tEU AI Office\tUK AISI
Red-teaming\tPartial\tYes

¹ Agreed at the first technical dialogue.
"""


def ingest(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("ingest", str(path), *args, stdout=out)
    return out.getvalue()


def passages(slug: str) -> list[tuple[str, str, str]]:
    return [
        (p.anchor, p.kind, p.text)
        for p in Passage.objects.for_reader(Document.objects.get(slug=slug))
    ]


@pytest.mark.django_db
def test_markdown_file_becomes_passages_with_anchors(tmp_path):
    path = tmp_path / "plan.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    output = ingest(
        path,
        "--slug=joint-testing-plan",
        "--title=Joint Testing Plan",
        "--kind=statement",
        "--published=2025-06-02",
        "--url=https://example.org/plan",
        "--authors=Ada Lovelace; Alan Turing",
    )
    assert "Added joint-testing-plan (markdown" in output
    assert "passages added: 10" in output
    assert passages("joint-testing-plan") == [
        ("joint-testing-plan", "heading", "Joint Testing Plan"),
        (
            "joint-testing-plan-p1",
            "paragraph",
            "The two institutes will test frontier models together before deployment.",
        ),
        ("joint-testing-plan-p2", "paragraph", "They share results within a week of each test."),
        ("commitments", "heading", "Commitments"),
        ("commitments-item-1", "list_item", "Publish a common evaluation protocol."),
        (
            "commitments-item-2",
            "list_item",
            "Exchange staff twice a year.\n1. not a list item: this line continues the list block above",
        ),
        ("commitments-table-1-header", "table_row", "| Area | EU AI Office | UK AISI |"),
        ("commitments-table-1-testing", "table_row", "| Testing | Yes | Yes |"),
        ("commitments-table-1-standards", "table_row", "| Standards | Yes | No |"),
        ("footnote-1", "footnote", "[^1]: Agreed at the first technical dialogue."),
    ]
    document = Document.objects.get(slug="joint-testing-plan")
    assert document.sha256 == hashlib.sha256(MARKDOWN.encode()).hexdigest()
    assert document.format == "markdown"
    assert document.authors == ["Ada Lovelace", "Alan Turing"]
    assert str(document.published) == "2025-06-02"
    assert document.history.count() == 1


@pytest.mark.django_db
def test_text_file_becomes_passages_with_anchors(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text(TEXT, encoding="utf-8")
    ingest(path, "--slug=plan-text", "--title=Plan", "--kind=report", "--published=2025-06")
    assert passages("plan-text") == [
        ("joint-testing-plan", "heading", "Joint Testing Plan"),
        (
            "joint-testing-plan-p1",
            "paragraph",
            "The two institutes will test frontier models together before deployment.",
        ),
        ("table-2", "heading", "Table 2: Shared tasks"),
        ("table-2-header", "table_row", "Task\tEU AI Office\tUK AISI"),
        ("table-2-red-teaming", "table_row", "Red-teaming\tPartial\tYes"),
        ("footnote-1", "footnote", "¹ Agreed at the first technical dialogue."),
    ]
    document = Document.objects.get(slug="plan-text")
    assert (document.format, document.published_precision) == ("text", "month")


@pytest.mark.django_db
def test_a_pdf_is_read_into_headings_and_paragraphs_with_its_pages(tmp_path):
    """Larger bold lines are headings; lines set close together are one paragraph, one
    line of Markdown; the text is Markdown whose shown words are the PDF's."""
    lines = [
        ("Joint Testing Plan", 16),
        "",
        "The two institutes will test frontier models together.",
        "They share results within a week.",
        "",
        ("Scope", 13),
        "",
        "Frontier models only (general-purpose), *all* of them.",
    ]
    path = tmp_path / "plan.pdf"
    path.write_bytes(build_pdf(lines))
    output = ingest(path, "--slug=plan-pdf", "--title=Plan", "--kind=other")
    assert "Added plan-pdf (pdf, 1 pages" in output
    assert passages("plan-pdf") == [
        ("joint-testing-plan", "heading", "Joint Testing Plan"),
        (
            "joint-testing-plan-p1",
            "paragraph",
            "The two institutes will test frontier models together. They share results within a week.",
        ),
        ("scope", "heading", "Scope"),
        ("scope-p1", "paragraph", "Frontier models only (general-purpose), \\*all\\* of them."),
    ]
    document = Document.objects.get(slug="plan-pdf")
    assert (document.format, document.page_starts) == ("markdown", [0])
    assert document.text.startswith("# Joint Testing Plan\n\n")
    assert document.sha256 == hashlib.sha256(document.text.encode()).hexdigest()
    shown = Passage.objects.get(document=document, anchor="scope-p1").shown
    assert shown == "Frontier models only (general-purpose), *all* of them."
    pages = Passage.objects.filter(document=document).values_list("source_page", flat=True)
    assert set(pages) == {1}
    # Read again: unchanged. A new version with a paragraph added keeps every other anchor.
    assert "Unchanged: plan-pdf" in ingest(path, "--slug=plan-pdf", "--update")
    path.write_bytes(build_pdf([*lines[:4], "", "Results are public.", *lines[4:]]))
    output = ingest(path, "--slug=plan-pdf", "--update")
    assert "passages added: 1 (joint-testing-plan-p2)" in output
    assert "passages removed: 0" in output and "passages changed: 0" in output


@pytest.mark.django_db
def test_control_characters_are_normalised_and_the_command_says_so(tmp_path):
    # A form feed is a page break (a PDF's, a printer's): a blank line, ending the block.
    # A vertical tab ends a line; any other control character means nothing and is dropped.
    path = tmp_path / "paged.txt"
    path.write_bytes(
        b"Page one ends here.\x0cPage two starts\x0bon a new line.\n\nA bell \x07rings"
        b"\x1b once.\x0c\n"
    )
    output = ingest(path, "--slug=paged", "--title=Paged", "--kind=report")
    assert (
        "characters normalised: 1 × U+0007 (control character) → removed; "
        "1 × U+000B (vertical tab) → line break; 2 × U+000C (form feed) → blank line; "
        "1 × U+001B (escape) → removed"
    ) in output
    assert passages("paged") == [
        ("p1", "paragraph", "Page one ends here."),
        ("p2", "paragraph", "Page two starts\non a new line."),
        ("p3", "paragraph", "A bell rings once."),
    ]
    text = Document.objects.get(slug="paged").text
    assert not any(ch in text for ch in "\x07\x0b\x0c\x1b")


def test_a_pdf_table_keeps_its_columns_and_its_header_row(db, client, tmp_path):
    """A table set in columns without rules (its header's first cell empty, as the brief's
    functions table) comes out of the PDF as a pipe table: a header row, then the rows,
    each cell in its column, shown as a table in the reader."""
    lines = [
        ("Shared Tasks", 14),
        "",
        ("Table 2: Shared tasks", 12),
        "",
        ["", "EU AI Office", "UK AISI"],
        ["Red-teaming", "Partial", "Yes"],
        ["Standards work", "Yes", "No"],
        "",
        "A closing paragraph, indented by the layout.",
    ]
    path = tmp_path / "tasks.pdf"
    path.write_bytes(build_pdf(lines))
    ingest(path, "--slug=tasks-pdf", "--title=Tasks", "--kind=other")
    assert passages("tasks-pdf") == [
        ("shared-tasks", "heading", "Shared Tasks"),
        ("table-2", "heading", "Table 2: Shared tasks"),
        ("table-2-header", "table_row", "|  | EU AI Office | UK AISI |"),
        ("table-2-red-teaming", "table_row", "| Red-teaming | Partial | Yes |"),
        ("table-2-standards-work", "table_row", "| Standards work | Yes | No |"),
        ("table-2-p1", "paragraph", "A closing paragraph, indented by the layout."),
    ]
    html = client.get("/documents/tasks-pdf/").content.decode()
    # The header's first cell is empty: a column header over the row labels.
    assert (
        '<tr id="table-2-header" class="passage passage-table_row table-header">'
        '<th scope="col"><span class="passage-tools">'
    ) in html
    assert '\t<th scope="col">EU AI Office</th>\t<th scope="col">UK AISI</th>' in html
    assert '<th scope="row">Red-teaming<span' in html
    assert "\t<td>Partial</td>\t<td>Yes</td>\n</tr>" in html


@pytest.fixture
def cited_plan(kb, tmp_path):
    """The Markdown plan, ingested, with citations into three of its passages."""
    path = tmp_path / "plan.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    ingest(path, "--slug=joint-testing-plan", "--title=Joint Testing Plan", "--kind=statement")
    document = Document.objects.get(slug="joint-testing-plan")
    by_anchor = {p.anchor: p for p in document.passages.all()}
    claim = Cell.objects.exclude(kind="empty").first()
    cite = {}
    for name, anchor, exact in [
        ("edited-a", "joint-testing-plan-p2", "share results"),
        ("edited-b", "joint-testing-plan-p2", "within a week"),
        ("kept-p1", "joint-testing-plan-p1", "test frontier models together"),
        ("kept-item", "commitments-item-1", "common evaluation protocol"),
    ]:
        cite[name], _ = citation_attach(claim=claim, passage=by_anchor[anchor], exact=exact)
    return path, document, cite


def test_reingestion_keeps_anchors_and_orphans_only_the_edited_paragraphs_citations(cited_plan):
    path, document, cite = cited_plan
    anchors_before = {p.anchor: p.pk for p in document.passages.all()}
    path.write_text(
        MARKDOWN.replace(
            "They share results within a week of each test.",
            "They will now share their results within a month of each test.",
        ),
        encoding="utf-8",
    )
    output = ingest(path, "--slug=joint-testing-plan", "--update")

    assert "passages added: 0\n" in output
    assert "passages removed: 0\n" in output
    assert "passages changed: 1 (joint-testing-plan-p2)" in output
    assert "citations still valid: 2\n" in output
    assert "citations orphaned: 2 (" in output
    # Same anchors, same rows: unchanged passages kept their identity.
    assert {p.anchor: p.pk for p in document.passages.all()} == anchors_before
    for name, citation in cite.items():
        citation.refresh_from_db()
        assert citation.orphaned is name.startswith("edited"), name
        assert citation.valid is not name.startswith("edited"), name
    # Never re-anchored: the orphaned quote keeps its old offsets.
    assert (cite["edited-a"].start, cite["edited-a"].exact) == (5, "share results")

    out = io.StringIO()
    with pytest.raises(CommandError, match="2 of"):
        call_command("verify_citations", stdout=out)
    assert f"citation {cite['edited-a'].pk} " in out.getvalue()
    assert f"citation {cite['kept-p1'].pk} " not in out.getvalue()


def test_a_cited_passage_that_disappears_is_retired_not_lost(cited_plan):
    path, document, cite = cited_plan
    path.write_text(
        MARKDOWN.replace("They share results within a week of each test.\n\n", "").replace(
            "- Exchange staff twice a year.\n", ""
        ),
        encoding="utf-8",
    )
    output = ingest(path, "--slug=joint-testing-plan", "--update")
    assert "passages removed: 2 (commitments-item-2, joint-testing-plan-p2)" in output
    retired = Passage.objects.get(document=document, anchor="joint-testing-plan-p2")
    assert retired.retired
    assert retired.text == "They share results within a week of each test."
    # The uncited passage is gone; the cited one is out of the reading order only.
    assert not Passage.objects.filter(document=document, anchor="commitments-item-2").exists()
    assert "joint-testing-plan-p2" not in [a for a, _, _ in passages("joint-testing-plan")]
    for name in ("edited-a", "edited-b"):
        cite[name].refresh_from_db()
        assert cite[name].orphaned
    cite["kept-item"].refresh_from_db()
    assert cite["kept-item"].valid


def snapshot() -> tuple:
    return (
        Document.objects.count(),
        Passage.objects.count(),
        Citation.objects.count(),
        sorted(Document.objects.values_list("slug", "sha256", "title")),
        dataset_version().version,
    )


BRIEF = "synergies-eu-ai-office-uk-aisi-2025"


@pytest.mark.parametrize(
    ("name", "content", "args", "message"),
    [
        ("missing.md", None, [], "missing.md: no such file"),
        ("empty.md", b"", [], "empty.md: the file is empty"),
        ("blank.txt", b"  \n\n \n", [], "blank.txt: the file holds no text"),
        ("binary.txt", b"abc\x00\x01\x02def", [], "binary.txt: binary content (NUL bytes)"),
        ("latin1.txt", "Café policy\n".encode("latin-1"), [], "latin1.txt: not valid UTF-8"),
        ("fake.pdf", b"# not a pdf\n", [], "fake.pdf: not a PDF file"),
        ("broken.pdf", b"%PDF-1.4\nthis is not a PDF body", [], "broken.pdf: not a readable PDF"),
        ("locked.pdf", build_pdf(["Secret"], encrypt=True), [], "locked.pdf: the PDF is encrypted"),
        (
            "long.pdf",
            build_pdf_pages([["A page."]] * 301),
            [],
            "long.pdf: 301 pages is over the limit of 300 pages",
        ),
        ("plan.docx", b"PK\x03\x04", [], "unsupported file type '.docx'"),
        ("plan.md", b"# Plan\n", ["--kind=blog"], "--kind: 'blog' is not one of"),
        ("plan.md", b"# Plan\n", ["--published=2025-02-30"], "--published: '2025-02-30'"),
        ("plan.md", b"# Plan\n", ["--published=March 2025"], "--published: 'March 2025'"),
        ("plan.md", b"# Plan\n", ["--url=not a url"], "url: Enter a valid URL."),
        ("plan.md", b"# Plan\n", ["--slug=Not A Slug"], "slug: Enter a valid “slug”"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(kb, tmp_path, name, content, args, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    before = snapshot()
    options = ["--slug=new-document", "--title=New", "--kind=report", *args]
    if any(a.startswith("--slug=") for a in args):
        options = options[1:]
    with pytest.raises(CommandError) as error:
        ingest(path, *options)
    assert message in str(error.value)
    assert snapshot() == before


def test_a_file_over_the_size_limit_is_refused(kb, tmp_path):
    path = tmp_path / "huge.txt"
    path.write_bytes(b"A long paragraph.\n" * (INGEST_MAX_BYTES // 18 + 1))
    assert path.stat().st_size > INGEST_MAX_BYTES
    before = snapshot()
    with pytest.raises(CommandError, match=f"is over the limit of {INGEST_MAX_BYTES} bytes"):
        ingest(path, "--slug=huge", "--title=Huge", "--kind=report")
    assert snapshot() == before


def test_a_slug_naming_another_document_needs_update(kb, tmp_path):
    path = tmp_path / "other.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    before = snapshot()
    with pytest.raises(CommandError, match=f"--slug: '{BRIEF}' already names the document"):
        ingest(path, f"--slug={BRIEF}", "--title=Other", "--kind=report")
    assert snapshot() == before


def test_a_failure_midway_rolls_back_everything(kb, tmp_path, monkeypatch):
    """A re-ingestion that fails after writing passages leaves the database as it was."""
    path = tmp_path / "brief.txt"
    brief = Document.objects.get(slug=BRIEF)
    path.write_text(brief.text.replace("In particular", "Particularly"), encoding="utf-8")
    before = snapshot()
    texts = sorted(Passage.objects.filter(document=brief).values_list("anchor", "text"))

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("sources.services._citations_recheck", explode)
    with pytest.raises(RuntimeError, match="disk full"):
        ingest(path, f"--slug={BRIEF}", "--update")
    assert snapshot() == before
    assert sorted(Passage.objects.filter(document=brief).values_list("anchor", "text")) == texts


@pytest.mark.server
def test_the_command_exits_non_zero_with_the_message(tmp_path):
    """Run as a program: exit status 1 and the reason on standard error."""
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "ingest",
            str(tmp_path / "missing.md"),
            "--slug=x",
            "--title=X",
            "--kind=report",
        ],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "missing.md: no such file" in result.stderr
