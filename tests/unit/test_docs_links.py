"""Every relative link in README.md and docs/ resolves: the file it names exists in the
repository and, for a `#fragment`, the target has a heading that GitHub gives that anchor.

A link is checked as GitHub renders the page, so links shown as code (in a code span or a
fenced block) are not links, and anchors are slugged as GitHub slugs headings.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"

FENCE = re.compile(r"^ {0,3}(```|~~~)")
HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$")
CODE_SPAN = re.compile(r"(`+)[\s\S]*?\1")
# [text](target "title") and ![alt](target): the text may hold one level of brackets and
# line breaks; the target is read up to the first space or closing parenthesis.
INLINE_LINK = re.compile(
    r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?([^\s)>]*)>?(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)"
)
REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.MULTILINE)
HTML_LINK = re.compile(r"""(?:href|src)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def documentation_files() -> list[Path]:
    return [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]


def without_code_blocks(text: str) -> list[str]:
    """The lines of a Markdown text outside fenced code blocks."""
    lines, fenced = [], False
    for line in text.splitlines():
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            lines.append(line)
    return lines


def link_targets(text: str) -> list[str]:
    """Every link target of a Markdown text as GitHub renders it (code is not a link)."""
    prose = CODE_SPAN.sub("", "\n".join(without_code_blocks(text)))
    return [
        *INLINE_LINK.findall(prose),
        *REFERENCE_DEFINITION.findall(prose),
        *HTML_LINK.findall(prose),
    ]


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: its text as rendered, lower-cased, without punctuation
    or symbols, each space a hyphen."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link shows its text
    text = re.sub(r"<[^>]+>", "", text).replace("`", "").replace("*", "")
    kept = (
        char
        for char in text.strip().lower()
        if char.isalnum() or char in "-_ " or unicodedata.category(char).startswith("M")
    )
    return "".join(kept).replace(" ", "-")


def anchors(text: str) -> set[str]:
    """The anchors of a Markdown text's headings; a repeated one gets -1, -2..., as on GitHub."""
    found: set[str] = set()
    for line in without_code_blocks(text):
        match = HEADING.match(line)
        if not match:
            continue
        base = anchor = slug(match.group(2))
        count = 0
        while anchor in found:
            count += 1
            anchor = f"{base}-{count}"
        found.add(anchor)
    return found


def broken_links(source: Path, root: Path = ROOT) -> list[str]:
    """The relative links of `source` that lead nowhere, each with the reason."""
    problems = []
    for target in link_targets(source.read_text(encoding="utf-8")):
        if SCHEME.match(target) or target.startswith("//"):
            continue  # another site: not this repository's to check
        path_part, _, fragment = target.partition("#")
        destination = (source.parent / unquote(path_part)).resolve() if path_part else source
        if root.resolve() not in (destination, *destination.parents):
            problems.append(f"{target}: outside the repository")
        elif not destination.exists():
            problems.append(f"{target}: no such file")
        elif "#" in target and not fragment:
            problems.append(f"{target}: an empty fragment")
        elif fragment:
            if destination.suffix != ".md":
                problems.append(f"{target}: a fragment into a file that is not Markdown")
            elif unquote(fragment) not in anchors(destination.read_text(encoding="utf-8")):
                problems.append(f"{target}: no heading with the anchor #{fragment}")
    return problems


@pytest.mark.parametrize("source", documentation_files(), ids=lambda path: path.name)
def test_every_relative_link_resolves(source: Path):
    assert broken_links(source) == []


def test_the_documentation_is_there_and_linked_from_its_index():
    pages = {path.name for path in DOCS.glob("*.md")} - {"index.md"}
    assert {"pages.md", "api.md", "exports.md", "editing.md", "deployment.md"} <= pages
    assert {"architecture.md", "style.md", "benchmarks.md", "testing.md"} <= pages
    linked = {
        Path(target.partition("#")[0]).name
        for target in link_targets((DOCS / "index.md").read_text())
    }
    assert pages - linked == set(), "pages docs/index.md does not list"
    assert "docs/index.md" in link_targets((ROOT / "README.md").read_text())


def test_a_missing_file_a_missing_heading_and_a_link_out_of_the_repository_are_caught(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "api.md").write_text("# The API\n\n## Bad input\n\n## Bad input\n")
    page = tmp_path / "README.md"
    page.write_text(
        "[ok](docs/api.md#bad-input) [second](docs/api.md#bad-input-1) [self](#top)\n"
        "# Top\n"
        "[gone](docs/gone.md) [no heading](docs/api.md#bodies)\n"
        "![picture](docs/images/missing.png) [out](../elsewhere.md)\n"
        "`[shown as code](docs/nowhere.md)` [site](https://example.org/x.md#y)\n"
        "```\n[in a fence](docs/nowhere.md)\n```\n"
    )
    assert broken_links(page, root=tmp_path) == [
        "docs/gone.md: no such file",
        "docs/api.md#bodies: no heading with the anchor #bodies",
        "docs/images/missing.png: no such file",
        "../elsewhere.md: outside the repository",
    ]


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("Any parameter, any route", "any-parameter-any-route"),
        ("Documents: the reader", "documents-the-reader"),
        (
            "Citations over the shown text (migration sources 0006)",
            "citations-over-the-shown-text-migration-sources-0006",
        ),
        ("`RESPONSE_CACHE` and [the cache](x.md)", "response_cache-and-the-cache"),
        ("What it measures", "what-it-measures"),
    ],
)
def test_anchors_are_slugged_as_github_slugs_them(heading: str, anchor: str):
    assert slug(heading) == anchor
