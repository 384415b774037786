"""The main pages as checkers nobody here wrote read them: the W3C's Nu HTML checker
(`vnu.jar`, from npm, run by Java) reports no error on any, and Lighthouse (from npm, on
Debian's Chromium) scores each at least 95 for accessibility, best practices and SEO.

Both tools are slow to start, so each runs once over all the pages: one JVM for the checker,
one browser for Lighthouse's audits, the pages audited one after the other.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from bench.largedoc import large_document
from sources.services import document_upsert
from tests.browser.conftest import CHROMIUM, NODE_MODULES
from tests.helpers import release_then_edit

pytestmark = [pytest.mark.browser, pytest.mark.server]

VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
LIGHTHOUSE = NODE_MODULES / "lighthouse"
LIGHTHOUSE_RUNNER = Path(__file__).with_name("lighthouse.mjs")
CATEGORIES = ("accessibility", "best-practices", "seo")
MIN_SCORE = 0.95
LONG_DOCUMENT = "synthetic-act"

MAIN_PAGES = [
    "/",
    "/frameworks/eu-ai-office-uk-aisi/cells/incident-reporting/coordination/",
    "/documents/synergies-eu-ai-office-uk-aisi-2025/",
    "/search/?q=evaluation",
    "/institutions/eu-ai-office/",
    "/institutions/compare/?a=eu-ai-office&b=uk-aisi",
    "/frameworks/compare/?a=eu-ai-office-uk-aisi&b=eu-ai-office-us-aisi",
    "/activities/",
    "/levels/collaboration/",
    "/changes/",
    "/releases/",
    "/documents/",
]


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=60) as response:
        assert response.status == 200, f"{url}: {response.status}"
        return response.read().decode("utf-8")


@pytest.fixture
def main_pages(seeded) -> list[str]:
    """The main pages' URLs on the live server, with something on each: a release, an edit
    since (for the changes), and a document long enough to be read a section at a time (its
    front page and the first section page its outline links to), read from pages as a PDF
    is, so that its passages' pages are marked in the reader's margin."""
    release_then_edit()
    text = large_document(chapters=2, articles=6, long_article=150)
    document_upsert(
        slug=LONG_DOCUMENT,
        title="The Synthetic Act on General-Purpose Models",
        kind="legal_text",
        text=text,
        format="markdown",
        page_starts=list(range(0, len(text), 3000)),
    )
    front = f"/documents/{LONG_DOCUMENT}/"
    section = re.search(
        rf'href="(/documents/{LONG_DOCUMENT}/sections/[^"#]+/)"', _get(seeded.url + front)
    )
    assert section, f"the outline of {front} links to no section page"
    return [seeded.url + path for path in [*MAIN_PAGES, front, section.group(1)]]


def test_the_nu_html_checker_reports_no_error_on_the_main_pages(main_pages, tmp_path):
    java = shutil.which("java")
    if java is None or not VNU.exists():
        pytest.fail("Java or vnu-jar is missing: run `make test`, which installs them")
    files = {}
    for number, url in enumerate(main_pages):
        path = tmp_path / f"page-{number}.html"
        path.write_text(_get(url), encoding="utf-8")
        files[path.name] = url
    started = time.monotonic()
    result = subprocess.run(
        [java, "-jar", str(VNU), "--format", "json", "--errors-only", *map(str, files)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    print(f"vnu.jar checked {len(files)} pages in {time.monotonic() - started:.1f} s")
    # The checker writes its report to stderr and exits 1 when it found an error.
    try:
        messages = json.loads(result.stderr)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"vnu.jar wrote no JSON report:\n{result.stdout}{result.stderr}")
    errors = [
        f"{files[message.get('url', '').rsplit('/', 1)[-1]]} line {message.get('lastLine')}: "
        f"{message['message']} ({message.get('extract', '').strip()!r})"
        for message in messages
        if message.get("type") == "error" or message.get("subType") == "fatal"
    ]
    assert not errors, f"{len(errors)} errors:\n" + "\n".join(errors)
    assert result.returncode == 0, result.stderr


def _shortfalls(report: dict) -> list[str]:
    """The categories of a Lighthouse report under MIN_SCORE, each with the audits that cost
    it points, and any audit that could not run (which is not a pass)."""
    url = report["finalDisplayedUrl"]
    lines = []
    for category in CATEGORIES:
        result = report["categories"][category]
        audits = [(ref, report["audits"][ref["id"]]) for ref in result["auditRefs"]]
        for ref, audit in audits:
            if audit["scoreDisplayMode"] == "error":
                lines.append(f"{url}: {ref['id']} could not run: {audit.get('errorMessage')}")
        if result["score"] is None or result["score"] < MIN_SCORE:
            lines.append(f"{url}: {category} scores {result['score']}")
            for ref, audit in audits:
                if ref["weight"] > 0 and audit["score"] is not None and audit["score"] < 1:
                    items = (audit.get("details") or {}).get("items") or []
                    where = [
                        (item.get("node") or {}).get("snippet")
                        or item.get("description")
                        or item.get("url")
                        for item in items[:3]
                        if isinstance(item, dict)
                    ]
                    lines.append(f"  {ref['id']}: {audit['title']} {where}")
    return lines


def test_lighthouse_scores_the_main_pages_at_least_95(main_pages, tmp_path):
    node = shutil.which("node")
    if node is None or not (LIGHTHOUSE / "package.json").exists():
        pytest.fail("Node or lighthouse is missing: run `make test`, which installs them")
    started = time.monotonic()
    result = subprocess.run(
        [node, str(LIGHTHOUSE_RUNNER), str(tmp_path), *main_pages],
        cwd=NODE_MODULES.parent,
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    print(f"Lighthouse audited {len(main_pages)} pages in {time.monotonic() - started:.1f} s")
    assert result.returncode == 0, f"Lighthouse failed:\n{result.stdout}{result.stderr}"
    reports = [
        json.loads((tmp_path / f"{number}.json").read_text(encoding="utf-8"))
        for number in range(len(main_pages))
    ]
    assert [report["requestedUrl"] for report in reports] == main_pages
    for report in reports:
        assert not report.get("runtimeError"), report["runtimeError"]
    shortfalls = [line for report in reports for line in _shortfalls(report)]
    assert not shortfalls, "\n".join(shortfalls)
