"""Independent readings of the source texts, for testing the seeded data against them.

Deliberately simple and separate from the project's own parsing code.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

BRIEF = "synergies-eu-ai-office-uk-aisi-2025"
ARTICLE = "eu-us-ttc-ai-collaboration-2024"
LEVELS = ["collaboration", "coordination", "communication", "separation"]


def source_text(slug: str) -> str:
    return (Path(settings.ATLAS_FIXTURES_DIR) / "documents" / f"{slug}.txt").read_text(
        encoding="utf-8"
    )


def table_1_rows() -> list[list[str]]:
    """The 15 activity rows of Table 1 (header rows dropped), each split on tabs."""
    rows = []
    for line in source_text(BRIEF).splitlines():
        fields = line.split("\t")
        if len(fields) == 5 and fields[0] != "Common activities":
            rows.append(fields)
    return rows


def table_1(*, activity: Callable[[str], str] = str) -> dict[tuple[str, str], str]:
    """(activity, level) -> the text of Table 1; `activity` makes the key from the row label
    (`slugify` for the activity's slug)."""
    return {
        (activity(row[0]), level): text
        for row in table_1_rows()
        for level, text in zip(LEVELS, row[1:], strict=True)
    }


def functions_rows() -> list[list[str]]:
    """The rows of "Table 1: Comparisons of Functions": label, UK AISI, EU AI Office."""
    lines = source_text(BRIEF).splitlines()
    start = lines.index("Table 1: Comparisons of Functions")
    rows = []
    for line in lines[start + 1 :]:
        if not line.strip():
            if rows:
                break
            continue
        fields = line.split("\t")
        assert len(fields) == 3, line
        rows.append(fields)
    header, *body = rows
    assert header == ["", "UK AISI", "EU AI Office"]
    return body


def footnote_2() -> str:
    return next(line for line in source_text(BRIEF).splitlines() if line.startswith("² "))


def shown_text(slug: str) -> str:
    """The source text as a reader sees it, read independently: block markers (`#` headings,
    `-` bullets, `---` rules) and inline markup (`**`, `[words](#)`, `\\(` escapes) dropped,
    and every run of white space made one space."""
    lines = []
    for line in source_text(slug).splitlines():
        if line.strip() == "---":
            continue
        lines.append(re.sub(r"^(#{1,6}|-)[ \t]+", "", line))
    text = "\n".join(lines)
    text = re.sub(r"\[([^\]]*(?:\\\][^\]]*)*)\]\(#\)", r"\1", text)
    text = text.replace("**", "")
    text = re.sub(r"\\([()\[\]*_\\])", r"\1", text)
    return " ".join(text.split())
