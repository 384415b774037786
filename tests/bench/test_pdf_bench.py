"""The PDF reader's benchmark (`manage.py bench_pdf`): it reads synthetic PDFs and prints
their time and peak memory, one row per size."""

from __future__ import annotations

import io

from django.core.management import call_command

from bench.pdfdoc import pdf_read_timing, synthetic_pdf
from sources.pdf import pdf_markdown


def test_the_synthetic_report_reads_as_its_pages_say():
    reading = pdf_markdown(synthetic_pdf(3))
    assert reading.text.count("# Section ") == 3
    assert reading.text.count("|  | Office | Institute |") == 3
    assert "Synthetic report" not in reading.text  # the running footer
    assert len(reading.page_starts) == 3
    assert reading.text[reading.page_starts[1] :].startswith("# Section 2")


def test_the_command_prints_a_row_per_size():
    out = io.StringIO()
    call_command("bench_pdf", "--pages=1", "--pages=2", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == (
        "| pages | PDF KB | text KB | seconds | CPU seconds | CPU ms per page | peak MB |"
    )
    assert [line.split(" | ")[0] for line in lines[2:]] == ["| 1", "| 2"]
    timing = pdf_read_timing(2)
    assert timing.pages == 2 and timing.peak > 0 and timing.characters > 1000
