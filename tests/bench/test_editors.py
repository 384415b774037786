"""The benchmark of the editors' work (`bench/editors.py`): its generated inputs are what it
says, and its verdicts say MET only for work that grows at most linearly."""

from __future__ import annotations

from bench.editors import LINEAR_SLACK, Work, growth, markdown_bytes
from bench.pdfdoc import synthetic_pdf
from sources.ingest import source_parse


def test_the_markdown_is_cut_at_a_paragraph_under_its_size():
    data = markdown_bytes(300_000)
    assert 250_000 < len(data) <= 300_000
    assert data.endswith(b"\n") and not data.endswith(b"\n\n\n")


def test_the_generated_pdf_is_read_page_by_page():
    source = source_parse("act.pdf", synthetic_pdf(3))
    assert source.kind == "pdf"
    assert len(source.page_starts) == 3 and source.page_starts[0] == 0


def test_growth_is_met_only_when_linear():
    linear = [Work("repairs", "500", 500, 1.0, 10.0), Work("repairs", "1,000", 1000, 2.1, 19.0)]
    faster = [Work("pdf-parse", "150", 150, 1.0, 1.0), Work("pdf-parse", "300", 300, 4.0, 2.0)]
    memory = [Work("upload", "1", 1, 1.0, 1.0), Work("upload", "2", 2, 2.0, 2 * LINEAR_SLACK + 1)]
    absent = [Work("draft-framework", "20 x 6", 20, note="NOT MEASURED: awaits the service")]
    lines = growth(linear + faster + memory + absent)
    assert lines[0].startswith("MET: repairs grows at most linearly"), lines
    assert lines[1].startswith("NOT MET: pdf-parse"), lines
    assert lines[2].startswith("NOT MET: upload"), lines
    assert lines[3] == "NOT MEASURED: draft-framework (NOT MEASURED: awaits the service)"


def test_a_slow_preview_of_the_largest_upload_is_not_met():
    works = [
        Work("preview-markdown", "2.5 MiB", 1, 3.0, 10.0),
        Work("preview-markdown", "5.0 MiB", 2, 6.0, 20.0),
    ]
    lines = growth(works)
    assert lines[0].startswith("MET: preview-markdown grows at most linearly")
    assert lines[1].startswith(
        "NOT MET: the preview of a 5.0 MiB Markdown upload answers in 6.00 s"
    )
